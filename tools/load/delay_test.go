package main

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"
)

// TestDelayProxy: bytes cross the proxy intact and in order, each way at
// least d later than sent.
func TestDelayProxy(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // an echo server
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()

	const d = 20 * time.Millisecond
	p, err := newDelayProxy(ln.Addr().String(), d)
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	c, err := net.Dial("tcp", p.addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	for i := range 3 {
		msg := bytes.Repeat([]byte{byte('a' + i)}, 100_000) // many chunks
		start := time.Now()
		go c.Write(msg)
		got := make([]byte, len(msg))
		if _, err := io.ReadFull(c, got); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took < 2*d {
			t.Errorf("round trip %d took %s, want at least %s", i, took, 2*d)
		}
		if !bytes.Equal(got, msg) {
			t.Fatalf("round trip %d: the bytes changed", i)
		}
	}
}
