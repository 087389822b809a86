package userdb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/garagesale/service/business/domain/userbus"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Cache is what a listener keeps: a *userbus.Cache.
type Cache interface {
	// Changed takes each payload heard, heartbeats too.
	Changed(payload string)
	// SetLive is told true with the session's pid once the LISTEN is in
	// place, and false when the connection is lost (and changes missed);
	// an error ends the connection.
	SetLive(live bool, pid uint32) error
	// Beat sends the listener's heartbeat, through another connection.
	Beat(ctx context.Context) error
	// Heard is when the heartbeat was last heard.
	Heard() time.Time
}

// Listen keeps a connection of its own LISTENing on userbus.UsersChanged
// until ctx ends, reconnecting with a growing pause, and hands c every
// payload. Every userbus.CacheHeartbeat it has c send a heartbeat; one not
// heard for userbus.CacheReconnectAfter ends the connection (packets
// dropped, or a proxy that does not deliver notifications) and it starts
// over, while c serves nothing. Each connection lost is told to warn
// with its cause, and how long until the next try.
func Listen(ctx context.Context, cfg *pgx.ConnConfig, c Cache, warn func(ctx context.Context, msg string, args ...any)) {
	pause := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := listenOnce(ctx, cfg, c)
		_ = c.SetLive(false, 0)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			pause = 100 * time.Millisecond
		}
		warn(ctx, "user cache listener lost: users are read from the database until it is back",
			"channel", userbus.UsersChanged, "error", err, "retry_in", pause)
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, 5*time.Second)
	}
}

func listenOnce(ctx context.Context, cfg *pgx.ConnConfig, c Cache) error {
	ccfg := cfg.Copy()
	ccfg.RuntimeParams["application_name"] += " listener"
	connectCtx, cancel := context.WithTimeout(ctx, userbus.CacheReconnectAfter)
	conn, err := pgx.ConnectConfig(connectCtx, ccfg)
	cancel()
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{userbus.UsersChanged}.Sanitize()); err != nil {
		return err
	}
	// The server's pid, as pg_stat_activity shows it: a proxy hands its
	// clients made-up ones.
	var pid uint32
	if err := conn.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		return err
	}
	if err := c.SetLive(true, pid); err != nil {
		return err
	}
	start := time.Now()
	var lastBeat time.Time
	for {
		if time.Since(lastBeat) >= userbus.CacheHeartbeat {
			beatCtx, cancel := context.WithTimeout(ctx, userbus.CacheHeartbeat)
			// A failed send is a heartbeat not heard: the limit below acts.
			// A database restored in place under the cache starts it over
			// at once.
			err := c.Beat(beatCtx)
			cancel()
			if errors.Is(err, userbus.ErrChangesWentBack) {
				return err
			}
			lastBeat = time.Now()
		}
		heard := c.Heard()
		if heard.IsZero() {
			heard = start
		}
		if time.Since(heard) > userbus.CacheReconnectAfter {
			return fmt.Errorf("no heartbeat heard on %s for %s", userbus.UsersChanged, userbus.CacheReconnectAfter)
		}

		waitCtx, cancel := context.WithTimeout(ctx, userbus.CacheHeartbeat)
		n, err := conn.WaitForNotification(waitCtx)
		cancel()
		switch {
		case err == nil:
			c.Changed(n.Payload)
		case ctx.Err() != nil:
			return ctx.Err()
		case pgconn.Timeout(err) || errors.Is(err, context.DeadlineExceeded):
			// Quiet: the next round beats.
		default:
			return err
		}
	}
}
