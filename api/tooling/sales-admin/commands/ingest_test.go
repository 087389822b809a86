package commands

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestIngest replays a seller's file: each line answered, a second run
// answering duplicate for what the first recorded.
func TestIngest(t *testing.T) {
	var out bytes.Buffer
	env, db := testEnvDB(t, &out)
	run(t, env, "seed", "--dev")

	// Board Games, user@example.com's, 3 in stock.
	const games = "0d5d9c5a-3b59-4f27-9b7e-5d5d3a4b8c61"
	file := filepath.Join(t.TempDir(), "sales.ndjson")
	// Taken within the last hour: uploads take the last 30 days.
	at := func(minute int) string {
		return time.Now().UTC().Add(time.Duration(minute-60) * time.Minute).Format(time.RFC3339)
	}
	lines := []string{
		`{"id":"t1-0001","productID":"` + games + `","quantity":2,"paid":19.98,"takenAt":"` + at(15) + `"}`,
		`{"id":"t1-0002","productID":"` + games + `","quantity":2,"paid":19.98,"takenAt":"` + at(20) + `"}`,
		`{"id":"t1-0003","productID":"a2b0639f-2cc6-44b8-b97b-15d69dbb511e","quantity":1,"paid":50,"takenAt":"` + at(25) + `"}`,
		`{"id":"t1-0004","productID":"` + games + `","quantity":1,"paid":9.99,"takenAt":"` + at(30) + `"}`,
	}
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	statuses := func(out string) []string {
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			for _, s := range []string{`"status":"created"`, `"status":"duplicate"`, `"status":"rejected"`, `"status":"summary"`} {
				if strings.Contains(l, s) {
					got = append(got, strings.TrimSuffix(strings.TrimPrefix(s, `"status":"`), `"`))
				}
			}
		}
		return got
	}
	first := run(t, env, "ingest", file, "--as", "user@example.com")
	if diff := cmp.Diff([]string{"created", "rejected", "rejected", "created", "summary"}, statuses(first)); diff != "" {
		t.Fatalf("first run (-want +got):\n%s\n%s", diff, first)
	}
	for _, want := range []string{"oversold: 2 wanted, 1 left", "not your product", `"summary":{"lines":4,"created":2,"duplicate":0,"rejected":2}`} {
		if !strings.Contains(first, want) {
			t.Errorf("first run lacks %q:\n%s", want, first)
		}
	}
	again := run(t, env, "ingest", file, "--as", "user@example.com")
	if diff := cmp.Diff([]string{"duplicate", "rejected", "rejected", "duplicate", "summary"}, statuses(again)); diff != "" {
		t.Errorf("second run (-want +got):\n%s\n%s", diff, again)
	}
	var n int
	if err := db.DB.Get(&n, `SELECT count(*) FROM sales WHERE client_id LIKE 't1-%'`); err != nil || n != 2 {
		t.Errorf("sales recorded: %d (%v), want 2", n, err)
	}
}

// TestIngestInterrupted: Ctrl-C in the middle of a file says where it
// stopped and that the lines before were recorded, not that the database
// failed; a second run goes on from there.
func TestIngestInterrupted(t *testing.T) {
	var out bytes.Buffer
	env, db := testEnvDB(t, &out)
	run(t, env, "seed", "--dev")
	const games = "0d5d9c5a-3b59-4f27-9b7e-5d5d3a4b8c61"
	at := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	var file strings.Builder
	for i := range 1500 {
		fmt.Fprintf(&file, `{"id":"int-%04d","productID":"%s","quantity":1,"paid":9.99,"takenAt":"%s"}`+"\n", i, games, at)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	answers := &lineCounter{}
	env.Out = answers
	// The interrupt comes once the first thousand lines are answered,
	// while the next are read.
	env.In = &interrupter{r: strings.NewReader(file.String()), at: 1200, before: func() {
		for answers.count() < ingestBatch {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
	}}
	cmd, _ := Lookup("ingest")
	err := cmd.Run(ctx, env, []string{"-", "--as", "user@example.com"})
	if !errors.Is(err, errStopped) || !strings.Contains(err.Error(), "at line 1001: the lines before were recorded") {
		t.Fatalf("error %v, want one saying it stopped at line 1001", err)
	}
	if n := answers.count(); n != ingestBatch {
		t.Errorf("%d answers, want %d and no summary", n, ingestBatch)
	}
	var recorded int
	if err := db.DB.Get(&recorded, `SELECT count(*) FROM sales WHERE client_id LIKE 'int-%'`); err != nil {
		t.Fatal(err)
	}
	if recorded > ingestBatch {
		t.Errorf("%d lines recorded, want at most the %d answered", recorded, ingestBatch)
	}

	// Run again, it goes on: what was recorded is a duplicate, and every
	// line is answered once, with the summary.
	var again bytes.Buffer
	env.Out, env.In = &again, strings.NewReader(file.String())
	if err := cmd.Run(context.Background(), env, []string{"-", "--as", "user@example.com"}); err != nil {
		t.Fatalf("second run: %v", err)
	}
	if want := fmt.Sprintf(`"summary":{"lines":1500,"created":0,"duplicate":%d,`, recorded); !strings.Contains(again.String(), want) {
		t.Errorf("second run lacks %s:\n%s", want, again.String()[max(0, again.Len()-300):])
	}
}

// lineCounter counts the lines written to it, safely across goroutines.
type lineCounter struct {
	mu sync.Mutex
	n  int
}

func (c *lineCounter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n += bytes.Count(p, []byte("\n"))
	return len(p), nil
}

func (c *lineCounter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// interrupter reads r, running before once when it has passed line at.
type interrupter struct {
	r      io.Reader
	at     int
	lines  int
	before func()
	done   bool
}

func (i *interrupter) Read(p []byte) (int, error) {
	if !i.done && i.lines >= i.at {
		i.done = true
		i.before()
	}
	n, err := i.r.Read(p[:min(len(p), 512)])
	i.lines += bytes.Count(p[:n], []byte("\n"))
	return n, err
}
