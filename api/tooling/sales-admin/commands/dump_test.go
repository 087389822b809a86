package commands

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/migrate"
	"github.com/garagesale/service/foundation/blobstore"
	"github.com/google/go-cmp/cmp"
)

// dayTwo is the public record of 2026-01-02 in dumpEnv's database: the
// seed's two sales that day and two sales recorded offline, by taken_at
// then ID (the offline one at 10:00 sorts before the seeded one), with
// nothing of their buyers.
const dayTwo = `{"id":"00000000-0000-4000-8000-000000000003","takenAt":"2026-01-02T10:00:00Z","productID":"72f8b983-3eb4-48db-9ed0-e45cc6bd716b","sellerID":"5cf37266-3473-4006-984f-9325122678b7","quantity":1,"paid":0.75,"offline":true}
{"id":"c6a1d3a2-5f0e-4b8e-9a51-6a3f2b7d9e01","takenAt":"2026-01-02T10:00:00Z","productID":"a2b0639f-2cc6-44b8-b97b-15d69dbb511e","sellerID":"5cf37266-3473-4006-984f-9325122678b7","quantity":2,"paid":100,"offline":false}
{"id":"1f4e8b7c-2d3a-4c5b-8e6f-7a9b0c1d2e02","takenAt":"2026-01-02T11:30:00Z","productID":"72f8b983-3eb4-48db-9ed0-e45cc6bd716b","sellerID":"5cf37266-3473-4006-984f-9325122678b7","quantity":5,"paid":3.75,"offline":false}
{"id":"e1000000-0000-4000-8000-000000000001","takenAt":"2026-01-02T23:59:59Z","productID":"0d5d9c5a-3b59-4f27-9b7e-5d5d3a4b8c61","sellerID":"45b5fbd3-755f-4379-8f07-a58d4a30fa2f","quantity":1,"paid":9.99,"offline":true}
`

// dumpEnv is a seeded database with walk-in sales recorded offline on top,
// one at the last instant of 2026-01-02 and one at the first of
// 2026-01-04, and a clock at 2026-01-03 01:00 UTC.
func dumpEnv(t *testing.T, out *bytes.Buffer) (Env, *dbtest.Database) {
	t.Helper()
	env, db := testEnvDB(t, out)
	if err := migrate.Seed(context.Background(), db.DB); err != nil {
		t.Fatalf("seed: %v", err)
	}
	const q = `
	INSERT INTO sales (sale_id, product_id, buyer_id, quantity, paid, date_created, taken_at, client_id, recorded_by)
	SELECT v.sale_id::uuid, v.product_id::uuid, NULL, v.quantity, v.paid, '2026-01-05T12:00:00Z', v.taken_at::timestamptz, v.client_id, p.user_id
	FROM (VALUES
		('00000000-0000-4000-8000-000000000003', '72f8b983-3eb4-48db-9ed0-e45cc6bd716b', 1, 75, '2026-01-02T10:00:00Z', 'phone-a:1'),
		('e1000000-0000-4000-8000-000000000001', '0d5d9c5a-3b59-4f27-9b7e-5d5d3a4b8c61', 1, 999, '2026-01-02T23:59:59.999999Z', 'phone-b:1'),
		('e2000000-0000-4000-8000-000000000002', '98b6d4b8-f04b-4c79-8c2e-a0aef46854b7', 3, 3000, '2026-01-04T00:00:00Z', 'phone-b:2')
	) AS v(sale_id, product_id, quantity, paid, taken_at, client_id)
	JOIN products p ON p.product_id = v.product_id::uuid`
	if _, err := db.DB.Exec(q); err != nil {
		t.Fatalf("insert offline sales: %v", err)
	}
	env.Now = func() time.Time { return time.Date(2026, 1, 3, 1, 0, 0, 0, time.UTC) }
	var errOut bytes.Buffer
	env.Err = &errOut
	return env, db
}

