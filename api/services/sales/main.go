// Command sales-api serves the Sales API of DESIGN.md §4, plus a debug
// server with pprof, expvar and health checks.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"time"

	"github.com/ardanlabs/conf/v3"
	"github.com/garagesale/service/api/services/sales/build"
	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/app/sdk/debug"
	"github.com/garagesale/service/app/sdk/metrics"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/foundation/keystore"
	"github.com/garagesale/service/foundation/logger"
	"github.com/garagesale/service/foundation/otel"
	"github.com/garagesale/service/foundation/web"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// version is stamped at link time: -ldflags "-X main.version=v1.2.3".
var version = "develop"

func main() {
	log := logger.New(os.Stdout, logger.LevelInfo, "sales-api", web.GetTraceID)

	ctx := context.Background()
	if err := run(ctx, log); err != nil {
		if wantedInfo(err) {
			os.Exit(0)
		}
		log.Error(ctx, "startup", "error", err)
		os.Exit(1)
	}
}

// Config is every setting of the service; env vars are SALES_<GROUP>_<NAME>.
type Config struct {
	conf.Version
	Web struct {
		ReadTimeout     time.Duration `conf:"default:5s"`
		WriteTimeout    time.Duration `conf:"default:10s"`
		IdleTimeout     time.Duration `conf:"default:120s"`
		ShutdownTimeout time.Duration `conf:"default:20s"`
		APIHost         string        `conf:"default:0.0.0.0:3000"`
		DebugHost       string        `conf:"default:0.0.0.0:3010"`
	}
	Auth struct {
		KeysFolder string        `conf:"default:zarf/keys/"`
		ActiveKID  string        `conf:"help:kid that signs new tokens; empty with one key in the folder uses that key"`
		Issuer     string        `conf:"default:garagesale"`
		TokenTTL   time.Duration `conf:"default:1h"`
	}
	DB struct {
		User         string `conf:"default:postgres"`
		Password     string `conf:"default:postgres,mask"`
		Host         string `conf:"default:localhost:5432"`
		Name         string `conf:"default:postgres"`
		MaxIdleConns int    `conf:"default:2"`
		MaxOpenConns int    `conf:"default:0"`
		DisableTLS   bool   `conf:"default:true"`
	}
	Tempo struct {
		Host        string  `conf:"default:tempo:4317,help:OTLP gRPC endpoint of Tempo; empty exports no spans"`
		ServiceName string  `conf:"default:sales-api"`
		Probability float64 `conf:"default:0.05"`
	}
}

