// Command metrics is the sales-api's sidecar: it collects the API's expvar
// variables on an interval and serves them as Prometheus metrics, so the
// API itself needs no Prometheus code.
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/ardanlabs/conf/v3"
	"github.com/garagesale/service/api/services/metrics/collector"
	"github.com/garagesale/service/api/services/metrics/publisher"
	"github.com/garagesale/service/app/sdk/debug"
	"github.com/garagesale/service/foundation/buildinfo"
	"github.com/garagesale/service/foundation/logger"
	"github.com/garagesale/service/foundation/settings"
	"github.com/garagesale/service/foundation/web"
)

// version, commit and date are stamped at link time (see buildinfo.New).
var (
	version = "develop"
	commit  string
	date    string
)

func main() {
	log := logger.New(os.Stdout, logger.LevelInfo, "metrics", nil)

	ctx := context.Background()
	if err := run(ctx, log); err != nil && !settings.Answered(err) {
		log.Error(ctx, "startup", "error", err)
		os.Exit(1)
	}
}

// Config is every setting of the sidecar; env vars are METRICS_<GROUP>_<NAME>.
type Config struct {
	conf.Version
	Web struct {
		ReadTimeout     time.Duration `conf:"default:5s,help:time to read a whole request"`
		WriteTimeout    time.Duration `conf:"default:10s,help:time to write an answer"`
		IdleTimeout     time.Duration `conf:"default:120s,help:how long an idle keep-alive connection stays open"`
		ShutdownTimeout time.Duration `conf:"default:20s,help:after SIGTERM the time in-flight requests get to finish"`
		MetricsHost     string        `conf:"default:0.0.0.0:4000,help:address that serves /metrics (Prometheus) and /liveness"`
		DebugHost       string        `conf:"default:0.0.0.0:4010,help:address of the debug server (pprof and expvar)"`
	}
	Collect struct {
		From     string        `conf:"default:http://localhost:3010/debug/vars,help:expvar endpoint of the API"`
		Ready    string        `conf:"default:http://localhost:3010/debug/readiness,help:readiness endpoint of the API; empty skips it: no sales_api_ready is served"`
		Interval time.Duration `conf:"default:5s,help:how often the API is read"`
		Timeout  time.Duration `conf:"default:2s,help:time a read of the API may take"`
	}
}

func run(ctx context.Context, log *logger.Logger) error {
	stamp := buildinfo.New(version, commit, date)
	cfg := Config{Version: conf.Version{Build: stamp.String(), Desc: "Prometheus sidecar of the sales-api"}}

	cfgAttr, err := settings.Parse("METRICS", &cfg)
	if err != nil {
		return err
	}
	if cfg.Collect.Interval <= 0 {
		return fmt.Errorf("collect interval %v must be positive", cfg.Collect.Interval)
	}

	log.Info(ctx, "starting service", "version", stamp.Version, "commit", stamp.Commit, "built", stamp.Date, "GOMAXPROCS", runtime.GOMAXPROCS(0))
	defer log.Info(ctx, "shutdown complete")
	log.Info(ctx, "startup", cfgAttr)

	col := collector.New(collector.Config{
		VarsURL:  cfg.Collect.From,
		ReadyURL: cfg.Collect.Ready,
		Timeout:  cfg.Collect.Timeout,
	})
	pub := publisher.New(publisher.Config{Readiness: cfg.Collect.Ready != ""})

	collectCtx, stopCollect := context.WithCancel(ctx)
	var collecting sync.WaitGroup
	collecting.Go(func() { collectLoop(collectCtx, log, col, pub, cfg.Collect.Interval) })
	defer func() {
		stopCollect()
		collecting.Wait()
	}()

	debugSrv := &http.Server{
		Addr:              cfg.Web.DebugHost,
		Handler:           debug.StandardMux(stamp.String()),
		ReadHeaderTimeout: cfg.Web.ReadTimeout,
	}
	if err := web.Start(ctx, debugSrv, "debug", log.Info); err != nil {
		return err
	}
	defer debugSrv.Close()

	srv := &http.Server{
		Addr:         cfg.Web.MetricsHost,
		Handler:      routes(pub, stamp.String()),
		ReadTimeout:  cfg.Web.ReadTimeout,
		WriteTimeout: cfg.Web.WriteTimeout,
		IdleTimeout:  cfg.Web.IdleTimeout,
		ErrorLog:     logger.NewStdLogger(log, logger.LevelError),
	}
	return web.Run(ctx, srv, web.Shutdown{Timeout: cfg.Web.ShutdownTimeout}, log.Info)
}

// routes is the sidecar's public mux.
func routes(pub *publisher.Publisher, build string) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", pub.Handler())
	mux.HandleFunc("GET /liveness", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, "{\"status\":\"up\",\"build\":%q}\n", build)
	})
	return mux
}

// startupRetry is how often the sidecar tries again until its first
// successful collect: started beside the API, it would otherwise serve no
// sales_api_* figures for a whole interval after the API comes up.
const startupRetry = 250 * time.Millisecond

// collectLoop collects at once and then every interval until ctx ends,
// sooner while it has never reached the API. It logs when the API goes and
// comes back, not every failed attempt, so a stopped API floods no log.
func collectLoop(ctx context.Context, log *logger.Logger, col *collector.Collector, pub *publisher.Publisher, interval time.Duration) {
	timer := time.NewTimer(interval)
	defer timer.Stop()

	up, reached := true, false
	for {
		snap, err := col.Collect(ctx)
		if ctx.Err() != nil {
			return
		}
		pub.Update(snap, err)
		switch {
		case err != nil && up && !reached:
			// Started beside the API, the sidecar often comes up first.
			log.Info(ctx, "collect", "status", "waiting for the api", "error", err)
		case err != nil && up:
			log.Warn(ctx, "collect", "status", "api unreachable; serving last values", "error", err)
		case err == nil && !up && !reached:
			log.Info(ctx, "collect", "status", "api reached")
		case err == nil && !up:
			log.Info(ctx, "collect", "status", "api reachable again")
		}
		up = err == nil
		reached = reached || up

		wait := interval
		if !reached {
			wait = min(interval, startupRetry)
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
	}
}
