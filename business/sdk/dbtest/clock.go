package dbtest

import (
	"sync/atomic"
	"time"
)

// Ticker returns a clock for a business's Now that moves a second at every
// reading from start, so records written one after another are in order.
func Ticker(start time.Time) func() time.Time {
	var seconds atomic.Int64
	return func() time.Time {
		return start.Add(time.Duration(seconds.Add(1)) * time.Second)
	}
}
