package dbtest

import (
	"sync"
	"time"
)

// Ticker returns a clock for a business's Now that moves a second at every
// reading from start, so records written one after another are in order.
func Ticker(start time.Time) func() time.Time {
	var mu sync.Mutex
	t := start
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}
