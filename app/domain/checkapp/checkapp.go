// Package checkapp answers the liveness and readiness probes.
package checkapp

import (
	"context"
	"net/http"
	"os"
	"runtime"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/route"
	"github.com/garagesale/service/business/sdk/sqldb"
)

// Config holds what the checks need. Draining may be nil.
type Config struct {
	Build string
	// Ping checks that the database answers.
	Ping func(context.Context) error
	// Draining reports that the process is shutting down.
	Draining func() bool
}

// Routes adds /v1/liveness and /v1/readiness.
func Routes(t *route.Table, cfg Config) {
	t = t.Group("checks", "Liveness and readiness, for load balancers and orchestrators. No token needed.")
	h := handlers{build: cfg.Build, ping: cfg.Ping, draining: cfg.Draining}
	t.Add(route.Route{Method: http.MethodGet, Path: "/v1/liveness", Handler: h.liveness,
		Summary: "Is the process alive", Response: Status{}})
	t.Add(route.Route{Method: http.MethodGet, Path: "/v1/readiness", Handler: h.readiness,
		Summary: "Is the API ready to serve", Description: "503 while the database does not answer or the process is shutting down.",
		Response: Status{}})
}

type handlers struct {
	build    string
	ping     func(context.Context) error
	draining func() bool
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
func (h handlers) readiness(ctx context.Context, r *http.Request) any {
	if err := sqldb.Ready(ctx, h.ping, h.draining); err != nil {
		return errs.NewUnavailable(err.Error())
	}
	return Status{Status: "ok"}
}

// liveness is 200 while the process can answer at all.
func (h handlers) liveness(ctx context.Context, r *http.Request) any {
	host, _ := os.Hostname()
	return Status{Status: "up", Build: h.build, Host: host, GOMAXPROCS: runtime.GOMAXPROCS(0)}
}
