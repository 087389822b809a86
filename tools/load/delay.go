package main

import (
	"bytes"
	"net"
	"sync"
	"time"
)

// delayProxy forwards TCP connections from a loopback port of its own to
// target, delivering every chunk read either way d after it arrived, as a
// network between hosts would (--db-latency). Chunks are not held back by
// one another, so it delays without throttling.
type delayProxy struct {
	ln     net.Listener
	target string
	d      time.Duration
	wg     sync.WaitGroup
}

func newDelayProxy(target string, d time.Duration) (*delayProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	l := &delayProxy{ln: ln, target: target, d: d}
	l.wg.Go(l.accept)
	return l, nil
}

// addr is the host:port clients connect to instead of target.
func (l *delayProxy) addr() string { return l.ln.Addr().String() }

// close stops accepting; a connection ends when either side closes it.
func (l *delayProxy) close() {
	l.ln.Close()
	l.wg.Wait()
}

func (l *delayProxy) accept() {
	for {
		client, err := l.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", l.target)
		if err != nil {
			client.Close()
			continue
		}
		go l.pipe(server, client)
		go l.pipe(client, server)
	}
}

// pipe copies from src to dst, each chunk d after it was read, and closes
// both when either side ends.
func (l *delayProxy) pipe(dst, src net.Conn) {
	type chunk struct {
		b  []byte
		at time.Time
	}
	chunks := make(chan chunk, 1024)
	go func() {
		defer close(chunks)
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				// A copy of what was read: most reads are a message or two.
				chunks <- chunk{bytes.Clone(buf[:n]), time.Now().Add(l.d)}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range chunks {
		time.Sleep(time.Until(c.at))
		if _, err := dst.Write(c.b); err != nil {
			break
		}
	}
	dst.Close()
	src.Close()
	for range chunks { // let the reader end
	}
}
