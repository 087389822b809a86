// Package debug is the mux of the debug port: pprof, expvar and the API's
// liveness and readiness answers, for probes that skip its middleware.
package debug

import (
	"context"
	"encoding/json"
	"expvar"
	"net/http"
	"net/http/pprof"
	"strconv"
	"time"

	"github.com/garagesale/service/app/sdk/errs"
)

// StandardMux returns a mux with pprof, expvar (/debug/vars) and a
// liveness answer: the debug port of any of the kit's processes.
func StandardMux(build string) *http.ServeMux {
	mux := http.NewServeMux()

	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.Handle("/debug/vars", expvar.Handler())

	mux.HandleFunc("GET /debug/liveness", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "up", "build": build})
	})
	return mux
}

// Mux returns the sales-api's debug mux: StandardMux plus a readiness
// answer, the same as the API's (ready: nil when the process can serve).
func Mux(build string, ready func(context.Context) error) *http.ServeMux {
	mux := StandardMux(build)

	mux.HandleFunc("GET /debug/readiness", func(w http.ResponseWriter, r *http.Request) {
		if err := ready(r.Context()); err != nil {
			w.Header().Set("Retry-After", strconv.Itoa(int(errs.RetryAfterUnavailable/time.Second)))
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})

	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// The client may be gone; there is no one left to tell.
	_ = json.NewEncoder(w).Encode(v)
}
