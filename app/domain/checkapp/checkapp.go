// Package checkapp answers the liveness and readiness probes.
package checkapp

import (
	"context"
	"errors"
	"net/http"
	"os"
	"runtime"
	"time"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/route"
)

// Config holds what the checks need.
type Config struct {
	Build string
	// Ready is nil when the API can serve (see Ready).
	Ready func(context.Context) error
}

// Ready returns the readiness check the API answers on both its ports:
// nil while the process is not shutting down (draining may be nil) and
// ping (the database) answers within a second.
func Ready(ping func(context.Context) error, draining func() bool) func(context.Context) error {
	return func(ctx context.Context) error {
		if draining != nil && draining() {
			return errors.New("shutting down")
		}
		ctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		if err := ping(ctx); err != nil {
			return errors.New("database not ready")
		}
		return nil
	}
}

// Routes adds /v1/liveness and /v1/readiness.
func Routes(t *route.Table, cfg Config) {
	t = t.Group("checks", "Liveness and readiness, for load balancers and orchestrators. No token needed.")
	h := handlers{build: cfg.Build, ready: cfg.Ready}
	t.Add(route.Def{Method: http.MethodGet, Path: "/v1/liveness", Handler: h.liveness,
		Summary: "Is the process alive", Response: Status{}})
	t.Add(route.Def{Method: http.MethodGet, Path: "/v1/readiness", Handler: h.readiness,
		Summary: "Is the API ready to serve", Description: "503 while the database does not answer or the process is shutting down.",
		Response: Status{}})
}

type handlers struct {
	build string
	ready func(context.Context) error
}

// Status is the body of a successful check.
type Status struct {
	Status     string `json:"status"`
	Build      string `json:"build,omitempty"`
	Host       string `json:"host,omitempty"`
	GOMAXPROCS int    `json:"GOMAXPROCS,omitempty"`
}

// readiness is 200 when the database answers within a second and the
// process is not shutting down, else 503.
func (h handlers) readiness(ctx context.Context, r *http.Request) (any, error) {
	if err := h.ready(ctx); err != nil {
		return nil, errs.NewUnavailable(err.Error())
	}
	return Status{Status: "ok"}, nil
}

// liveness is 200 while the process can answer at all.
func (h handlers) liveness(ctx context.Context, r *http.Request) (any, error) {
	host, _ := os.Hostname()
	return Status{Status: "up", Build: h.build, Host: host, GOMAXPROCS: runtime.GOMAXPROCS(0)}, nil
}
