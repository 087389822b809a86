package userdb

import (
	"context"
	"time"

	"github.com/garagesale/service/business/domain/userbus"
	"github.com/jackc/pgx/v5"
)

// Listen keeps a connection of its own LISTENing on userbus.UsersChanged
// until ctx ends, reconnecting with a growing pause, and calls notify with
// each payload. live is told true with the session's pid once the LISTEN is
// in place, and false when the connection is lost (and changes missed).
func Listen(ctx context.Context, cfg *pgx.ConnConfig, notify func(payload string), live func(listening bool, pid uint32)) {
	pause := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := listenOnce(ctx, cfg, notify, live)
		live(false, 0)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			pause = 100 * time.Millisecond
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, 5*time.Second)
	}
}

func listenOnce(ctx context.Context, cfg *pgx.ConnConfig, notify func(string), live func(bool, uint32)) error {
	ccfg := cfg.Copy()
	ccfg.RuntimeParams["application_name"] += " listener"
	conn, err := pgx.ConnectConfig(ctx, ccfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{userbus.UsersChanged}.Sanitize()); err != nil {
		return err
	}
	live(true, conn.PgConn().PID())
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		notify(n.Payload)
	}
}
