package tests

import (
	"bufio"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/garagesale/service/api/services/sales/build"
	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/mid"
	"github.com/garagesale/service/foundation/logger"
	"github.com/garagesale/service/foundation/web"
	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
)

// TestBodyNotArrivingWhole: a body that never arrives whole is the
// client's doing, whoever the client is: a 4xx naming what happened, not
// a 500 that counts against the service's error ratio. A body declared
// over the limit is refused before a byte of it is read.
func TestBodyNotArrivingWhole(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := httptest.NewUnstartedServer(e.h)
	srv.Config.ReadTimeout = 500 * time.Millisecond
	srv.Start()
	t.Cleanup(srv.Close)

	post := "POST /v1/products HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer " + e.tokens["user1"] + "\r\n"
	for _, tt := range []struct {
		name      string
		request   string
		halfClose bool // the client closes its side after the request
		status    int
		want      errs.Error
	}{
		{name: "cut short", request: post + "Content-Length: 100\r\n\r\n" + `{"na`, halfClose: true, status: http.StatusBadRequest,
			want: errs.Error{Code: errs.InvalidArgument, Message: "the body ended before the length it declared"}},
		{name: "too slow", request: post + "Content-Length: 100\r\n\r\n" + `{"na`, status: http.StatusRequestTimeout,
			want: errs.Error{Code: errs.RequestTimeout, Message: "the body did not arrive within the server's read timeout: send it whole, at once"}},
		{name: "a broken chunk", request: post + "Transfer-Encoding: chunked\r\n\r\nzz\r\n", status: http.StatusBadRequest,
			want: errs.Error{Code: errs.InvalidArgument, Message: "the body could not be read whole"}},
		// Without the check, net/http answers 100 Continue and the read
		// hits the limit a mebibyte later.
		{name: "declared too large", request: post + "Content-Length: 10000000000\r\nExpect: 100-continue\r\n\r\n", status: http.StatusRequestEntityTooLarge,
			want: errs.Error{Code: errs.PayloadTooLarge, Message: "request body must be at most 1048576 bytes"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := conn.Write([]byte(tt.request)); err != nil {
				t.Fatal(err)
			}
			if tt.halfClose {
				conn.(*net.TCPConn).CloseWrite()
			}
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no answer: %v", err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			var got errs.Error
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatalf("the answer is not the error's JSON: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("answer (-want +got):\n%s", diff)
			}
			if tt.status != http.StatusRequestEntityTooLarge && !resp.Close {
				t.Errorf("the connection stays open (Connection %q): what is left of the body is unknown", resp.Header.Get("Connection"))
			}
		})
	}
}

// TestSlowBodiesHoldNoSlot: clients that send their bodies slowly take
// none of the slots requests run in: with as many of them waiting as there
// are slots, other requests are answered, a further body is turned away
// (bodies being read have a limit of their own), and each slow one still
// gets its own answer when its body comes. It answered 503 "at capacity"
// to every route until the slow bodies timed out.
func TestSlowBodiesHoldNoSlot(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const slots = 2
	srv := httptest.NewServer(build.WebAPI(build.Config{Build: "test", Log: logger.Discard(), DB: e.db.DB, Auth: e.auth,
		ActiveKID: kid, TokenTTL: tokenTTL, MaxInFlight: slots}))
	t.Cleanup(srv.Close)

	body := `{"name":"Slow lamp","cost":1,"quantity":1}`
	var slow []net.Conn
	for range slots {
		slow = append(slow, startSlowly(t, srv, "/v1/products", e.tokens["user1"], body))
	}
	// Let the server take them all up and start reading their bodies.
	time.Sleep(200 * time.Millisecond)

	for _, path := range []string{"/v1/liveness", "/v1/products"} {
		if got := status(t, srv, http.MethodGet, path, e.tokens["user2"], ""); got != http.StatusOK {
			t.Errorf("GET %s beside %d slow bodies: status %d, want 200", path, len(slow), got)
		}
	}
	if got := status(t, srv, http.MethodPost, "/v1/products", e.tokens["user2"], body); got != http.StatusServiceUnavailable {
		t.Errorf("a body beside %d slow ones: status %d, want 503 (as many bodies read at once as there are slots)", len(slow), got)
	}

	for i, conn := range slow {
		if got := finish(t, conn, body[10:]); got != http.StatusCreated {
			t.Errorf("slow body %d: status %d, want 201", i, got)
		}
	}
}

// TestNoBodyReadWithoutAToken: a request without a token is answered 401
// before a byte of its body is asked for: no 100 Continue, so no one
// without an account makes the service hold a body.
func TestNoBodyReadWithoutAToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := httptest.NewServer(e.h)
	t.Cleanup(srv.Close)

	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	req := "POST /v1/products HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\nExpect: 100-continue\r\n\r\n"
	if _, err := conn.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("status %d, want 401 before the body (100 Continue asks for it)", resp.StatusCode)
	}
}

