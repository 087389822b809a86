// Package build assembles the sales-api's HTTP handler: the middleware
// chain and every domain's routes. main and the HTTP tests share it, so
// tests run exactly what production runs.
package build

import (
	"cmp"
	"context"
	"net/http"
	"time"

	"github.com/garagesale/service/app/sdk/clientaddr"

	"github.com/garagesale/service/app/domain/auditapp"
	"github.com/garagesale/service/app/domain/checkapp"
	"github.com/garagesale/service/app/domain/docapp"
	"github.com/garagesale/service/app/domain/productapp"
	"github.com/garagesale/service/app/domain/saleapp"
	"github.com/garagesale/service/app/domain/statsapp"
	"github.com/garagesale/service/app/domain/userapp"
	"github.com/garagesale/service/app/domain/vproductapp"
	"github.com/garagesale/service/app/sdk/apidoc"
	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/idempotency"
	"github.com/garagesale/service/app/sdk/metrics"
	"github.com/garagesale/service/app/sdk/mid"
	"github.com/garagesale/service/app/sdk/route"
	"github.com/garagesale/service/business/domain"
	"github.com/garagesale/service/business/domain/salebus"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/foundation/logger"
	"github.com/garagesale/service/foundation/web"
	"github.com/jmoiron/sqlx"
	"go.opentelemetry.io/otel/trace"
)

// Config holds every dependency of the API. Tracer, Metrics, Now,
// Draining and Idempotency may be nil; a zero RequestTimeout or
// MaxInFlight sets no limit.
type Config struct {
	Build string
	Log   *logger.Logger
	DB    *sqlx.DB
	Auth  *auth.Auth
	// ActiveKID is the key that signs new tokens.
	ActiveKID string
	Tracer    trace.Tracer
	TokenTTL  time.Duration
	Now       func() time.Time
	// Metrics counts requests for the debug port's expvar.
	Metrics *metrics.Metrics

	// RequestTimeout is every request's deadline, carried to every query;
	// CommitGrace is how much longer a COMMIT already sent may take.
	RequestTimeout time.Duration
	CommitGrace    time.Duration
	// MaxInFlight is how many requests run at once, and how many bodies
	// are read at once; more are shed with 503.
	MaxInFlight int
	// BodyMemory is how many bytes of request bodies the API holds at
	// once, read ahead or being handled (DefaultBodyMemory when zero;
	// none without MaxInFlight).
	BodyMemory int64
	// Draining reports a shutdown under way: readiness fails from then on.
	Draining func() bool
	// Ping checks the database for readiness apart from the request pool;
	// nil pings through DB.
	Ping func(context.Context) error
	// Idempotency keeps the answers to requests with an Idempotency-Key;
	// nil keeps them for idempotency.DefaultTTL.
	Idempotency *idempotency.Store

	// Limiter counts failed logins and signups (nil: one over DB), and
	// Throttling limits them; zero is userbus.DefaultThrottling. Signup
	// opens POST /v1/users/signup. Clients says which client a request is
	// from (nil: the connection's peer).
	Limiter    userbus.Limiter
	Throttling userbus.Throttling
	Signup     bool
	Clients    *clientaddr.Resolver

	// CORSOrigins are the browser origins allowed to call the API.
	CORSOrigins []string
	// Hosts are the host names the API answers (and any IP address); none
	// answers every name.
	Hosts []string

	// Ingest bounds uploads of offline sales; its zero values take the
	// defaults, and its batches get RequestTimeout and CommitGrace.
	Ingest saleapp.IngestConfig
	// Sales bounds buyers and uploads (zero fields: salebus.DefaultLimits).
	Sales salebus.Limits

	// UserCache, when set, keeps authenticated users between requests; it
	// must be kept live by a listener on userbus.UsersChanged.
	UserCache *userbus.Cache
}

// WebAPI returns the API's handler.
func WebAPI(cfg Config) http.Handler {
	return NewAPI(cfg).Handler
}

// API is the assembled API: its handler, and for checks against each
// other, the routes it answers and their documentation; and the
// businesses it runs, for work of their own beside the requests (a sweep
// on a timer, as main runs the idempotency keys').
type API struct {
	Handler http.Handler
	App     *web.App
	Doc     *apidoc.Spec
	Domains domain.Set
}

// DefaultBodyMemory is the bytes of request bodies held at once past each
// body's first mid.SmallBody (about 8 MiB more, 500 bodies read and 500
// handled): with Go's
// overhead about 80 MiB, well within the pod's 256 MiB.
const DefaultBodyMemory = 32 << 20

