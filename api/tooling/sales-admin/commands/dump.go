package commands

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/garagesale/service/app/domain/statsapp"
	"github.com/garagesale/service/business/domain"
	"github.com/garagesale/service/business/types/date"
	"github.com/garagesale/service/foundation/blobstore"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

var dumpCmd = Command{
	Name:  "dump",
	Short: "write a day's sales, public fields only, to blob storage as gzipped NDJSON",
	Usage: `Usage:
  sales-admin dump --date DAY [--to BUCKET-URL] [--key KEY] [--quiet]

Writes the sales taken on DAY to the bucket as one object, by default
sales/DAY.ndjson.gz: gzipped NDJSON, a JSON object a line, by the time
each sale was taken, then its ID. A line holds what the public may see:
{"id","takenAt","productID","sellerID","quantity","paid","offline"};
nothing of the buyer, no names, no emails. A day without sales is an
empty gzip file. The same sales always give the same bytes, and the
object is written whole or not at all, so running it again is safe.

--date    a UTC day, 2026-01-02, or yesterday or today (by UTC): what a
          daily job runs is "--date yesterday".
--to      the bucket; SALES_DUMP_TO (or --dump-to before the command)
          when not given:
            file:///var/dumps                 a folder (?create_dir=1 makes it)
            s3://bucket?region=eu-west-1      Amazon S3 or a compatible store
            mem://                            memory: written, then dropped
          Credentials come the way the AWS SDK finds them (AWS_*, or the
          workload's identity). Google Cloud Storage and Azure are one
          import line each in foundation/blobstore.
--key     the object's key instead of sales/DAY.ndjson.gz.
--quiet   no progress bar (there is none unless stderr is a terminal).`,
	Run: runDump,
}

// checkKey refuses an object key that is no plain name within the
// bucket: a folder bucket would escape ".." and "/" into another name
// than the one the dump reports.
func checkKey(key string) error {
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("%q: want a name within the bucket, like sales/2026-12-06.ndjson.gz: no empty, . or .. part, no leading or trailing /", key)
		}
	}
	return nil
}

func runDump(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("dump", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dayArg := fs.String("date", "", "")
	to := fs.String("to", env.DumpTo, "")
	key := fs.String("key", "", "")
	quiet := fs.Bool("quiet", false, "")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("dump: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("dump takes flags only, got %q", fs.Args())
	}

	now := env.Now
	if now == nil {
		now = time.Now
	}
	day, err := parseDay(*dayArg, now())
	fe := map[string]error{"--date": err}
	if *to == "" {
		fe["--to"] = errors.New("is required (or SALES_DUMP_TO): a bucket URL such as file:///var/dumps or s3://bucket?region=eu-west-1")
	}
	if *key != "" {
		fe["--key"] = checkKey(*key)
	}
	if err := flagErrors(fe); err != nil {
		return err
	}
	objKey := cmp.Or(*key, statsapp.DumpKey(day))

	db, err := openDB(ctx, env)
	if err != nil {
		return err
	}
	defer db.Close()
	bucket, err := blobstore.Open(ctx, *to)
	if err != nil {
		return fmt.Errorf("dump %s to %s: %w", day, *to, err)
	}
	defer bucket.Close()

	var bar *progressbar.ProgressBar
	progress := statsapp.Progress{}
	if !*quiet && isTerminal(env.Err) {
		progress.Start = func(total int) { bar = newBar(env.Err, day, total) }
		progress.Add = func() {
			// None when the day had no sales as it was counted.
			if bar != nil {
				_ = bar.Add(1)
			}
		}
	}

	stats := domain.New(domain.Config{DB: db}).Stats
	var sales int
	size, err := blobstore.Write(ctx, bucket, objKey, statsapp.DumpContentType, func(w io.Writer) error {
		var err error
		sales, err = statsapp.WriteDump(ctx, w, stats, day, progress)
		return err
	})
	if bar != nil {
		if err == nil {
			_ = bar.Finish()
		} else {
			_ = bar.Exit()
		}
	}
	if err != nil {
		return fmt.Errorf("dump %s to %s: %w", day, *to, err)
	}

	where := *to + " as " + objKey
	if sales == 0 {
		fmt.Fprintf(env.Out, "no sales were taken on %s: wrote an empty dump to %s (%d bytes)\n", day, where, size)
		return nil
	}
	noun := "sales"
	if sales == 1 {
		noun = "sale"
	}
	fmt.Fprintf(env.Out, "wrote %d %s taken on %s to %s (%d bytes)\n", sales, noun, day, where, size)
	return nil
}

// parseDay reads --date: a UTC day, or yesterday or today as it is now in
// UTC, so a daily job needs no date arithmetic of its shell's.
func parseDay(s string, now time.Time) (date.Date, error) {
	switch s {
	case "":
		return date.Date{}, errors.New("is required: a UTC day like 2026-01-02, or yesterday or today")
	case "today":
		return date.Of(now), nil
	case "yesterday":
		return date.Of(now).AddDays(-1), nil
	}
	d, err := date.Parse(s)
	if err != nil {
		return date.Date{}, errors.New("must be a UTC day like 2026-01-02, or yesterday or today")
	}
	return d, nil
}

// isTerminal reports whether w is a terminal: a progress bar there helps,
// in a log it is noise.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// newBar returns a bar on w counting the sales of day written out of
// total; nil when there are none to count.
func newBar(w io.Writer, day date.Date, total int) *progressbar.ProgressBar {
	if total == 0 {
		return nil
	}
	return progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("dump "+day.String()),
		progressbar.OptionSetItsString("sales"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)
}