// TestSlowSignupsHoldOnlySignups: anyone may send signup's body, so slow
// ones are read from a pool of their own: they turn away further signups,
// not the bodies of callers with a token, nor requests without a body.
func TestSlowSignupsHoldOnlySignups(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const slots = 2 // a public pool of 1
	srv := httptest.NewServer(build.WebAPI(build.Config{Build: "test", Log: logger.Discard(), DB: e.db.DB, Auth: e.auth,
		ActiveKID: kid, TokenTTL: tokenTTL, MaxInFlight: slots, Signup: true}))
	t.Cleanup(srv.Close)

	signup := `{"name":"Slow","email":"slow@example.com","password":"slow-secret","passwordConfirm":"slow-secret"}`
	// As many slow signups as the callers' pool has places: the first
	// holds the public pool, the rest are turned away at once.
	var conns []net.Conn
	for range slots {
		conns = append(conns, startSlowly(t, srv, "/v1/users/signup", "", signup))
		time.Sleep(100 * time.Millisecond)
	}

	for _, tt := range []struct {
		name                string
		method, path, token string
		body                string
		want                int
	}{
		{"another signup", http.MethodPost, "/v1/users/signup", "", strings.Replace(signup, "slow@", "other@", 1), http.StatusServiceUnavailable},
		{"a body with a token", http.MethodPost, "/v1/products", e.tokens["user1"], `{"name":"Lamp","cost":1,"quantity":1}`, http.StatusCreated},
		{"no body", http.MethodDelete, "/v1/products/" + uuid.NewString(), e.tokens["user1"], "", http.StatusNotFound},
	} {
		if got := status(t, srv, tt.method, tt.path, tt.token, tt.body); got != tt.want {
			t.Errorf("%s beside a slow signup: status %d, want %d", tt.name, got, tt.want)
		}
	}
	if got := finish(t, conns[0], signup[10:]); got != http.StatusAccepted {
		t.Errorf("the slow signup: status %d, want 202", got)
	}
}

// startSlowly sends a POST of body to path on srv, with token when one is
// given, but only the body's first ten bytes: the server waits for the
// rest, which finish sends.
func startSlowly(t *testing.T, srv *httptest.Server, path, token, body string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	head := "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
	if token != "" {
		head += "Authorization: Bearer " + token + "\r\n"
	}
	head += "Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
	if _, err := conn.Write([]byte(head + body[:10])); err != nil {
		t.Fatal(err)
	}
	return conn
}

