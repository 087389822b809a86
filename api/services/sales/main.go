// Command sales-api serves the Sales API, plus a debug server with pprof,
// expvar and health checks.
package main

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/garagesale/service/app/sdk/clientaddr"

	"github.com/ardanlabs/conf/v3"
	"github.com/garagesale/service/api/services/sales/build"
	"github.com/garagesale/service/app/domain/checkapp"
	"github.com/garagesale/service/app/domain/saleapp"
	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/app/sdk/debug"
	"github.com/garagesale/service/app/sdk/idempotency"
	"github.com/garagesale/service/app/sdk/metrics"
	"github.com/garagesale/service/app/sdk/mid"
	"github.com/garagesale/service/business/domain/salebus"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/domain/userbus/stores/userdb"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/business/sdk/throttle"
	"github.com/garagesale/service/foundation/buildinfo"
	"github.com/garagesale/service/foundation/keystore"
	"github.com/garagesale/service/foundation/logger"
	"github.com/garagesale/service/foundation/otel"
	"github.com/garagesale/service/foundation/settings"
	"github.com/garagesale/service/foundation/web"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// version, commit and date are stamped at link time (see buildinfo.New).
var (
	version = "develop"
	commit  string
	date    string
)

func main() {
	// A line per request: gathered, so that it is not a write of its own.
	out := logger.NewBuffer(os.Stdout, logFlushInterval)
	// The lines still held are written at exit, a panic's too; an error
	// is written at once, before os.Exit.
	defer out.Close()
	log := logger.New(out, logger.LevelInfo, "sales-api", web.GetTraceID)

	ctx := context.Background()
	if err := run(ctx, log); err != nil && !settings.Answered(err) {
		log.Error(ctx, "startup", "error", err)
		os.Exit(1)
	}
}

// logFlushInterval is the longest an info line waits to be written.
const logFlushInterval = 100 * time.Millisecond