func run(ctx context.Context, log *logger.Logger) error {
	cfg := Config{Version: conf.Version{Build: version, Desc: "Sales API of the garagesale service kit"}}

	help, err := conf.Parse("SALES", &cfg)
	if err != nil {
		if wantedInfo(err) {
			fmt.Println(help)
			return err
		}
		return fmt.Errorf("parse config: %w", err)
	}

	log.Info(ctx, "starting service", "version", version, "GOMAXPROCS", runtime.GOMAXPROCS(0))
	defer log.Info(ctx, "shutdown complete")

	out, err := conf.String(&cfg)
	if err != nil {
		return fmt.Errorf("render config: %w", err)
	}
	log.Info(ctx, "startup", "config", out)

	// -------------------------------------------------------------------------
	// Database

	db, err := sqldb.Open(sqldb.Config{
		User:         cfg.DB.User,
		Password:     cfg.DB.Password,
		Host:         cfg.DB.Host,
		Name:         cfg.DB.Name,
		MaxIdleConns: cfg.DB.MaxIdleConns,
		MaxOpenConns: cfg.DB.MaxOpenConns,
		DisableTLS:   cfg.DB.DisableTLS,
	})
	if err != nil {
		return err
	}
	defer func() {
		log.Info(ctx, "shutdown", "status", "closing database", "host", cfg.DB.Host)
		db.Close()
	}()

	// -------------------------------------------------------------------------
	// Authentication

	ks, err := keystore.LoadFolder(cfg.Auth.KeysFolder)
	if err != nil {
		return fmt.Errorf("load keys: %w", err)
	}
	activeKID, err := chooseKID(ks, cfg.Auth.ActiveKID)
	if err != nil {
		return err
	}
	log.Info(ctx, "startup", "status", "keys loaded", "kids", ks.KIDs(), "activeKID", activeKID)

	ath, err := auth.New(auth.Config{KeyLookup: ks, Issuer: cfg.Auth.Issuer})
	if err != nil {
		return fmt.Errorf("auth: %w", err)
	}

	// -------------------------------------------------------------------------
	// Tracing

	// Without a host, spans stay in-process: they still give every log
	// line and response a trace ID.
	var exporter sdktrace.SpanExporter
	if cfg.Tempo.Host != "" {
		exporter, err = otel.NewExporter(ctx, cfg.Tempo.Host)
		if err != nil {
			return fmt.Errorf("tracing: %w", err)
		}
		log.Info(ctx, "startup", "status", "exporting traces", "host", cfg.Tempo.Host, "probability", cfg.Tempo.Probability)
	}
	tp, err := otel.Init(otel.Config{
		ServiceName: cfg.Tempo.ServiceName,
		Version:     version,
		Probability: cfg.Tempo.Probability,
		Exporter:    exporter,
		OnError: func(err error) {
			log.Warn(ctx, "tracing", "error", err)
		},
	})
	if err != nil {
		return fmt.Errorf("tracing: %w", err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := tp.Shutdown(ctx); err != nil {
			log.Error(ctx, "shutdown", "status", "tracing", "error", err)
		}
	}()

	// -------------------------------------------------------------------------
	// Metrics

	mtr := metrics.New()
	if err := mtr.Publish(version, db.Stats); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}

	// -------------------------------------------------------------------------
	// Servers

	debugSrv := &http.Server{
		Addr:              cfg.Web.DebugHost,
		Handler:           debug.Mux(version, db),
		ReadHeaderTimeout: cfg.Web.ReadTimeout,
	}
	go func() {
		log.Info(ctx, "startup", "status", "debug server started", "host", cfg.Web.DebugHost)
		if err := debugSrv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error(ctx, "debug server", "error", err)
		}
	}()
	defer debugSrv.Close()

	api := &http.Server{
		Addr: cfg.Web.APIHost,
		Handler: build.WebAPI(build.Config{
			Build:     version,
			Log:       log,
			DB:        db,
			Auth:      ath,
			ActiveKID: activeKID,
			Tracer:    tp.Tracer("sales-api"),
			TokenTTL:  cfg.Auth.TokenTTL,
			Metrics:   mtr,
		}),
		ReadTimeout:  cfg.Web.ReadTimeout,
		WriteTimeout: cfg.Web.WriteTimeout,
		IdleTimeout:  cfg.Web.IdleTimeout,
		ErrorLog:     logger.NewStdLogger(log, logger.LevelError),
	}

	return web.Run(ctx, api, cfg.Web.ShutdownTimeout, log.Info)
}

// chooseKID returns the key that signs new tokens: the configured one,
// which must be in the store, or the only key there is.
func chooseKID(ks *keystore.KeyStore, want string) (string, error) {
	kids := ks.KIDs()
	if want != "" {
		if _, err := ks.PrivateKey(want); err != nil {
			return "", fmt.Errorf("active kid: %w", err)
		}
		return want, nil
	}
	switch len(kids) {
	case 0:
		return "", errors.New("no keys in the keys folder: run 'sales-admin genkey' or set SALES_AUTH_KEYS_FOLDER")
	case 1:
		return kids[0], nil
	}
	return "", fmt.Errorf("keys folder has %d keys: set SALES_AUTH_ACTIVE_KID to the one that signs", len(kids))
}

// wantedInfo reports whether err is conf's way of saying --help or
// --version was asked for and answered: a success, not a failure.
func wantedInfo(err error) bool {
	return errors.Is(err, conf.ErrHelpWanted) || errors.Is(err, conf.ErrVersionWanted)
}
