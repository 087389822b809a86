// Package buses is the one place that builds every domain's business core
// and its store from a database pool. The API, sales-admin and the tests
// all take their businesses from here, so they run the same graph; a new
// domain is one line in New.
package buses

import (
	"time"

	"github.com/garagesale/service/business/domain/auditbus"
	"github.com/garagesale/service/business/domain/auditbus/stores/auditdb"
	"github.com/garagesale/service/business/domain/productbus"
	"github.com/garagesale/service/business/domain/productbus/stores/productdb"
	"github.com/garagesale/service/business/domain/salebus"
	"github.com/garagesale/service/business/domain/salebus/stores/saledb"
	"github.com/garagesale/service/business/domain/statsbus"
	"github.com/garagesale/service/business/domain/statsbus/stores/statsdb"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/domain/userbus/stores/userdb"
	"github.com/garagesale/service/business/domain/vproductbus"
	"github.com/garagesale/service/business/domain/vproductbus/stores/vproductdb"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/business/sdk/throttle"
	"github.com/garagesale/service/foundation/logger"
	"github.com/jmoiron/sqlx"
)

// Config is what the businesses share. Now may be nil for the wall clock;
// a zero Throttling is userbus.DefaultThrottling; UserCache and Log may be
// nil.
type Config struct {
	DB  *sqlx.DB
	Now func() time.Time
	// Log is told of what goes wrong outside any request's answer: a
	// change to a user that not every replica's cache dropped in time.
	Log *logger.Logger

	// Throttling limits failed logins and signups.
	Throttling userbus.Throttling
	// UserCache, when set, keeps authenticated users between requests; it
	// must be kept live by a listener on userbus.UsersChanged.
	UserCache *userbus.Cache
}

// Buses holds every domain's business.
type Buses struct {
	Audit    *auditbus.Business
	User     *userbus.Business
	Product  *productbus.Business
	Sale     *salebus.Business
	VProduct *vproductbus.Business
	Stats    *statsbus.Business
	// New domains: the generator adds a field above this line.
}

// New builds every business over cfg.DB.
func New(cfg Config) *Buses {
	db, tx, now := cfg.DB, sqldb.NewTransactor(cfg.DB), cfg.Now

	b := &Buses{}
	b.Audit = auditbus.NewBusiness(auditbus.Config{Tx: tx, Now: now, Storer: auditdb.NewStore(db)})
	b.User = userbus.NewBusiness(userbus.Config{Tx: tx, Now: now, Storer: userdb.NewStore(db), Audit: b.Audit,
		Limiter: throttle.New(db, now), Throttling: cfg.Throttling, Cache: cfg.UserCache, Log: cfg.Log})
	b.Product = productbus.NewBusiness(productbus.Config{Tx: tx, Now: now, Storer: productdb.NewStore(db), Audit: b.Audit, UserBus: b.User})
	b.Sale = salebus.NewBusiness(salebus.Config{Tx: tx, Now: now, Storer: saledb.NewStore(db), Audit: b.Audit, ProductBus: b.Product, Users: b.User})
	b.VProduct = vproductbus.NewBusiness(vproductbus.Config{Tx: tx, Now: now, Storer: vproductdb.NewStore(db)})
	b.Stats = statsbus.NewBusiness(statsbus.Config{Now: now, Storer: statsdb.NewStore(db)})
	// New domains: the generator adds a line above this one.
	return b
}