// Config is every setting of the service; env vars are SALES_<GROUP>_<NAME>.
type Config struct {
	conf.Version
	Web struct {
		ReadTimeout       time.Duration `conf:"default:5s,help:time to read a whole request with its body"`
		ReadHeaderTimeout time.Duration `conf:"default:2s,help:time to read the headers of a request; a slow client is cut off sooner"`
		WriteTimeout      time.Duration `conf:"default:10s,help:time to write an answer; past it the connection closes unanswered so REQUEST_TIMEOUT must stay well under it"`
		IdleTimeout       time.Duration `conf:"default:120s,help:how long an idle keep-alive connection stays open"`
		RequestTimeout    time.Duration `conf:"default:5s,help:deadline of the work of a request (carried to every query); past it the answer is 503"`
		CommitGrace       time.Duration `conf:"default:3s,help:extra time past REQUEST_TIMEOUT for a COMMIT already sent; REQUEST_TIMEOUT + this must be at most WRITE_TIMEOUT - 1s"`
		MaxInFlight       int           `conf:"default:500,help:requests served at once and request bodies read at once; more are answered 503 at once with Retry-After"`
		ShutdownDelay     time.Duration `conf:"default:5s,help:after SIGTERM readiness fails and the API keeps serving this long before it stops accepting"`
		ShutdownTimeout   time.Duration `conf:"default:20s,help:after the delay the time in-flight requests get to finish"`
		ClientIPHeader    string        `conf:"help:header the proxies in TRUSTED_PROXIES set to the address of the client (X-Real-IP or X-Forwarded-For); empty uses the peer of the connection"`
		TrustedProxies    []string      `conf:"help:addresses or CIDRs of the proxies whose CLIENT_IP_HEADER is believed (the ingress controller pods) separated by semicolons; from any other peer the header is ignored"`
		Hosts             []string      `conf:"help:host names the API answers separated by semicolons (localhost;api.example.com); a request for another name is a 403 and one for an IP address is answered; empty answers every name. make run sets localhost: a web page cannot point a name of its own at the loopback API (DNS rebinding) and use the seeded accounts"`
		CORSOrigins       string        `conf:"help:browser origins allowed to call the API separated by semicolons or commas or spaces (https://shop.example.com;https://admin.example.com); none by default"`
		APIHost           string        `conf:"default:0.0.0.0:3000,help:address the API listens on"`
		DebugHost         string        `conf:"default:0.0.0.0:3010,help:address of the debug server: pprof and expvar and liveness and readiness"`
	}
	Auth struct {
		KeysFolder string        `conf:"default:zarf/keys/,help:folder of <kid>.pem RSA private keys; every key verifies tokens"`
		ActiveKID  string        `conf:"help:kid that signs new tokens; empty with one key in the folder uses that key"`
		Issuer     string        `conf:"default:garagesale,help:iss claim of the tokens issued and checked on every request"`
		TokenTTL   time.Duration `conf:"default:1h,help:lifetime of a token"`

		Signup              bool          `conf:"default:true,help:let anyone create a USER account at POST /v1/users/signup"`
		SignupsPerClient    int           `conf:"default:5,help:signups one client address may make per hour"`
		LoginFailures       int           `conf:"default:5,help:failed logins to one account from one client address within LOGIN_WINDOW before each further attempt waits (1s doubling up to 15m); other clients are not held up"`
		LoginClientFailures int           `conf:"default:50,help:failed logins from one client address to any account within LOGIN_WINDOW before it waits likewise"`
		LoginBudget         int           `conf:"default:600,help:bcrypt checks per minute across the service for clients that already failed; past it they wait up to a minute while clients with no failures still log in; three times it bounds every check"`
		LoginWindow         time.Duration `conf:"default:15m,help:how long a failed login counts"`
		UserCacheSize       int           `conf:"default:10000,help:users kept for authentication between requests (each dropped when it changes); 0 reads the user on every request"`
		ThrottleSweep       time.Duration `conf:"default:10m,help:how often expired counts of failed logins and signups are deleted"`
	}
	DB     sqldb.Config
	Ingest struct {
		MaxLineBytes int           `conf:"default:4096,help:longest line of an upload of offline sales (POST /v1/sales/ingest); a longer one is rejected and the next read"`
		MaxBytes     int64         `conf:"default:67108864,help:most bytes one upload may carry (64 MiB); past it the stream stops saying from which line to upload again"`
		IdleTimeout  time.Duration `conf:"default:30s,help:how long an upload may go without a line (blank lines do not count; nor does the client not reading an answer) before it stops"`
		MaxDuration  time.Duration `conf:"default:10m,help:the longest an upload may run; it stops saying from which line to upload again"`
		MinRate      int           `conf:"default:1024,help:the fewest bytes a second an upload must send (counted over the time spent waiting for it once twice IDLE_TIMEOUT of waiting has passed); a slower one stops"`
		Window       time.Duration `conf:"default:720h,help:how far back an uploaded sale may have been taken (30 days); older ones are rejected since their days are long published in the stats and dumps"`
		MaxStreams   int           `conf:"default:2,help:uploads running at once (each uses a database connection while it records a batch: keep it under DB_MAX_CONNS); more are answered 503 with Retry-After"`
	}
	Sale struct {
		PurchasesPerHour int `conf:"default:60,help:online purchases one buyer may make in an hour (more are answered 429); 0 is no limit"`
	}
	Idempotency struct {
		TTL           time.Duration `conf:"default:24h,help:how long the answer to a request with an Idempotency-Key is kept for retries"`
		SweepInterval time.Duration `conf:"default:10m,help:how often expired Idempotency-Keys are deleted"`
	}
	Tempo struct {
		Host        string  `conf:"default:tempo:4317,help:OTLP gRPC endpoint of Tempo; empty exports no spans"`
		ServiceName string  `conf:"default:sales-api,help:service name on the spans"`
		Probability float64 `conf:"default:0.05,help:share of requests traced (0 to 1)"`
	}
}

