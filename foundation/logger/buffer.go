package logger

import (
	"bufio"
	"cmp"
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
	w   io.Writer
	buf *bufio.Writer

	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// NewBuffer returns a Buffer over w that flushes every interval until
// Close.
func NewBuffer(w io.Writer, interval time.Duration) *Buffer {
	b := &Buffer{w: w, buf: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go b.flushEvery(interval)
	return b
}

// Write implements io.Writer. A line never straddles two writes below:
// one that would overflow the buffer first writes what it holds (a
// bufio.Writer would fill it and write it out mid-line, and a reader of
// the pipe would see half a line until the next write).
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var flushErr error
	if len(p) > b.buf.Available() && b.buf.Buffered() > 0 {
		// The lines held are lost when this fails; p is not.
		flushErr = b.buf.Flush()
		b.resetAfter(flushErr)
	}
	n, err := b.buf.Write(p)
	b.resetAfter(err)
	return n, cmp.Or(err, flushErr)
}

// Flush writes what the buffer holds.
func (b *Buffer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	err := b.buf.Flush()
	b.resetAfter(err)
	return err
}

// resetAfter drops what a failed write left in the buffer: a bufio.Writer
// keeps its first error and refuses every later line, and a full disk or
// a reader gone for a moment must not silence the log for good.
func (b *Buffer) resetAfter(err error) {
	if err != nil {
		b.buf.Reset(b.w)
	}
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
			// A failed write has nowhere better to go; the next lines are
			// tried again.
			_ = b.Flush()
		}
	}
}
