package commands

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/google/go-cmp/cmp"
)

// closedPort returns a port on 127.0.0.1 that nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return strconv.Itoa(port)
}

// mustContain reports each of want that msg lacks, and each of not that it
// has.
func mustContain(t *testing.T, msg string, want, not []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error lacks %q:\n%s", w, msg)
		}
	}
	for _, n := range not {
		if strings.Contains(msg, n) {
			t.Errorf("error has %q:\n%s", n, msg)
		}
	}
}

func TestUnreachableServerNamesHostAndFix(t *testing.T) {
	t.Parallel()
	host := "127.0.0.1:" + closedPort(t)
	tests := []struct {
		name string
		from DBOrigin
		want []string
	}{
		{
			name: "default settings: start make run or set SALES_DB_HOST",
			want: []string{`Start it with "make run"`, "set SALES_DB_HOST=host:port (and SALES_DB_USER, SALES_DB_PASSWORD, SALES_DB_NAME)"},
		},
		{
			name: "host given: check it, or unset it for make run's",
			from: DBOrigin{Given: true},
			want: []string{"Check that Postgres runs there", "unset it"},
		},
		{
			name: "host from make run's file: that make run has stopped",
			from: DBOrigin{File: ".data/pg/connection.env"},
			want: []string{"(from .data/pg/connection.env)", `"make run" that is no longer running`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := Env{
				DB:     sqldb.Config{Conn: sqldb.Conn{User: "postgres", Password: "postgres", Host: host, Name: "postgres"}, MaxConns: 1},
				DBFrom: tt.from,
				Out:    &bytes.Buffer{},
			}
			cmd, _ := Lookup("users")
			runErr := cmd.Run(context.Background(), env, nil)
			if runErr == nil {
				t.Fatalf("users against %s succeeded", host)
			}
			want := append([]string{"cannot reach Postgres at " + host, "connection refused"}, tt.want...)
			// The driver's own text repeats the host and names no fix.
			mustContain(t, runErr.Error(), want, []string{"failed to connect", "dial error"})
			if !errors.Is(runErr, syscall.ECONNREFUSED) {
				t.Errorf("error %v does not wrap ECONNREFUSED", runErr)
			}
		})
	}
}

func TestRefusedLoginIsNotUnreachable(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	good := testEnv(t, &out)

	tests := []struct {
		name string
		edit func(*Env)
		want []string
	}{
		{
			name: "wrong password",
			edit: func(e *Env) { e.DB.Password = "not-the-password" },
			want: []string{"refused the login of user", "password authentication failed", "SALES_DB_USER and SALES_DB_PASSWORD"},
		},
		{
			name: "missing database",
			edit: func(e *Env) { e.DB.Name = "no_such_database" },
			want: []string{`has no database "no_such_database"`, "SALES_DB_NAME"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := good
			tt.edit(&env)
			_, err := openDB(context.Background(), env)
			if err == nil {
				t.Fatal("openDB succeeded")
			}
			want := append([]string{"Postgres at " + env.DB.Host}, tt.want...)
			mustContain(t, err.Error(), want, []string{"cannot reach", "not-the-password"})
		})
	}
}

// TestNotPostgresThere: SALES_DB_HOST at another server's port (the
// API's, an HTTP server) is said so, not in the driver's words; a port
// that takes the connection and closes it (a proxy before its backend is
// up) is not said to speak another protocol.
func TestNotPostgresThere(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		answer string // what the server writes before it closes
		want   []string
		not    []string
	}{
		{name: "an HTTP server", answer: "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n400 Bad Request",
			want: []string{"not as Postgres does"}, not: []string{"invalid body length", "failed to"}},
		{name: "closed at once", not: []string{"not as Postgres does"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			go func() {
				for {
					c, err := l.Accept()
					if err != nil {
						return
					}
					c.Write([]byte(tt.answer))
					c.Close()
				}
			}()
			env := Env{
				DB:     sqldb.Config{Conn: sqldb.Conn{User: "postgres", Password: "postgres", Host: l.Addr().String(), Name: "postgres"}, MaxConns: 1},
				DBFrom: DBOrigin{Given: true},
				Out:    &bytes.Buffer{},
			}
			cmd, _ := Lookup("users")
			err = cmd.Run(context.Background(), env, nil)
			if err == nil {
				t.Fatal("users succeeded")
			}
			mustContain(t, err.Error(), append([]string{"cannot reach Postgres at " + l.Addr().String()}, tt.want...), tt.not)
		})
	}
}

func TestHostThatIsOnlyAPort(t *testing.T) {
	env := Env{DB: sqldb.Config{Conn: sqldb.Conn{Host: "46183"}}, DBFrom: DBOrigin{Given: true}}
	err := connectError(env, &net.DNSError{Err: "no such host", Name: "46183", IsNotFound: true})
	want := `cannot reach Postgres at 46183: no host is named "46183". "46183" is a port without a host: set SALES_DB_HOST=127.0.0.1:46183.`
	if diff := cmp.Diff(want, err.Error()); diff != "" {
		t.Errorf("message (-want +got):\n%s", diff)
	}
}

func TestMakeRunDatabaseIsAnnounced(t *testing.T) {
	t.Parallel()
	var out, notices bytes.Buffer
	env := testEnv(t, &out)
	env.DBFrom = DBOrigin{File: ".data/pg/connection.env"}
	env.Err = &notices

	run(t, env, "users")

	want := "using the database of make run: " + env.DB.Host + " (.data/pg/connection.env)\n"
	if diff := cmp.Diff(want, notices.String()); diff != "" {
		t.Errorf("stderr (-want +got):\n%s", diff)
	}
}
