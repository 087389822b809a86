package commands

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
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
