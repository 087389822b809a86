package commands

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/garagesale/service/app/domain/saleapp"
	"github.com/garagesale/service/business/domain"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/types/email"
	"github.com/schollz/progressbar/v3"
)

var ingestCmd = Command{
	Name:  "ingest",
	Short: "record a file of sales made offline (NDJSON), as the seller they belong to",
	Usage: `Usage:
  sales-admin ingest FILE --as EMAIL [--quiet]

Records the sales in FILE, one JSON object a line, as POST /v1/sales/ingest
records an upload from the seller EMAIL: for an ADMIN replaying an upload
that a seller's device could not finish. Each line's outcome (created,
duplicate, rejected with the reason) is written to standard output as an
NDJSON line, then a summary. Lines already recorded answer duplicate, so
running it again is safe. FILE - reads standard input. Lines are held to
the API's default limit (4096 bytes). It exits 0 once every line is
answered, rejected ones too; not 0 when it could not go on.

--as      the seller's email: every line must be a sale of their products.
--quiet   no progress bar (there is none unless stderr is a terminal).`,
	Run: runIngest,
}

// maxIngestLine is the longest line ingest reads: the API's default, so a
// file replayed here is answered as its upload was.
const maxIngestLine = 4 << 10

// ingestBatch is the most lines ingest records in one transaction: ten
// times the API's batch, whose size keeps an answer close behind its
// line. A file has no one waiting on a line: fewer, larger transactions
// halve the time a line takes.
const ingestBatch = 10 * saleapp.BatchLines

func runIngest(ctx context.Context, env Env, args []string) (err error) {
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	as := fs.String("as", "", "")
	quiet := fs.Bool("quiet", false, "")
	// The file may come before the flags, as the usage shows it.
	var file string
	if len(args) > 0 && (args[0] == "-" || args[0] != "" && args[0][0] != '-') {
		file, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	if file == "" && fs.NArg() == 1 {
		file = fs.Arg(0)
	}
	if file == "" || *as == "" {
		return errors.New("ingest: name the file and the seller: sales-admin ingest FILE --as EMAIL")
	}
	addr, err := email.Parse(*as)
	if err != nil {
		return fmt.Errorf("ingest: --as: %w", err)
	}

	in, size, err := openInput(file, env.In)
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	defer in.Close()

	db, err := openDB(ctx, env)
	if err != nil {
		return err
	}
	defer db.Close()
	bs := domain.New(domain.Config{DB: db})
	seller, err := bs.User.QueryByEmail(ctx, addr)
	if errors.Is(err, userbus.ErrNotFound) {
		return fmt.Errorf("ingest: no user %s", addr)
	}
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	if !seller.Enabled {
		// As the API: a disabled user's token is refused, uploads too.
		return fmt.Errorf("ingest: %s is disabled: no sales are recorded for them", addr)
	}

	var r io.Reader = in
	if !*quiet && isTerminal(env.Err) {
		bar := progressbar.NewOptions64(size,
			progressbar.OptionSetWriter(env.Err),
			progressbar.OptionSetDescription("ingest "+file),
			progressbar.OptionShowBytes(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(env.Err) }),
		)
		reader := progressbar.NewReader(in, bar)
		r = &reader
		defer func() {
			// An error starts on a line of its own, not after the bar.
			if err != nil && !bar.IsFinished() {
				fmt.Fprintln(env.Err)
			}
		}()
	}

	lines := make(chan saleapp.Line, ingestBatch)
	readErr := make(chan error, 1)
	go func() {
		_, err := saleapp.ReadLines(ctx, r, maxIngestLine, nil, lines)
		close(lines)
		readErr <- err
	}()

	enc := json.NewEncoder(env.Out)
	enc.SetEscapeHTML(false)
	var sum saleapp.IngestSummary
	answered := 0 // the last line answered
	batch := make([]saleapp.Line, 0, ingestBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		results, err := saleapp.RecordBatch(ctx, bs.Sale, seller.ID, true, batch)
		switch {
		case err != nil && ctx.Err() != nil:
			return stopped(batch[0].N)
		case err != nil:
			return fmt.Errorf("ingest: %w (lines before were recorded: run it again to go on)", err)
		}
		for _, res := range results {
			sum.Add(res)
			answered = res.Line
			if err := enc.Encode(res); err != nil {
				return fmt.Errorf("ingest: write: %w", err)
			}
		}
		batch = batch[:0]
		return nil
	}
	for l := range lines {
		if batch = append(batch, l); len(batch) == ingestBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if err := <-readErr; err != nil {
		if ctx.Err() != nil {
			return stopped(answered + 1)
		}
		return fmt.Errorf("ingest: read %s: %w", file, err)
	}
	return enc.Encode(saleapp.IngestResult{Status: "summary", Summary: &sum})
}

// errStopped is an ingest interrupted (Ctrl-C, SIGTERM): no failure of
// the database's, whatever the transaction that was cut reports.
var errStopped = errors.New("ingest: stopped")

// stopped says where an interrupted ingest stopped and how to go on.
func stopped(line int) error {
	return fmt.Errorf("%w at line %d: the lines before were recorded and answered above; run it again to go on", errStopped, line)
}

// openInput opens the file to read, or stdin for "-", with its size for
// the progress bar (-1 when unknown).
func openInput(file string, stdin io.Reader) (io.ReadCloser, int64, error) {
	if file == "-" {
		return io.NopCloser(stdin), -1, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, 0, err
	}
	size := int64(-1)
	if fi, err := f.Stat(); err == nil {
		if fi.IsDir() {
			f.Close()
			return nil, 0, fmt.Errorf("%s is a folder: name a file of sales", file)
		}
		size = fi.Size()
	}
	return f, size, nil
}
