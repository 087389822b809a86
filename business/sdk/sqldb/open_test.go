package sqldb_test

import (
	"strings"
	"testing"

	"github.com/garagesale/service/business/sdk/sqldb"
)

// TestOpenNamesABadSetting: a connection that cannot be made of its
// settings says which setting, never the URL (it holds the password).
func TestOpenNamesABadSetting(t *testing.T) {
	for _, tt := range []struct {
		name string
		conn sqldb.Conn
		want string
	}{
		{"a TLS mode libpq does not have", sqldb.Conn{Host: "localhost", TLSMode: "bogus", Password: "s3cret"}, `TLS mode (sslmode) "bogus": want disable`},
		{"a root certificate that is not there", sqldb.Conn{Host: "localhost", TLSMode: "verify-full", TLSRootCert: "/nope.pem", Password: "s3cret"}, "TLS root certificate: stat /nope.pem: no such file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db, err := sqldb.Open(sqldb.Config{Conn: tt.conn})
			if err == nil {
				db.Close()
				t.Fatal("opened")
			}
			if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error %q, want one saying %q without the password", err, tt.want)
			}
		})
	}

	// pgx reads "system" as the operating system's trust store.
	db, err := sqldb.Open(sqldb.Config{Conn: sqldb.Conn{Host: "localhost", TLSMode: "verify-full", TLSRootCert: "system"}})
	if err != nil {
		t.Fatalf("sslrootcert=system: %v", err)
	}
	db.Close()
}
