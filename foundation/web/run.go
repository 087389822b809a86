package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"
)

// Shutdown says how Run stops a server after SIGINT or SIGTERM.
type Shutdown struct {
	// Draining, when set, is called as the signal arrives, so readiness
	// checks fail from then on.
	Draining func()
	// Delay is how long the server goes on serving after the signal, with
	// keep-alives off, before it closes its listener: time for load
	// balancers, seeing readiness fail, to stop sending it requests. A
	// second signal cuts it short.
	Delay time.Duration
	// Timeout bounds the wait for in-flight requests once the listener is
	// closed; what is still open after it is closed hard.
	Timeout time.Duration
}

// Run listens on srv.Addr, logs "listening" once bound, and serves until the
// server fails or the process gets SIGINT or SIGTERM; then it drains as sd
// says, stops accepting, answers every request that reached it and returns nil.
func Run(ctx context.Context, srv *http.Server, sd Shutdown, log Logger) error {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	// Once Run returns the process is on its way out: closing its database,
	// writing the log lines it holds. A signal then (Ctrl-C and a script's
	// TERM arrive together) must not kill it before it writes them, as
	// the signals' default action would: they are ignored from then on.
	// What comes after Run bounds its own waits.
	defer signal.Ignore(syscall.SIGINT, syscall.SIGTERM)

	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", srv.Addr, err)
	}
	log(ctx, "startup", "status", "listening", "host", ln.Addr().String())

	conns := trackConns(srv)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		return fmt.Errorf("serve %s: %w", srv.Addr, err)
	case sig := <-sigs:
		log(ctx, "shutdown", "status", "draining", "signal", sig.String(), "host", srv.Addr, "delay", sd.Delay.String())
	}

	if sd.Draining != nil {
		sd.Draining()
	}
	// Every answer from now on tells its client to reconnect, and a new
	// connection goes where the load balancer now sends it.
	srv.SetKeepAlivesEnabled(false)
	if sd.Delay > 0 {
		select {
		case <-time.After(sd.Delay):
		case sig := <-sigs:
			log(ctx, "shutdown", "status", "delay cut short", "signal", sig.String())
		case err := <-served:
			return fmt.Errorf("serve %s: %w", srv.Addr, err)
		}
	}

	log(ctx, "shutdown", "status", "shutdown started", "host", srv.Addr)
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sd.Timeout)
	defer cancel()

	// http.Server.Shutdown drops a connection whose request it reads after
	// shutdown began, unanswered. So the listener closes first, the
	// connections it accepted are served to the end (without keep-alives
	// each closes after its answer), and only then is the server shut.
	if err := closeBacklog(ln, time.Second); err != nil {
		log(ctx, "shutdown", "status", "listener closed with its accept queue", "error", err)
	}
	select {
	case <-served:
	case <-shutdownCtx.Done():
	}
	for conns.Load() > 0 && shutdownCtx.Err() == nil {
		time.Sleep(5 * time.Millisecond)
	}

	if err := srv.Shutdown(shutdownCtx); err != nil {
		srv.Close()
		return fmt.Errorf("stop %s gracefully: %w", srv.Addr, err)
	}
	return nil
}

// trackConns counts srv's open connections, keeping any ConnState hook it
// already has.
func trackConns(srv *http.Server) *atomic.Int64 {
	var open atomic.Int64
	next := srv.ConnState
	srv.ConnState = func(c net.Conn, st http.ConnState) {
		switch st {
		case http.StateNew:
			open.Add(1)
		case http.StateClosed, http.StateHijacked:
			open.Add(-1)
		}
		if next != nil {
			next(c, st)
		}
	}
	return &open
}

// Start binds srv.Addr and serves in the background, for a side server
// (debug) that lives as long as the program: a port that cannot be bound
// is an error now, not a log line later. Close srv to stop it.
func Start(ctx context.Context, srv *http.Server, name string, log Logger) error {
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		return fmt.Errorf("%s server: listen on %s: %w", name, srv.Addr, err)
	}
	log(ctx, "startup", "status", name+" server listening", "host", ln.Addr().String())
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log(ctx, "startup", "status", name+" server failed", "error", err)
		}
	}()
	return nil
}
