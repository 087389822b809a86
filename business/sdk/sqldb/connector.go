package sqldb

import (
	"context"
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// connector hands database/sql connections from a pgxpool, waiting at most
// acquireTimeout: database/sql's own wait would hold every request on a
// dead server until its deadline.
type connector struct {
	driver.Connector
	pool           *pgxpool.Pool
	health         *pgxpool.Pool
	acquireTimeout time.Duration
}

// Connect implements driver.Connector.
func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	actx, cancel := context.WithTimeout(ctx, c.acquireTimeout)
	defer cancel()
	conn, err := c.Connector.Connect(actx)
	if err != nil {
		// A server down, slow or out of connections is ErrDBUnavailable; a
		// wrong password or a missing database shows as what it is.
		if actx.Err() != nil && ctx.Err() == nil {
			return nil, fmt.Errorf("%w: no connection within %s: %w", ErrDBUnavailable, c.acquireTimeout, err)
		}
		return nil, fmt.Errorf("acquire connection: %w", translate(err))
	}
	return conn, nil
}

// Close implements io.Closer: DB.Close calls it, closing the pools.
func (c *connector) Close() error {
	c.pool.Close()
	c.health.Close()
	return nil
}
