package dbtest

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
)

// Proxy sits between clients and a Postgres server, on a loopback port of
// its own, and counts the round trips clients make: Sync (the end of an
// extended-protocol exchange) and Query messages, but not the empty
// queries pgx sends to check an idle connection. A test may black-hole it:
// every byte either way is dropped, connections stay open, as when a
// network drops packets.
type Proxy struct {
	ln         net.Listener
	target     string
	roundTrips atomic.Int64
	holed      atomic.Bool
	wg         sync.WaitGroup
	mu         sync.Mutex
	conns      []net.Conn
}

// NewProxy starts a Proxy to the server of dbURL; it stops when t ends.
func NewProxy(t testing.TB, dbURL string) *Proxy {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{ln: ln, target: u.Host}
	p.wg.Go(p.accept)
	t.Cleanup(p.close)
	return p
}

// URL returns dbURL with its server replaced by the proxy.
func (p *Proxy) URL(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return dbURL
	}
	u.Host = p.ln.Addr().String()
	return u.String()
}

// BlackHole drops every byte from now on (on), or forwards them again.
func (p *Proxy) BlackHole(on bool) { p.holed.Store(on) }

// RoundTrips returns the round trips counted since the last Reset.
func (p *Proxy) RoundTrips() int { return int(p.roundTrips.Load()) }

// Reset starts the count afresh.
func (p *Proxy) Reset() { p.roundTrips.Store(0) }

func (p *Proxy) accept() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			client.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, client, server)
		p.mu.Unlock()
		p.wg.Go(func() {
			_, _ = io.Copy(holeWriter{client, &p.holed}, server)
			client.Close()
		})
		p.wg.Go(func() {
			_ = p.count(holeWriter{server, &p.holed}, client)
			server.Close()
		})
	}
}

// count copies the client's messages to the server, counting round trips.
// The first message, the startup, has no type byte.
func (p *Proxy) count(dst io.Writer, src io.Reader) error {
	var length [4]byte
	if _, err := io.ReadFull(src, length[:]); err != nil {
		return err
	}
	body := make([]byte, int(binary.BigEndian.Uint32(length[:]))-4)
	if _, err := io.ReadFull(src, body); err != nil {
		return err
	}
	if _, err := dst.Write(append(length[:], body...)); err != nil {
		return err
	}
	var header [5]byte
	for {
		if _, err := io.ReadFull(src, header[:]); err != nil {
			return err
		}
		n := int(binary.BigEndian.Uint32(header[1:])) - 4
		if n < 0 {
			return errors.New("malformed message")
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(src, body); err != nil {
			return err
		}
		switch header[0] {
		case 'S':
			p.roundTrips.Add(1)
		case 'Q':
			if q := string(body); q != ";\x00" && q != "\x00" {
				p.roundTrips.Add(1)
			}
		}
		if _, err := dst.Write(append(header[:], body...)); err != nil {
			return err
		}
	}
}

// holeWriter writes to w, or drops what it is given while holed.
type holeWriter struct {
	w     io.Writer
	holed *atomic.Bool
}

func (h holeWriter) Write(b []byte) (int, error) {
	if h.holed.Load() {
		return len(b), nil
	}
	return h.w.Write(b)
}

func (p *Proxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}
