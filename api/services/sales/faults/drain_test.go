package faults

import (
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestShutdownDrains: on SIGTERM readiness turns 503 on both ports at
// once, the API goes on serving through the drain delay, then stops
// accepting, finishes what is in flight and exits 0. Clients hammering it
// throughout see answers, and after the listener closes a refused
// connection, never a request cut off.
func TestShutdownDrains(t *testing.T) {
	const delay = 2 * time.Second
	s := newStack(t, "SALES_WEB_SHUTDOWN_DELAY="+delay.String())
	token := s.token("user@example.com")

	var (
		mu      sync.Mutex
		answers []answer
		stop    atomic.Bool
		wg      sync.WaitGroup
	)
	for range 4 {
		wg.Go(func() {
			for !stop.Load() {
				a := s.do(http.MethodGet, "/v1/products?rows=5", token, nil, nil)
				mu.Lock()
				answers = append(answers, a)
				mu.Unlock()
				if a.Err != nil {
					time.Sleep(10 * time.Millisecond)
				}
			}
		})
	}

	time.Sleep(500 * time.Millisecond)
	signalled := time.Now()
	s.signal(syscall.SIGTERM)

	// Readiness fails at once, on both ports, while the API still serves.
	var apiReady, debugReady answer
	deadline := time.Now().Add(delay / 2)
	for time.Now().Before(deadline) {
		apiReady = s.do(http.MethodGet, s.api+"/v1/readiness", "", nil, nil)
		debugReady = s.do(http.MethodGet, s.debug+"/debug/readiness", "", nil, nil)
		if apiReady.Status == http.StatusServiceUnavailable && debugReady.Status == http.StatusServiceUnavailable {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if apiReady.Status != http.StatusServiceUnavailable || debugReady.Status != http.StatusServiceUnavailable {
		t.Errorf("readiness during the drain: API %v, debug %v; want 503 on both", apiReady, debugReady)
	}

	var exitErr error
	select {
	case exitErr = <-s.exit:
	case <-time.After(30 * time.Second):
		t.Fatal("sales-api still running 30s after SIGTERM")
	}
	exited := time.Since(signalled)
	stop.Store(true)
	wg.Wait()

	if exitErr != nil {
		t.Errorf("exit after SIGTERM: %v; want status 0", exitErr)
	}
	if exited < delay {
		t.Errorf("exited %s after SIGTERM, before the %s drain delay ended", exited, delay)
	}

	// The listener closed when the first connection was refused.
	var closedAt time.Time
	for _, a := range answers {
		if a.Err != nil && (errors.Is(a.Err, syscall.ECONNREFUSED) || connectReset(a.Err)) && (closedAt.IsZero() || a.Start.Before(closedAt)) {
			closedAt = a.Start
		}
	}

	var servedInDelay, refused, resetAtClose int
	for _, a := range answers {
		switch {
		case a.Err == nil && a.Status == http.StatusOK:
			if a.Start.After(signalled) {
				servedInDelay++
			}
		case a.Err != nil && errors.Is(a.Err, syscall.ECONNREFUSED),
			connectReset(a.Err):
			// The listener had closed (or was closing as the handshake
			// came): the request was never sent, and the load balancer
			// routes it elsewhere.
			refused++
		case errors.Is(a.Err, syscall.ECONNRESET) && !closedAt.IsZero() &&
			a.Start.After(closedAt.Add(-20*time.Millisecond)) && a.Start.Before(closedAt.Add(20*time.Millisecond)):
			// A handshake half done when the listener stopped: the
			// client had its SYN-ACK, the server had not yet queued the
			// connection, so no process read the request. The kernel
			// resets it, and the client may send it again. The accept
			// queue's length is all Linux shows of a listener, not its
			// half-open handshakes, so this one instant is left.
			resetAtClose++
		default:
			t.Errorf("a request sent %s after SIGTERM: %v; want 200 or a refused connection",
				a.Start.Sub(signalled).Round(time.Millisecond), a)
		}
	}
	if servedInDelay == 0 {
		t.Error("no request was served after SIGTERM: the drain delay did not serve")
	}
	if resetAtClose > 4 {
		t.Errorf("%d connections reset as the listener closed; want at most the few handshakes of that instant", resetAtClose)
	}
	t.Logf("%d answers, %d served after SIGTERM, %d refused after the listener closed, %d reset at the close",
		len(answers), servedInDelay, refused, resetAtClose)
}

// connectReset reports whether err is a connection reset while dialling:
// the port stopped listening during the handshake, so, as with a refused
// connection, no request was sent.
func connectReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial" && errors.Is(err, syscall.ECONNRESET)
}
