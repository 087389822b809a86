// Package domain builds every domain's business over its store and a
// database pool: the API, sales-admin and the tests all run this graph.
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

// Config is what the businesses share; every field but DB may be zero, as
// userbus.Config says of those it takes.
type Config struct {
	DB         *sqlx.DB
	Now        func() time.Time
	Log        *logger.Logger
	Limiter    userbus.Limiter
	Throttling userbus.Throttling
	// UserCache, when set, must be kept live by userdb.Listen.
	UserCache *userbus.Cache
	// Sales bounds buyers and uploads (zero fields: salebus.DefaultLimits).
	Sales salebus.Limits
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
	s.Product = productbus.NewBusiness(productbus.Config{DB: db, Now: now, Storer: productdb.Store{}, Audit: s.Audit, Owners: s.User})
	s.Sale = salebus.NewBusiness(salebus.Config{DB: db, Now: now, Storer: saledb.Store{}, Audit: s.Audit, Stock: s.Product, Buyers: s.User, Limits: cfg.Sales})
	s.VProduct = vproductbus.NewBusiness(vproductbus.Config{DB: db, Storer: vproductdb.Store{}})
	s.Stats = statsbus.NewBusiness(statsbus.Config{DB: db, Now: now, Storer: statsdb.Store{}})
	// New domains: the generator adds a line above this one.
	return s
}
