package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/garagesale/service/api/services/metrics/collector"
	"github.com/garagesale/service/api/services/metrics/publisher"
	"github.com/garagesale/service/foundation/logger"
)

// TestCollectLoopReachesALateAPI: a sidecar started before the API has its
// figures soon after the API answers, not a whole interval later, and then
// keeps to its interval.
func TestCollectLoopReachesALateAPI(t *testing.T) {
	var calls atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, `{"requests":7}`)
	}))
	defer api.Close()

	col := collector.New(collector.Config{VarsURL: api.URL})
	pub := publisher.New(publisher.Config{})
	log := logger.New(io.Discard, logger.LevelError, "metrics", nil)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		collectLoop(ctx, log, col, pub, time.Hour)
	}()
	defer func() {
		cancel()
		<-done
	}()

	deadline := time.Now().Add(10 * time.Second)
	for calls.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("the loop asked the API %d times in 10s; want a retry after each failure until it answers", calls.Load())
		}
		time.Sleep(20 * time.Millisecond)
	}

	time.Sleep(4 * startupRetry)
	if got := calls.Load(); got != 3 {
		t.Errorf("after the API answered the loop asked %d times; want 3 (then once an interval)", got)
	}
}
