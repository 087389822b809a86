package logger

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// Buffer gathers the lines written to it into fewer writes to the writer
// below: it writes when its 64 KiB fill, every interval, on Flush and on
// Close. Behind a pipe (a container's stdout) a write of its own for each
// request's line cost the API a fifth of the requests it answers. A
// Logger over a Buffer flushes it after each warning and error, so those
// are written at once; the info lines of the last interval before a crash
// are lost.
type Buffer struct {
	mu  sync.Mutex
	buf *bufio.Writer

	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// NewBuffer returns a Buffer over w that flushes every interval until
// Close.
func NewBuffer(w io.Writer, interval time.Duration) *Buffer {
	b := &Buffer{buf: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go b.flushEvery(interval)
	return b
}

// Write implements io.Writer.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// Flush writes what the buffer holds.
func (b *Buffer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Flush()
}

// Close stops the timed flushes and writes what the buffer holds; later
// writes wait for an explicit Flush.
func (b *Buffer) Close() error {
	b.once.Do(func() {
		close(b.stop)
		<-b.done
	})
	return b.Flush()
}

func (b *Buffer) flushEvery(interval time.Duration) {
	defer close(b.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
			// A failed write has nowhere better to go; the next tries again.
			_ = b.Flush()
		}
	}
}