// NewAPI assembles the API.
func NewAPI(cfg Config) API {
	// The bodies read ahead of their slot: as many at once as there are
	// slots, four of them one caller's, and what they hold bounded in
	// bytes; signup's, which anyone may send, from a tenth as many and an
	// eighth of the bytes.
	var bodies, publicBodies mid.Bodies
	if cfg.MaxInFlight > 0 {
		mem := cmp.Or(cfg.BodyMemory, DefaultBodyMemory)
		bodies = mid.Bodies{Limit: cfg.MaxInFlight, PerCaller: 4, Bytes: mem}
		publicBodies = mid.Bodies{Limit: max(1, cfg.MaxInFlight/10), Bytes: max(1, mem/8)}
	}

	app := web.NewApp(web.Config{
		Log:    cfg.Log.Error,
		Tracer: cfg.Tracer,
		Mid: []web.MidFunc{
			mid.Logger(cfg.Log),
			mid.Errors(cfg.Log),
			mid.Metrics(cfg.Metrics),
			mid.Deadline(cfg.RequestTimeout, cfg.CommitGrace),
			mid.Panics(),
			mid.Hosts(cfg.Hosts),
			mid.ValidURL(),
		},
		NotRouted: notRouted,
	})

	bs := domain.New(domain.Config{
		DB:         cfg.DB,
		Now:        cfg.Now,
		Log:        cfg.Log,
		Limiter:    cfg.Limiter,
		Throttling: cfg.Throttling,
		UserCache:  cfg.UserCache,
		Sales:      cfg.Sales,
	})

	idem := cfg.Idempotency
	if idem == nil {
		idem = idempotency.NewStore(cfg.DB, 0, cfg.Now)
	}

	ping := cfg.Ping
	if ping == nil {
		ping = func(ctx context.Context) error { return sqldb.StatusCheck(ctx, cfg.DB) }
	}

	// The document's version is the API's (its paths say v1), not the
	// build's, so the committed copy does not change with every commit.
	doc := apidoc.New(apidoc.Info{Title: apiTitle, Version: "v1", Description: apiDescription})
	routes := route.New(route.Config{
		App:            app,
		Spec:           doc,
		Auth:           cfg.Auth,
		Authenticate:   mid.Authenticate(cfg.Auth, bs.User),
		Shed:           mid.Shed(cfg.MaxInFlight),
		ReadBody:       mid.ReadBody(bodies),
		ReadPublicBody: mid.ReadBody(publicBodies),
	})
	checkapp.Routes(routes, checkapp.Config{Build: cfg.Build, Ready: checkapp.Ready(ping, cfg.Draining)})
	userapp.Routes(routes, userapp.Config{
		UserBus:   bs.User,
		Auth:      cfg.Auth,
		ActiveKID: cfg.ActiveKID,
		TokenTTL:  cfg.TokenTTL,
		Now:       cfg.Now,
		Clients:   cfg.Clients,
		Signup:    cfg.Signup,
	})
	auditapp.Routes(routes, auditapp.Config{AuditBus: bs.Audit})
	productapp.Routes(routes, productapp.Config{ProductBus: bs.Product, Auth: cfg.Auth, Keys: idem})
	ingest := cfg.Ingest
	ingest.BatchTimeout, ingest.CommitGrace = cfg.RequestTimeout, cfg.CommitGrace
	saleapp.Routes(routes, saleapp.Config{SaleBus: bs.Sale, Keys: idem, Ingest: ingest})
	vproductapp.Routes(routes, vproductapp.Config{VProductBus: bs.VProduct})
	statsapp.Routes(routes, statsapp.Config{StatsBus: bs.Stats})
	// New domains: the generator adds their routes above this line.
	docapp.Routes(routes, apiTitle)

	return API{Handler: mid.SecureHeaders(app, cfg.CORSOrigins), App: app, Doc: doc, Domains: bs}
}

// apiTitle names the API in its documentation.
const apiTitle = "Sales API"

// apiDescription opens the API's document.
const apiDescription = `The Sales API of the garagesale service kit: users, products, sales and
the audit log. Every error answer has one shape, {"code", "message", "fields", "errorID"},
with the code saying what happened and the fields naming each bad field. Lists take page
and rows, or a cursor (the next of the page before), orderBy and filters named after the
JSON fields they filter. While tracing is on, every answer carries X-Trace-Id, the trace the
API's logs and trace viewer name it by: quote it when reporting a problem.`

// notRouted is the API's error body for an unknown route or method.
func notRouted(status int) any {
	if status == http.StatusMethodNotAllowed {
		return errs.Newf(errs.MethodNotAllowed, "method not allowed on this route")
	}
	return errs.Newf(errs.NotFound, "no such route")
}
