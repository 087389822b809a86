// Package domain is the one place that builds every domain's business
// core and its store over a database pool. The API, sales-admin and the
// tests all take their businesses from here, so they run the same graph;
// a new domain is one field in Set and one line in New.
package domain

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

	// Limiter counts failed logins and signups (nil: one over DB), and
	// Throttling limits them.
	Limiter    userbus.Limiter
	Throttling userbus.Throttling
	// UserCache, when set, keeps authenticated users between requests; it
	// must be kept live by a listener on userbus.UsersChanged.
	UserCache *userbus.Cache
}

// Set holds every domain's business.
type Set struct {
	Audit    *auditbus.Business
	User     *userbus.Business
	Product  *productbus.Business
	Sale     *salebus.Business
	VProduct *vproductbus.Business
	Stats    *statsbus.Business
	// New domains: the generator adds a field above this line.
}

// New builds every business over cfg.DB.
func New(cfg Config) Set {
	db, now := cfg.DB, cfg.Now
	var s Set
	s.Audit = auditbus.NewBusiness(auditbus.Config{DB: db, Now: now, Storer: auditdb.Store{}})
	s.User = userbus.NewBusiness(userbus.Config{DB: db, Now: now, Storer: userdb.Store{}, Audit: s.Audit,
		Limiter: cfg.Limiter, Throttling: cfg.Throttling, Cache: cfg.UserCache, Log: cfg.Log})
	s.Product = productbus.NewBusiness(productbus.Config{DB: db, Now: now, Storer: productdb.Store{}, Audit: s.Audit, UserBus: s.User})
	s.Sale = salebus.NewBusiness(salebus.Config{DB: db, Now: now, Storer: saledb.Store{}, Audit: s.Audit, ProductBus: s.Product, Users: s.User})
	s.VProduct = vproductbus.NewBusiness(vproductbus.Config{DB: db, Storer: vproductdb.Store{}})
	s.Stats = statsbus.NewBusiness(statsbus.Config{DB: db, Now: now, Storer: statsdb.Store{}})
	// New domains: the generator adds a line above this one.
	return s
}