func run(ctx context.Context, log *logger.Logger) error {
	stamp := buildinfo.New(version, commit, date)
	cfg := Config{Version: conf.Version{Build: stamp.String(), Desc: "Sales API of the garagesale service kit"}}

	cfgAttr, err := settings.Parse("SALES", &cfg)
	if err != nil {
		return err
	}

	log.Info(ctx, "starting service", "version", stamp.Version, "commit", stamp.Commit, "built", stamp.Date, "GOMAXPROCS", runtime.GOMAXPROCS(0))
	defer log.Info(ctx, "shutdown complete")
	log.Info(ctx, "startup", cfgAttr)

	// Signing keys: a folder that cannot say which key signs fails the
	// start before anything connects.
	ks, err := keystore.LoadFolder(cfg.Auth.KeysFolder)
	if err != nil {
		return fmt.Errorf("load keys: %w", err)
	}
	activeKID, err := ks.Active(cfg.Auth.ActiveKID, keystore.Setting{ActiveKID: "SALES_AUTH_ACTIVE_KID", Genkey: "sales-admin genkey"})
	if err != nil {
		return err
	}
	log.Info(ctx, "startup", "status", "keys loaded", "kids", ks.KIDs(), "activeKID", activeKID)

	cfg.DB.ApplicationName = cfg.Tempo.ServiceName
	db, err := sqldb.Open(cfg.DB)
	if err != nil {
		return err
	}
	defer func() {
		log.Info(ctx, "shutdown", "status", "closing database", "host", cfg.DB.Host)
		db.Close()
	}()

	ath, err := auth.New(auth.Config{KeyLookup: ks, Issuer: cfg.Auth.Issuer})
	if err != nil {
		return fmt.Errorf("auth: %w", err)
	}

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
		OnError:     func(err error) { log.Warn(ctx, "tracing", "error", err) },
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

	mtr := metrics.New()
	if err := mtr.Publish(stamp.String(), db.Stats); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}

	// Expired rows are swept in the background, each table on its own
	// interval, until the service stops.
	background, stopBackground := context.WithCancel(ctx)
	defer stopBackground()

	idem := idempotency.NewStore(db.DB, cfg.Idempotency.TTL, nil)
	go sweep(background, log, "idempotency keys", cfg.Idempotency.SweepInterval, idem.DeleteExpired)

	clients, err := clientaddr.New(cfg.Web.ClientIPHeader, cfg.Web.TrustedProxies)
	if err != nil {
		return fmt.Errorf("client addresses: %w", err)
	}
	throttling := userbus.Throttling{
		LoginAccount: throttle.Policy{Free: cfg.Auth.LoginFailures, Window: cfg.Auth.LoginWindow, Base: time.Second, Max: 15 * time.Minute},
		LoginClient:  throttle.Policy{Free: cfg.Auth.LoginClientFailures, Window: cfg.Auth.LoginWindow, Base: time.Second, Max: 15 * time.Minute},
		LoginBudget:  throttle.Policy{Free: cfg.Auth.LoginBudget, Window: time.Minute, Base: 5 * time.Second, Max: time.Minute},
		LoginCeiling: throttle.Policy{Free: 3 * cfg.Auth.LoginBudget, Window: time.Minute, Base: 5 * time.Second, Max: time.Minute},
		Signup:       throttle.Policy{Free: cfg.Auth.SignupsPerClient, Window: time.Hour, Base: time.Minute, Max: time.Hour},
		EmailChange:  userbus.DefaultThrottling.EmailChange,
	}
	limiter := throttle.New(db.DB, nil)
	go sweep(background, log, "throttles", cfg.Auth.ThrottleSweep, func(ctx context.Context, n int) (int, error) {
		total := 0
		for _, s := range throttling.Sweeps() {
			deleted, err := limiter.DeleteExpired(ctx, s.Prefix, s.Idle, n)
			total += deleted
			if err != nil {
				return total, err
			}
		}
		return total, nil
	})

	// Authenticated users are cached, each entry dropped when Postgres says
	// the user changed; while the listener is down nothing is cached.
	var userCache *userbus.Cache
	if cfg.Auth.UserCacheSize > 0 {
		userCache = userbus.NewCache(cfg.Auth.UserCacheSize, db.DB, userdb.Store{})
		go userdb.Listen(background, db.ConnConfig(), userCache, log.Warn)
		if err := userCache.AwaitLive(ctx, userbus.CacheReconnectAfter); err != nil {
			return fmt.Errorf("user cache: %w", err)
		}
		if !userCache.Live() {
			log.Warn(ctx, "startup", "status", "serving without the user cache: users are read from the database until its listener connects",
				"waited", userbus.CacheReconnectAfter)
		}
	}

	// draining turns true on SIGTERM: both readiness answers fail from then
	// on, while the API goes on serving for the shutdown delay.
	var draining atomic.Bool

	debugSrv := &http.Server{
		Addr:              cfg.Web.DebugHost,
		Handler:           mid.HostsHandler(cfg.Web.Hosts, debug.Mux(stamp.String(), checkapp.Ready(db.Ping, draining.Load))),
		ReadHeaderTimeout: cfg.Web.ReadHeaderTimeout,
	}
	if err := web.Start(ctx, debugSrv, "debug", log.Info); err != nil {
		return err
	}
	defer debugSrv.Close()

	origins, err := mid.ParseOrigins(cfg.Web.CORSOrigins)
	if err != nil {
		return fmt.Errorf("web cors origins: %w", err)
	}

	// Each upload holds a connection while it records a batch: as many
	// uploads as connections would leave none for other requests.
	if cfg.Ingest.MaxStreams >= cfg.DB.MaxConns {
		return fmt.Errorf("ingest max streams %d must be under db max conns %d, or uploads can take every connection", cfg.Ingest.MaxStreams, cfg.DB.MaxConns)
	}

	// A second is left to write the answer.
	if limit := cfg.Web.WriteTimeout - time.Second; cfg.Web.RequestTimeout+cfg.Web.CommitGrace > limit {
		return fmt.Errorf("web request timeout %s + commit grace %s must be at most the write timeout %s less a second, or slow requests go unanswered",
			cfg.Web.RequestTimeout, cfg.Web.CommitGrace, cfg.Web.WriteTimeout)
	}
	api := build.NewAPI(build.Config{
		Build:          stamp.String(),
		Log:            log,
		DB:             db.DB,
		Auth:           ath,
		ActiveKID:      activeKID,
		Tracer:         tp.Tracer("sales-api"),
		TokenTTL:       cfg.Auth.TokenTTL,
		Metrics:        mtr,
		RequestTimeout: cfg.Web.RequestTimeout,
		CommitGrace:    cfg.Web.CommitGrace,
		MaxInFlight:    cfg.Web.MaxInFlight,
		Draining:       draining.Load,
		Ping:           db.Ping,
		Idempotency:    idem,
		Limiter:        limiter,
		Throttling:     throttling,
		Signup:         cfg.Auth.Signup,
		Clients:        clients,
		CORSOrigins:    origins,
		Hosts:          cfg.Web.Hosts,
		UserCache:      userCache,
		Sales:          salebus.Limits{IngestWindow: cfg.Ingest.Window, PurchasesPerHour: cmp.Or(cfg.Sale.PurchasesPerHour, -1)},
		Ingest: saleapp.IngestConfig{
			MaxLineBytes: cfg.Ingest.MaxLineBytes,
			MaxBytes:     cfg.Ingest.MaxBytes,
			IdleTimeout:  cfg.Ingest.IdleTimeout,
			MaxDuration:  cfg.Ingest.MaxDuration,
			MinRate:      cfg.Ingest.MinRate,
			MaxStreams:   cfg.Ingest.MaxStreams,
		},
	})
	// A domain's own work on a timer (releasing what has expired, say)
	// starts here: go sweep(background, ...) with a method of api.Domains,
	// as the idempotency keys' sweep above.

	srv := &http.Server{
		Addr:              cfg.Web.APIHost,
		Handler:           api.Handler,
		ReadTimeout:       cfg.Web.ReadTimeout,
		ReadHeaderTimeout: cfg.Web.ReadHeaderTimeout,
		WriteTimeout:      cfg.Web.WriteTimeout,
		IdleTimeout:       cfg.Web.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          logger.NewStdLogger(log, logger.LevelError),
	}

	return web.Run(ctx, srv, web.Shutdown{
		Draining: func() { draining.Store(true) },
		Delay:    cfg.Web.ShutdownDelay,
		Timeout:  cfg.Web.ShutdownTimeout,
	}, log.Info)
}

// sweep runs del every interval until ctx ends, and again while del
// deletes a full batch of expired rows, so each delete stays short. Every
// replica may sweep at once: deleting what has expired is idempotent.
func sweep(ctx context.Context, log *logger.Logger, table string, interval time.Duration, del func(ctx context.Context, limit int) (int, error)) {
	const batch = 1000
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		removed, n := 0, batch
		var err error
		for n >= batch && err == nil {
			n, err = del(ctx, batch)
			removed += n
		}
		switch {
		case err != nil:
			log.Warn(ctx, "sweep", "table", table, "removed", removed, "error", err)
		case removed > 0:
			log.Info(ctx, "sweep", "table", table, "removed", removed)
		}
	}
}
