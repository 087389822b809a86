package logger_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/garagesale/service/foundation/logger"
	"github.com/google/go-cmp/cmp"
)

// syncBuffer is the writer below a Buffer, read while the Buffer's timer
// may write to it.
type syncBuffer struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes int
	// cut counts the writes that did not end a line: a reader of the
	// pipe would see half a line.
	cut int
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	if !bytes.HasSuffix(p, []byte("\n")) {
		s.cut++
	}
	return s.buf.Write(p)
}

// msgs returns the msg of each whole line written so far and the count of
// writes.
func (s *syncBuffer) msgs() ([]string, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for line := range strings.Lines(s.buf.String()) {
		if !strings.HasSuffix(line, "\n") {
			break // half a line, which the test of cuts reports
		}
		if _, after, ok := strings.Cut(line, `"msg":"`); ok {
			if end := strings.IndexByte(after, '"'); end >= 0 {
				out = append(out, after[:end])
			}
		}
	}
	return out, s.writes
}

// TestBuffer: info lines wait for the timer, Flush or Close and go out in
// one write; a warning or an error goes out at once with what came before
// it.
func TestBuffer(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		interval   time.Duration
		log        func(log *logger.Logger, b *logger.Buffer)
		want       []string
		wantWrites int
	}{
		{
			name:     "info waits",
			interval: time.Hour,
			log: func(log *logger.Logger, _ *logger.Buffer) {
				log.Info(ctx, "one")
				log.Info(ctx, "two")
			},
			want: nil,
		},
		{
			name:     "flush writes every line in one write",
			interval: time.Hour,
			log: func(log *logger.Logger, b *logger.Buffer) {
				log.Info(ctx, "one")
				log.Info(ctx, "two")
				_ = b.Flush()
			},
			want: []string{"one", "two"}, wantWrites: 1,
		},
		{
			name:     "an error goes at once with the lines before it",
			interval: time.Hour,
			log: func(log *logger.Logger, _ *logger.Buffer) {
				log.Info(ctx, "one")
				log.Error(ctx, "failed")
				log.Info(ctx, "after")
			},
			want: []string{"one", "failed"}, wantWrites: 1,
		},
		{
			name:     "a warning goes at once",
			interval: time.Hour,
			log:      func(log *logger.Logger, _ *logger.Buffer) { log.Warn(ctx, "careful") },
			want:     []string{"careful"}, wantWrites: 1,
		},
		{
			name:     "close writes the rest",
			interval: time.Hour,
			log: func(log *logger.Logger, b *logger.Buffer) {
				log.Info(ctx, "one")
				_ = b.Close()
			},
			want: []string{"one"}, wantWrites: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var below syncBuffer
			b := logger.NewBuffer(&below, tt.interval)
			defer b.Close()
			tt.log(logger.New(b, logger.LevelInfo, "test", nil), b)
			got, writes := below.msgs()
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("lines written (-want +got):\n%s", diff)
			}
			if writes != tt.wantWrites {
				t.Errorf("%d writes, want %d", writes, tt.wantWrites)
			}
		})
	}
}

// TestBufferTimer: lines logged from many goroutines reach the writer
// below on the timer, none lost or torn.
func TestBufferTimer(t *testing.T) {
	var below syncBuffer
	b := logger.NewBuffer(&below, 10*time.Millisecond)
	defer b.Close()
	log := logger.New(b, logger.LevelInfo, "test", nil)

	const goroutines, lines = 8, 200
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range lines {
				log.Info(context.Background(), "line")
			}
		})
	}
	wg.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, writes := below.msgs()
		if len(got) == goroutines*lines {
			if writes >= goroutines*lines/10 {
				t.Errorf("%d writes for %d lines: the buffer did not gather them", writes, len(got))
			}
			below.mu.Lock()
			defer below.mu.Unlock()
			if below.cut > 0 {
				t.Errorf("%d of %d writes ended mid-line", below.cut, writes)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d lines written after 5s, want %d", len(got), goroutines*lines)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// failOnce fails its first write, as a full disk or a pipe's reader gone
// for a moment would, and takes every later one.
type failOnce struct {
	syncBuffer
	failed bool
}

func (f *failOnce) Write(p []byte) (int, error) {
	if !f.failed {
		f.failed = true
		return 0, errors.New("no space left on device")
	}
	return f.syncBuffer.Write(p)
}

// TestBufferAfterAFailedWrite: the lines of a failed write are lost, and
// the log goes on after it.
func TestBufferAfterAFailedWrite(t *testing.T) {
	var below failOnce
	b := logger.NewBuffer(&below, time.Hour)
	defer b.Close()
	log := logger.New(b, logger.LevelInfo, "test", nil)

	log.Error(context.Background(), "lost")
	log.Error(context.Background(), "kept")
	got, _ := below.msgs()
	if diff := cmp.Diff([]string{"kept"}, got); diff != "" {
		t.Errorf("lines written (-want +got):\n%s", diff)
	}
}

// TestBufferOverflowAfterAFailedFlush: a line that finds the buffer full
// and its flush failing is kept for the next write; only the lines held
// are lost.
func TestBufferOverflowAfterAFailedFlush(t *testing.T) {
	var below failOnce
	b := logger.NewBuffer(&below, time.Hour)
	defer b.Close()

	held := []byte(`{"msg":"held` + strings.Repeat("x", 40<<10) + `"}` + "\n")
	next := []byte(`{"msg":"next` + strings.Repeat("y", 40<<10) + `"}` + "\n")
	if _, err := b.Write(held); err != nil {
		t.Fatal(err)
	}
	// Held and next do not fit 64 KiB together: held is flushed, and fails.
	if n, err := b.Write(next); n != len(next) || err == nil {
		t.Errorf("write after a failed flush: %d, %v; want %d and the flush's error", n, err, len(next))
	}
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	below.mu.Lock()
	defer below.mu.Unlock()
	if got := below.buf.String(); got != string(next) {
		t.Errorf("written: %.40q…, want the next line alone", got)
	}
}
