package clientaddr_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/garagesale/service/app/sdk/clientaddr"
	"github.com/google/go-cmp/cmp"
)

func TestKey(t *testing.T) {
	proxied, err := clientaddr.New("X-Forwarded-For", []string{"10.0.0.0/8", "fd00:1::/64", "192.168.1.1"})
	if err != nil {
		t.Fatal(err)
	}
	direct, err := clientaddr.New("", nil)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		r      *clientaddr.Resolver
		peer   string
		header []string
		want   string
	}{
		{"no header configured: the peer", direct, "203.0.113.7:5000", []string{"198.51.100.1"}, "203.0.113.7"},
		{"untrusted peer: header ignored", proxied, "203.0.113.7:5000", []string{"198.51.100.1"}, "203.0.113.7"},
		{"trusted peer: the header", proxied, "10.1.2.3:5000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"trusted single address", proxied, "192.168.1.1:5000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"a claim before the proxy's hop is not believed", proxied, "10.1.2.3:5000", []string{"1.2.3.4, 198.51.100.1"}, "198.51.100.1"},
		{"past a chain of trusted proxies", proxied, "10.1.2.3:5000", []string{"198.51.100.1, 10.9.9.9", "10.0.0.5"}, "198.51.100.1"},
		{"garbage leaves the proxy", proxied, "10.1.2.3:5000", []string{"not-an-ip"}, "10.1.2.3"},
		// Some proxies append the client's port: each client must stay
		// its own, not become the proxy.
		{"an address with its port", proxied, "10.1.2.3:5000", []string{"198.51.100.1:1111"}, "198.51.100.1"},
		{"another with its port", proxied, "10.1.2.3:5000", []string{"198.51.100.2:2222"}, "198.51.100.2"},
		{"IPv6 in brackets", proxied, "10.1.2.3:5000", []string{"[2001:db8::1]"}, "2001:db8::/64"},
		{"IPv6 in brackets with its port", proxied, "10.1.2.3:5000", []string{"[2001:db8:1::2]:4711"}, "2001:db8:1::/64"},
		{"a trusted hop with its port is passed", proxied, "10.1.2.3:5000", []string{"198.51.100.1, 10.9.9.9:80"}, "198.51.100.1"},
		{"IPv4 in brackets is garbage", proxied, "10.1.2.3:5000", []string{"[198.51.100.1]"}, "10.1.2.3"},
		{"no header from a trusted peer: the peer", proxied, "10.1.2.3:5000", nil, "10.1.2.3"},
		{"IPv6 by its /64", direct, "[2001:db8:1:2:3:4:5:6]:5000", nil, "2001:db8:1:2::/64"},
		{"another address in that /64", direct, "[2001:db8:1:2:ffff::1]:5000", nil, "2001:db8:1:2::/64"},
		{"IPv6 client through a proxy", proxied, "[fd00:1::5]:5000", []string{"fd00::3c"}, "fd00::/64"},
		{"IPv4-mapped is IPv4", direct, "[::ffff:203.0.113.7]:5000", nil, "203.0.113.7"},
		{"zoned link-local", direct, "[fe80::1%eth0]:5000", nil, "fe80::/64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, "/", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.RemoteAddr = tt.peer
			for _, v := range tt.header {
				req.Header.Add("X-Forwarded-For", v)
			}
			if diff := cmp.Diff(tt.want, tt.r.Key(req)); diff != "" {
				t.Errorf("key (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewRefusesHalfAConfiguration(t *testing.T) {
	tests := []struct {
		name    string
		header  string
		trusted []string
		wantErr string // what the error says; empty for none
	}{
		{"neither", "", nil, ""},
		{"both", "X-Real-IP", []string{"10.0.0.0/8"}, ""},
		{"a header believed from anyone", "X-Real-IP", nil, "needs the trusted proxy ranges"},
		{"proxies without a header", "", []string{"10.0.0.0/8"}, "need the header"},
		{"a range that is not one", "X-Real-IP", []string{"10.0.0.0/99"}, "want a CIDR"},
		// The settings' help shows a list with commas; it takes semicolons.
		{"a list with commas", "X-Real-IP", []string{"10.0.0.0/8,192.168.0.0/16"}, "with ; not ,"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := clientaddr.New(tt.header, tt.trusted)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error %v, want one saying %q", err, tt.wantErr)
			}
		})
	}
}
