package sqldb_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/google/go-cmp/cmp"
)

// TestSessionSettings: a connection of the pool runs with the timeouts
// Config asked for (the defaults for zero values) in effect in Postgres
// itself, so the server gives up on a stuck client's work even when the
// API is gone.
func TestSessionSettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  sqldb.Config
		want map[string]string // SHOW name -> value, as Postgres prints it
	}{
		{
			name: "zero values take the defaults",
			want: map[string]string{
				"statement_timeout":                   "5s",
				"lock_timeout":                        "2s",
				"idle_in_transaction_session_timeout": "15s",
			},
		},
		{
			name: "set values",
			cfg: sqldb.Config{
				StatementTimeout: 1500 * time.Millisecond,
				LockTimeout:      250 * time.Millisecond,
				IdleInTxTimeout:  time.Minute,
				ApplicationName:  "sqldb-test",
			},
			want: map[string]string{
				"statement_timeout":                   "1500ms",
				"lock_timeout":                        "250ms",
				"idle_in_transaction_session_timeout": "1min",
				"application_name":                    "sqldb-test",
			},
		},
	}
	dbURL := dbtest.New(t, t.Name()).URL
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := withServer(t, tt.cfg, dbURL)
			db, err := sqldb.Open(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			conn, err := db.Connx(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()

			got := make(map[string]string)
			for name := range tt.want {
				var v string
				if err := conn.GetContext(ctx, &v, "SHOW "+name); err != nil {
					t.Fatalf("SHOW %s: %v", name, err)
				}
				got[name] = v
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("session settings (-want +got):\n%s", diff)
			}
		})
	}
}

// withServer returns cfg pointed at the database of dbURL.
func withServer(t *testing.T, cfg sqldb.Config, dbURL string) sqldb.Config {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.User = u.User.Username()
	cfg.Password, _ = u.User.Password()
	cfg.Host = u.Host
	cfg.Name = strings.TrimPrefix(u.Path, "/")
	cfg.TLSMode = u.Query().Get("sslmode")
	cfg.TLSRootCert = u.Query().Get("sslrootcert")
	return cfg
}
