package sqldb

import (
	"context"
	"time"
)

// Sweep runs del every interval until ctx ends: del deletes up to batch
// expired rows and says how many, and Sweep calls it again while it
// deletes a full batch, so each delete stays short however much has
// expired. report hears what each sweep removed, or why it stopped. Every
// replica may sweep at once: deleting what has expired is idempotent.
func Sweep(ctx context.Context, interval time.Duration, batch int, del func(ctx context.Context, limit int) (int, error), report func(removed int, err error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		total := 0
		for {
			n, err := del(ctx, batch)
			total += n
			if err != nil || n < batch {
				report(total, err)
				break
			}
		}
	}
}