// readDump reads the object at key back through the file:// bucket dir
// (gocloud's fileblob, as a reader of the bucket would), and returns it
// and what it unpacks to, having checked its gzip header holds no name
// and no time.
func readDump(t *testing.T, dir, key string) (raw []byte, ndjson string) {
	t.Helper()
	ctx := context.Background()
	bucket, err := blobstore.Open(ctx, fileURL(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer bucket.Close()
	raw, err = bucket.ReadAll(ctx, key)
	if err != nil {
		t.Fatalf("the dump is not there: %v", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("the dump is no gzip file: %v", err)
	}
	if zr.Name != "" || !zr.ModTime.IsZero() || zr.Comment != "" {
		t.Errorf("gzip header has name %q, time %v, comment %q: want none, so the bytes do not change with them", zr.Name, zr.ModTime, zr.Comment)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("unpack the dump: %v", err)
	}
	return raw, string(body)
}

func fileURL(dir string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(dir)}).String()
}

func TestDump(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	env, db := dumpEnv(t, &out)
	first := t.TempDir()

	tests := []struct {
		name    string
		args    func(dir string) []string
		dumpTo  string // SALES_DUMP_TO
		key     string
		want    string // what the object unpacks to
		wantOut string // what the command says, %s the bucket URL
	}{
		{
			name: "a day's sales, and only they",
			args: func(dir string) []string { return []string{"--date", "2026-01-02", "--to", fileURL(dir)} },
			key:  "sales/2026-01-02.ndjson.gz", want: dayTwo,
			wantOut: "wrote 4 sales taken on 2026-01-02 to %s as sales/2026-01-02.ndjson.gz",
		},
		{
			name: "yesterday is the UTC day before the clock's",
			args: func(dir string) []string { return []string{"--date", "yesterday", "--to", fileURL(dir)} },
			key:  "sales/2026-01-02.ndjson.gz", want: dayTwo,
			wantOut: "wrote 4 sales taken on 2026-01-02 to %s as sales/2026-01-02.ndjson.gz",
		},
		{
			name:   "the bucket from SALES_DUMP_TO, a key of one's own",
			args:   func(string) []string { return []string{"--date", "2026-01-04", "--key", "public/day.gz"} },
			dumpTo: "dir", key: "public/day.gz",
			want:    `{"id":"e2000000-0000-4000-8000-000000000002","takenAt":"2026-01-04T00:00:00Z","productID":"98b6d4b8-f04b-4c79-8c2e-a0aef46854b7","sellerID":"45b5fbd3-755f-4379-8f07-a58d4a30fa2f","quantity":3,"paid":30,"offline":true}` + "\n",
			wantOut: "wrote 1 sale taken on 2026-01-04 to %s as public/day.gz",
		},
		{
			name: "today is the clock's UTC day",
			args: func(dir string) []string { return []string{"--date", "today", "--to", fileURL(dir), "--quiet"} },
			key:  "sales/2026-01-03.ndjson.gz", want: `{"id":"9b8a7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c03","takenAt":"2026-01-03T09:15:00Z","productID":"98b6d4b8-f04b-4c79-8c2e-a0aef46854b7","sellerID":"45b5fbd3-755f-4379-8f07-a58d4a30fa2f","quantity":1,"paid":12.5,"offline":false}` + "\n",
			wantOut: "wrote 1 sale taken on 2026-01-03 to %s as sales/2026-01-03.ndjson.gz",
		},
		{
			name: "a day without sales is an empty gzip file",
			args: func(dir string) []string { return []string{"--date", "2026-01-05", "--to", fileURL(dir)} },
			key:  "sales/2026-01-05.ndjson.gz", want: "",
			wantOut: "no sales were taken on 2026-01-05: wrote an empty dump to %s as sales/2026-01-05.ndjson.gz",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			env := env
			if tt.dumpTo != "" {
				env.DumpTo = fileURL(dir)
			}
			got := run(t, env, "dump", tt.args(dir)...)
			if want := strings.ReplaceAll(tt.wantOut, "%s", fileURL(dir)); !strings.HasPrefix(got, want+" (") {
				t.Errorf("dump said %q, want %q (N bytes)", got, want)
			}
			_, body := readDump(t, dir, tt.key)
			if diff := cmp.Diff(strings.Split(tt.want, "\n"), strings.Split(body, "\n")); diff != "" {
				t.Errorf("the dump's lines (-want +got):\n%s", diff)
			}
		})
	}

	// Not a terminal: no progress bar, nothing on stderr.
	if msg := env.Err.(*bytes.Buffer).String(); msg != "" {
		t.Errorf("stderr, not a terminal, got %q", msg)
	}

	t.Run("the dump holds exactly the day's sales in the database", func(t *testing.T) {
		var want []string
		const q = `SELECT CAST(sale_id AS text) FROM sales
		WHERE taken_at >= '2026-01-02T00:00:00Z' AND taken_at < '2026-01-03T00:00:00Z'
		ORDER BY taken_at, sale_id`
		if err := db.DB.Select(&want, q); err != nil {
			t.Fatal(err)
		}
		run(t, env, "dump", "--date", "2026-01-02", "--to", fileURL(first))
		_, body := readDump(t, first, "sales/2026-01-02.ndjson.gz")
		var got []string
		for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
			var sale struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal([]byte(line), &sale); err != nil {
				t.Fatalf("line %q: %v", line, err)
			}
			got = append(got, sale.ID)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("sale IDs (-database +dump):\n%s", diff)
		}
	})

	t.Run("the same day dumps to the same bytes", func(t *testing.T) {
		second := t.TempDir()
		run(t, env, "dump", "--date", "2026-01-02", "--to", fileURL(first))
		later := env
		later.Now = func() time.Time { return time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC) }
		run(t, later, "dump", "--date", "2026-01-02", "--to", fileURL(second))
		a, _ := readDump(t, first, "sales/2026-01-02.ndjson.gz")
		b, _ := readDump(t, second, "sales/2026-01-02.ndjson.gz")
		if !bytes.Equal(a, b) {
			t.Errorf("two dumps of 2026-01-02 differ:\n%x\n%x", a, b)
		}
	})

	t.Run("?create_dir=1 makes the folder", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "dumps", "daily")
		run(t, env, "dump", "--date", "2026-01-02", "--to", fileURL(dir)+"?create_dir=1")
		if _, got := readDump(t, dir, "sales/2026-01-02.ndjson.gz"); got != dayTwo {
			t.Errorf("the dump in the folder create_dir made holds:\n%s", got)
		}
	})

	t.Run("mem:// takes the dump", func(t *testing.T) {
		got := run(t, env, "dump", "--date", "2026-01-02", "--to", "mem://")
		if !strings.HasPrefix(got, "wrote 4 sales taken on 2026-01-02 to mem:// as sales/2026-01-02.ndjson.gz (") {
			t.Errorf("dump said %q", got)
		}
	})
}

