// Package clientaddr finds the address a request came from, for the limits
// kept per client (logins, signups). It is the connection's peer, unless
// the peer is a proxy the operator trusts: then it is the address that
// proxy reports in a header. A header from any other peer is ignored, so
// no one can claim an address by sending it.
package clientaddr

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// Resolver reads client addresses as its configuration says.
type Resolver struct {
	header  string
	trusted []netip.Prefix
}

// New returns a Resolver that believes header (X-Real-IP or
// X-Forwarded-For) only from peers within the trusted ranges (CIDRs or
// single addresses). With neither it uses the peer; one without the other
// is an error, since a header believed from anyone is worse than none.
func New(header string, trusted []string) (*Resolver, error) {
	r := Resolver{header: http.CanonicalHeaderKey(strings.TrimSpace(header))}
	for _, s := range trusted {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		p, err := parsePrefix(s)
		switch {
		case err != nil && strings.Contains(s, ","):
			// conf's help shows a list as "<string>,[string...]", but
			// it splits on semicolons.
			return nil, fmt.Errorf("trusted proxy %q: separate the addresses and CIDRs with ; not ,", s)
		case err != nil:
			return nil, fmt.Errorf("trusted proxy %q: want a CIDR such as 10.0.0.0/8 or an address", s)
		}
		r.trusted = append(r.trusted, p)
	}
	switch {
	case r.header != "" && len(r.trusted) == 0:
		return nil, errors.New("a client address header needs the trusted proxy ranges it is accepted from: set both, or neither to use the connection's peer")
	case r.header == "" && len(r.trusted) != 0:
		return nil, errors.New("trusted proxies need the header they set the client's address in (X-Real-IP or X-Forwarded-For)")
	}
	return &r, nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// Addr returns the client's address. From a trusted peer the header's
// addresses are read from the last (the one the peer added) back, past any
// further trusted proxies; the first untrusted one is the client. An
// entry may carry a port, which is dropped: proxies that append ip:port
// would otherwise make every client the proxy. A header that does not
// parse leaves the last trusted hop as the client.
func (r *Resolver) Addr(req *http.Request) netip.Addr {
	peer := peerAddr(req.RemoteAddr)
	if r == nil || r.header == "" || !r.isTrusted(peer) {
		return peer
	}
	var hops []string
	for _, v := range req.Header.Values(r.header) {
		hops = append(hops, strings.Split(v, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := hopAddr(hops[i])
		if !ok {
			break
		}
		client = a.Unmap()
		if !r.isTrusted(client) {
			break
		}
	}
	return client
}

// hopAddr reads one entry of a forwarding header: an address, maybe
// with a port (192.0.2.1:4711, [2001:db8::1]:4711) or in brackets
// ([2001:db8::1]), as proxies write them.
func hopAddr(hop string) (netip.Addr, bool) {
	hop = strings.TrimSpace(hop)
	if a, err := netip.ParseAddr(hop); err == nil {
		return a, true
	}
	if ap, err := netip.ParseAddrPort(hop); err == nil {
		return ap.Addr(), true
	}
	if inner, ok := strings.CutPrefix(hop, "["); ok {
		if inner, ok := strings.CutSuffix(inner, "]"); ok {
			if a, err := netip.ParseAddr(inner); err == nil && a.Is6() {
				return a, true
			}
		}
	}
	return netip.Addr{}, false
}

func (r *Resolver) isTrusted(a netip.Addr) bool {
	for _, p := range r.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func peerAddr(remote string) netip.Addr {
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		a, _ := netip.ParseAddr(remote)
		return a.Unmap()
	}
	return ap.Addr().Unmap()
}

// Key is the client a limit counts a request against: an IPv4 address as
// it is, an IPv6 address by its /64, the least block a subscriber is
// given, so that one subscriber's many addresses share one count.
func (r *Resolver) Key(req *http.Request) string {
	return Key(r.Addr(req))
}

// Key is the limit key of a: see Resolver.Key.
func Key(a netip.Addr) string {
	if !a.IsValid() {
		return "unknown"
	}
	if a.Is6() {
		return netip.PrefixFrom(a.WithZone(""), 64).Masked().String()
	}
	return a.String()
}
