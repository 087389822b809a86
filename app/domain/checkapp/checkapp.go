// Package checkapp answers the liveness and readiness probes.
package checkapp

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"runtime"
	"time"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/foundation/web"
	"github.com/jmoiron/sqlx"
)

// Config holds what the checks need.
type Config struct {
	Build string
	DB    *sqlx.DB
}

// Routes adds /v1/liveness and /v1/readiness to app.
func Routes(app *web.App, cfg Config) {
	h := handlers{build: cfg.Build, db: cfg.DB}
	app.HandlerFunc(http.MethodGet, "/v1/liveness", h.liveness)
	app.HandlerFunc(http.MethodGet, "/v1/readiness", h.readiness)
}

type handlers struct {
	build string
	db    *sqlx.DB
}

// Status is the body of a successful check.
type Status struct {
	Status     string `json:"status"`
	Build      string `json:"build,omitempty"`
	Host       string `json:"host,omitempty"`
	GOMAXPROCS int    `json:"GOMAXPROCS,omitempty"`
}

// Encode implements web.Encoder.
func (s Status) Encode() ([]byte, string, error) {
	data, err := json.Marshal(s)
	return data, "application/json", err
}

// readiness is 200 when the database answers within a second, else 503.
func (h handlers) readiness(ctx context.Context, r *http.Request) web.Encoder {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()

	if err := sqldb.StatusCheck(ctx, h.db); err != nil {
		return errs.Newf(errs.Unavailable, "database not ready")
	}
	return Status{Status: "ok"}
}

// liveness is 200 while the process can answer at all.
func (h handlers) liveness(ctx context.Context, r *http.Request) web.Encoder {
	host, _ := os.Hostname()
	return Status{Status: "up", Build: h.build, Host: host, GOMAXPROCS: runtime.GOMAXPROCS(0)}
}