// TestDumpErrors: a dump that cannot be made says why, naming the flag,
// and writes nothing.
func TestDumpErrors(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	env := testEnv(t, &out)
	dir := t.TempDir()

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no date", []string{"--to", fileURL(dir)}, "--date: is required"},
		{"a date that is none", []string{"--date", "2026-02-30", "--to", fileURL(dir)}, "--date: must be a UTC day like 2026-01-02, or yesterday or today"},
		{"no bucket", []string{"--date", "2026-01-02"}, "--to: is required (or SALES_DUMP_TO)"},
		{"both", nil, "--date: is required: a UTC day like 2026-01-02, or yesterday or today; --to: is required"},
		{"a scheme no driver has", []string{"--date", "2026-01-02", "--to", "ftp://host/dir"}, `no driver registered for "ftp"`},
		{"a folder that is not there", []string{"--date", "2026-01-02", "--to", fileURL(filepath.Join(dir, "missing"))}, "dump 2026-01-02 to " + fileURL(filepath.Join(dir, "missing")) + ": the folder " + filepath.ToSlash(filepath.Join(dir, "missing")) + " does not exist: create it, or add ?create_dir=1 to the URL to have it made (" + fileURL(filepath.Join(dir, "missing")) + "?create_dir=1)"},
		{"an argument", []string{"--date", "2026-01-02", "--to", fileURL(dir), "extra"}, `dump takes flags only, got ["extra"]`},
		{"an unknown flag", []string{"--day", "2026-01-02"}, "flag provided but not defined: -day"},
		// A folder bucket would store these under escaped names, not
		// where the dump said it wrote.
		{"a key out of the bucket", []string{"--date", "2026-01-02", "--to", fileURL(dir), "--key", "../../escape.gz"}, `--key: "../../escape.gz": want a name within the bucket`},
		{"a key from the root", []string{"--date", "2026-01-02", "--to", fileURL(dir), "--key", "/etc/x.gz"}, "no leading or trailing /"},
		{"a folder URL with a host", []string{"--date", "2026-01-02", "--to", "file://dumps/daily"}, `file://dumps/daily names the host "dumps": a folder's URL is file:// and its absolute path`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := dumpCmd.Run(context.Background(), env, tt.args)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed dumps wrote %d entries", len(entries))
	}
}