// finish sends rest, what is left of a body startSlowly began, on conn
// and returns its answer's status.
func finish(t *testing.T, conn net.Conn, rest string) int {
	t.Helper()
	if _, err := conn.Write([]byte(rest)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// status sends a request to srv, with token when one is given, and
// returns its answer's status.
func status(t *testing.T, srv *httptest.Server, method, path, token, body string) int {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestOneCallerHoldsFewBodies: one account's slow bodies take four of the
// places bodies are read in, not all of them: its fifth is turned away at
// once (429, its own doing), another caller's body is read, and once its
// bodies are answered the caller sends again. One token's slow bodies
// made every write of every user a 503, the admin's included.
func TestOneCallerHoldsFewBodies(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := httptest.NewServer(build.WebAPI(build.Config{Build: "test", Log: logger.Discard(), DB: e.db.DB, Auth: e.auth,
		ActiveKID: kid, TokenTTL: tokenTTL, MaxInFlight: 6}))
	t.Cleanup(srv.Close)

	body := `{"name":"Slow lamp","cost":1,"quantity":1}`
	var slow []net.Conn
	for range 4 {
		slow = append(slow, startSlowly(t, srv, "/v1/products", e.tokens["user1"], body))
	}
	time.Sleep(200 * time.Millisecond)
	if got := status(t, srv, http.MethodPost, "/v1/products", e.tokens["user1"], body); got != http.StatusTooManyRequests {
		t.Errorf("the same caller's fifth body: status %d, want 429", got)
	}
	if got := status(t, srv, http.MethodPost, "/v1/products", e.tokens["user2"], body); got != http.StatusCreated {
		t.Errorf("another caller's body: status %d, want 201", got)
	}
	for i, conn := range slow {
		if got := finish(t, conn, body[10:]); got != http.StatusCreated {
			t.Errorf("slow body %d: status %d, want 201", i, got)
		}
	}
	if got := status(t, srv, http.MethodPost, "/v1/products", e.tokens["user1"], body); got != http.StatusCreated {
		t.Errorf("the caller's body once the others were answered: status %d, want 201", got)
	}
}

// TestBodyBytesAreBounded: what bodies hold at once is bounded in bytes
// received: while one nearly whole mebibyte waits for its end, a second
// large body finds no room (503), a small one does, and once the first is
// answered the large one is read. Bounded by count alone, 500 such bodies
// held over a gigabyte, four times the pod's memory.
func TestBodyBytesAreBounded(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := httptest.NewServer(build.WebAPI(build.Config{Build: "test", Log: logger.Discard(), DB: e.db.DB, Auth: e.auth,
		ActiveKID: kid, TokenTTL: tokenTTL, MaxInFlight: 10, BodyMemory: 1}))
	t.Cleanup(srv.Close)

	// A body of 1,000,000 bytes: the name is too long, which the handler
	// says once it has the body; 999,990 of it sent.
	huge := `{"name":"` + strings.Repeat("x", 1_000_000-len(`{"name":"","cost":1,"quantity":1}`)) + `","cost":1,"quantity":1}`
	conn := startSlowly(t, srv, "/v1/products", e.tokens["user1"], huge)
	if _, err := conn.Write([]byte(huge[10 : len(huge)-10])); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)

	large := `{"name":"` + strings.Repeat("y", 100_000) + `","cost":1,"quantity":1}`
	if got := status(t, srv, http.MethodPost, "/v1/products", e.tokens["user2"], large); got != http.StatusServiceUnavailable {
		t.Errorf("a large body beside the held one: status %d, want 503", got)
	}
	if got := status(t, srv, http.MethodPost, "/v1/products", e.tokens["user2"], `{"name":"Lamp","cost":1,"quantity":1}`); got != http.StatusCreated {
		t.Errorf("a small body beside the held one: status %d, want 201", got)
	}
	if got := finish(t, conn, huge[len(huge)-10:]); got != http.StatusBadRequest {
		t.Errorf("the held body: status %d, want 400 (its name is too long)", got)
	}
	if got := status(t, srv, http.MethodPost, "/v1/products", e.tokens["user2"], large); got != http.StatusBadRequest {
		t.Errorf("the large body once the first was answered: status %d, want 400 (read, its name too long)", got)
	}
}

// TestSmallBodiesPassFullBytes: with the bytes bodies may hold all taken
// by two large bodies held stalled, a large body is turned away (503) but
// a small one is read from its own reserve and answered. Without the
// reserve a few accounts holding large bodies turned away every write.
func TestSmallBodiesPassFullBytes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := httptest.NewServer(build.WebAPI(build.Config{Build: "test", Log: logger.Discard(), DB: e.db.DB, Auth: e.auth,
		ActiveKID: kid, TokenTTL: tokenTTL, MaxInFlight: 10, BodyMemory: 1}))
	t.Cleanup(srv.Close)

	// BodyMemory 1 leaves the least the bytes may be, a body's most and
	// one; the two held bodies count all of it, each past its reserve, but
	// for room enough to send the first's last bytes, not a large body.
	budget := int64(web.MaxBodyBytes + 1)
	huge := `{"name":"` + strings.Repeat("x", 1_000_000) + `","cost":1,"quantity":1}`
	sentA := 999_990
	sentB := int(budget) - (sentA - mid.SmallBody) + mid.SmallBody - 100
	var held []net.Conn
	for _, h := range []struct {
		token string
		sent  int
	}{{e.tokens["user1"], sentA}, {e.tokens["admin"], sentB}} {
		conn := startSlowly(t, srv, "/v1/products", h.token, huge)
		if _, err := conn.Write([]byte(huge[10:h.sent])); err != nil {
			t.Fatal(err)
		}
		held = append(held, conn)
		time.Sleep(300 * time.Millisecond)
	}

	large := `{"name":"` + strings.Repeat("y", 100_000) + `","cost":1,"quantity":1}`
	if got := status(t, srv, http.MethodPost, "/v1/products", e.tokens["user2"], large); got != http.StatusServiceUnavailable {
		t.Errorf("a large body beside the held ones: status %d, want 503", got)
	}
	if got := status(t, srv, http.MethodPost, "/v1/products", e.tokens["user2"], `{"name":"Lamp","cost":1,"quantity":1}`); got != http.StatusCreated {
		t.Errorf("a small body beside the held ones: status %d, want 201", got)
	}
	// Both held bodies were held, not refused for their bytes: read whole,
	// each is answered (their names are too long), the first first.
	for i, conn := range held {
		if got := finish(t, conn, huge[[]int{sentA, sentB}[i]:]); got != http.StatusBadRequest {
			t.Errorf("held body %d: status %d, want 400", i+1, got)
		}
	}
}
