package web_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/garagesale/service/foundation/web"
)

// TestRunDrainsOnSIGTERM: a request in flight when SIGTERM arrives still
// gets its full answer, and Run returns without error.
func TestRunDrainsOnSIGTERM(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()

	inHandler := make(chan struct{})
	srv := &http.Server{
		Addr: addr,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			close(inHandler)
			time.Sleep(300 * time.Millisecond)
			io.WriteString(w, "finished")
		}),
	}

	started := make(chan struct{})
	logf := func(ctx context.Context, msg string, args ...any) {
		if msg == "startup" {
			close(started)
		}
	}
	done := make(chan error, 1)
	go func() { done <- web.Run(context.Background(), srv, 5*time.Second, logf) }()
	<-started

	type result struct {
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		var resp *http.Response
		var err error
		for range 50 { // the listener may need a moment to open
			if resp, err = http.Get("http://" + addr); err == nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- result{body: string(b), err: err}
	}()

	<-inHandler
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}

	r := <-got
	if r.err != nil || r.body != "finished" {
		t.Errorf("in-flight request: body %q, err %v; want it finished", r.body, r.err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v, want nil after a graceful stop", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after SIGTERM")
	}
}
