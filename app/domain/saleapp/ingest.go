package saleapp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/garagesale/service/app/sdk/apidoc"
	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/mid"
	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/app/sdk/valid"
	"github.com/garagesale/service/business/domain/salebus"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/business/types/money"
	"github.com/garagesale/service/foundation/web"
	"github.com/google/uuid"
)

// IngestConfig bounds an upload of offline sales. Zero values take the
// defaults.
type IngestConfig struct {
	// MaxLineBytes is the longest line taken; a longer one is rejected
	// without stopping the stream.
	MaxLineBytes int
	// MaxBytes is the most a stream may carry; past it the stream stops.
	MaxBytes int64
	// IdleTimeout is how long the stream may go without a line (blank
	// lines do not count).
	IdleTimeout time.Duration
	// MaxDuration is the longest a stream may run.
	MaxDuration time.Duration
	// MinRate is the fewest bytes a second a stream must send, counted
	// over the time spent waiting for it once that is twice IdleTimeout
	// (a silent stream meets the idle deadline first).
	MinRate int
	// MaxStreams is how many uploads run at once, one per user and, of two
	// or more, the last for an ADMIN; more are answered 503 (429 to a user
	// with one running).
	MaxStreams int
	// BatchTimeout and CommitGrace bound the work of each batch of
	// lines as the request deadline bounds a request's.
	BatchTimeout time.Duration
	CommitGrace  time.Duration
}

func (c IngestConfig) withDefaults() IngestConfig {
	if c.MaxLineBytes <= 0 {
		c.MaxLineBytes = 4 << 10
	}
	if c.MaxBytes <= 0 {
		c.MaxBytes = 64 << 20
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 30 * time.Second
	}
	if c.MaxDuration <= 0 {
		c.MaxDuration = 10 * time.Minute
	}
	if c.MinRate <= 0 {
		c.MinRate = 1024
	}
	if c.MaxStreams <= 0 {
		c.MaxStreams = 2
	}
	if c.BatchTimeout <= 0 {
		c.BatchTimeout = 5 * time.Second
	}
	return c
}

// BatchLines is the most lines recorded in one transaction: few
// statements per hundred sales, and an answer close behind its line.
const BatchLines = 100

// OfflineSale is one line of POST /v1/sales/ingest: a sale of one of the
// caller's products, recorded at their table while offline.
type OfflineSale struct {
	ID        string     `json:"id" validate:"required,max=100" openapi:"minLength=1" doc:"the id the seller's device gave the sale; uploading it again records nothing"`
	ProductID string     `json:"productID" validate:"required" openapi:"format=uuid"`
	Quantity  *int       `json:"quantity" validate:"required" openapi:"minimum=1,maximum=1000000"`
	Paid      money.Sent `json:"paid" validate:"required" openapi:"type=number,minimum=0,maximum=1000000000" doc:"what the buyer paid in all, in currency units, at most 2 decimals"`
	TakenAt   string     `json:"takenAt" validate:"required" openapi:"format=date-time" doc:"when the sale was made (RFC 3339)"`
	BuyerID   string     `json:"buyerID,omitempty" openapi:"format=uuid" doc:"the buyer's account; leave it out for a walk-in buyer"`
}

// IngestResult is one line of the answer: what became of the body's line
// of that number, or, last, the Summary.
type IngestResult struct {
	Line    int            `json:"line,omitempty" doc:"the body's line number, from 1"`
	ID      string         `json:"id,omitempty" doc:"the line's id"`
	Status  string         `json:"status" openapi:"enum=created|duplicate|rejected|stopped|summary"`
	SaleID  string         `json:"saleID,omitempty" openapi:"format=uuid" doc:"the sale recorded, now (created) or by an earlier upload (duplicate)"`
	Reason  string         `json:"reason,omitempty" doc:"why the line was rejected, or the stream stopped"`
	Summary *IngestSummary `json:"summary,omitempty"`
}

// IngestSummary counts the outcomes of a stream's lines.
type IngestSummary struct {
	Lines     int `json:"lines"`
	Created   int `json:"created"`
	Duplicate int `json:"duplicate"`
	Rejected  int `json:"rejected"`
}

func toBusOfflineSale(app OfflineSale) (salebus.OfflineSale, error) {
	fe := valid.Fields(app)
	productID, q, paid := parsePurchase(fe, app.ProductID, app.Quantity, app.Paid)
	takenAt, err := time.Parse(time.RFC3339Nano, app.TakenAt)
	if err != nil {
		fe.Add("takenAt", errors.New("must be an RFC 3339 time, like 2026-11-29T14:30:00Z"))
	}
	var buyerID uuid.UUID
	if app.BuyerID != "" {
		buyerID, err = query.ParseUUID(app.BuyerID)
		if err == nil && buyerID == uuid.Nil {
			// The nil UUID is how the business says "no buyer": sent, it
			// would quietly record a walk-in sale.
			err = errors.New("no user has the nil UUID: leave buyerID out for a walk-in buyer")
		}
		fe.Add("buyerID", err)
	}
	if err := fe.ToError(); err != nil {
		return salebus.OfflineSale{}, err
	}
	return salebus.OfflineSale{
		ClientID: app.ID, ProductID: productID, BuyerID: buyerID,
		Quantity: q, Paid: paid, TakenAt: takenAt,
	}, nil
}

// ingest checks the request and returns the stream that answers it.
func (h *handlers) ingest(ctx context.Context, r *http.Request) (any, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != apidoc.NDJSON && mt != "application/jsonl") {
		return nil, errs.Newf(errs.UnsupportedMediaType, "the body must be %s: one JSON sale per line", apidoc.NDJSON)
	}
	if err := web.CheckEncoding(r); err != nil {
		return nil, errs.Of(err)
	}
	seller, admin := caller(ctx)
	if err := h.uploads.take(seller, admin); err != nil {
		return nil, err
	}
	// The stream runs under the request's own context, which lacks what
	// authentication put in this one: it keeps that, for the rechecks.
	return &ingestStream{h: h, r: r, seller: seller, mayNameBuyers: admin, start: time.Now(), auth: context.WithoutCancel(ctx)}, nil
}

// MaxRejected is how many rejected lines an upload answers before it
// stops.
const MaxRejected = 1000

// ingestStream answers one upload (see Stream).
type ingestStream struct {
	h      *handlers
	r      *http.Request
	seller uuid.UUID
	// mayNameBuyers lets lines name a buyer's account: an ADMIN's upload
	// only (see RecordBatch).
	mayNameBuyers bool
	start         time.Time
	auth          context.Context // the caller as authenticated (mid.Recheck)

	// What became of it, for its log line (Outcome).
	sum     IngestSummary
	stopped string
}

var _ mid.Outcomer = (*ingestStream)(nil)

// Outcome implements mid.Outcomer: the lines answered and, when the
// stream was cut short, why.
func (s *ingestStream) Outcome() []any {
	out := []any{"lines", s.sum.Lines, "created", s.sum.Created, "duplicate", s.sum.Duplicate, "rejected", s.sum.Rejected}
	if s.stopped != "" {
		out = append(out, "stopped", s.stopped)
	}
	return out
}

// Line is one line of an upload as read, or the reason it could not be.
type Line struct {
	N    int
	Data []byte
	Err  error // a line too long; or the stream's end (io.EOF) or failure
}

// Stream reads the body line by line and answers each as its batch is
// recorded, both directions at once, holding one batch in memory. A bad
// line is rejected and the next one read; only the stream's limits and a
// database that stops answering end it early, with a "stopped" line that
// says from which line to upload again.
func (s *ingestStream) Stream(ctx context.Context, w http.ResponseWriter) (status int, err error) {
	release := sync.OnceFunc(func() { s.h.uploads.release(s.seller) })
	defer release()
	cfg := s.h.ingestCfg
	rc := http.NewResponseController(w)
	// Unsupported by a test recorder; a real connection supports all.
	_ = rc.EnableFullDuplex()

	w.Header().Set("Content-Type", apidoc.NDJSON)
	w.WriteHeader(http.StatusOK)

	lines := make(chan Line, BatchLines)
	// net/http cancels ctx when a read of the body fails (a deadline
	// too): the reader must still hand over why, so it lives until the
	// handler stops it.
	readCtx, stopReading := context.WithCancel(context.WithoutCancel(ctx))
	read := make(chan struct{})
	body := &endReader{r: s.r.Body}
	go func() {
		defer close(read)
		s.read(readCtx, rc, body, lines)
	}()
	// The reader must be gone before the handler returns (net/http owns
	// the body then): a read under way is cut short by a deadline now.
	// Not one past the body's end: net/http reads the idle connection
	// from there (for the client's next request, or its going away), and
	// a deadline failing that read cancels the context of every later
	// request on the connection, which then answer 499.
	defer func() {
		stopReading()
		cut := false // a deadline was set to stop a read
		for done := false; !done; {
			if body.ended.Load() {
				<-read
				break
			}
			cut = true
			_ = rc.SetReadDeadline(time.Now())
			select {
			case <-read:
				done = true
			case <-time.After(50 * time.Millisecond):
				// It set a deadline of its own before it saw the end.
			}
		}
		if cut && body.ended.Load() {
			// The end arrived as the deadline was set, so net/http's
			// read beyond it may have failed: the connection is not
			// kept for another request. The answer loses its closing
			// chunk, after every line of it was sent.
			_ = rc.SetWriteDeadline(time.Now())
		}
	}()

	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	sum := &s.sum
	answered := 0 // the last line answered
	send := func(res IngestResult) error {
		if res.Status == "stopped" {
			s.stopped = res.Reason
		}
		_ = rc.SetWriteDeadline(time.Now().Add(cfg.IdleTimeout))
		if err := enc.Encode(res); err != nil {
			return clientGone("write the answer", err)
		}
		answered = max(answered, res.Line)
		return nil
	}

	for {
		batch, end := collect(lines)
		if err := s.record(ctx, batch, sum, send); err != nil {
			return http.StatusOK, err
		}
		if end == nil && sum.Rejected >= MaxRejected {
			// A file that is mostly wrong is answered no further: each
			// rejection is a line of answer, and two bytes of upload
			// ("1\n") would buy a hundred.
			reason := fmt.Sprintf("%d lines were rejected: line %d and after were not read; fix the file and upload it again (lines recorded before are answered duplicate)", sum.Rejected, answered+1)
			if err := send(IngestResult{Line: answered + 1, Status: "stopped", Reason: reason}); err != nil {
				return http.StatusOK, err
			}
			break
		}
		if end != nil {
			// Every line is recorded: the slot is free before the client
			// reads the last answer, so an upload sent as soon as it has
			// (after a stream was cut, say) is not refused as a second.
			release()
			if !errors.Is(end.Err, io.EOF) {
				if err := send(IngestResult{Line: end.N, Status: "stopped", Reason: end.Err.Error()}); err != nil {
					return http.StatusOK, err
				}
			}
			break
		}
		if err := rc.Flush(); err != nil {
			return http.StatusOK, clientGone("flush the answer", err)
		}
	}
	if err := send(IngestResult{Status: "summary", Summary: sum}); err != nil {
		return http.StatusOK, err
	}
	_ = rc.Flush()
	return http.StatusOK, nil
}

// collect waits for a line, then takes the lines already read, up to a
// batch: a fast upload is recorded a hundred lines at a time, a slow one
// line by line. end is the stream's last line when it came, or an
// interruption when the reader closed lines without one.
func collect(lines <-chan Line) (batch []Line, end *Line) {
	l, ok := <-lines
	for {
		if !ok {
			return batch, &Line{Err: fmt.Errorf("%w: the upload was interrupted", errStop)}
		}
		if errors.Is(l.Err, io.EOF) || errors.Is(l.Err, errStop) {
			return batch, &l
		}
		batch = append(batch, l)
		if len(batch) == BatchLines {
			return batch, nil
		}
		select {
		case l, ok = <-lines:
		default:
			return batch, nil
		}
	}
}

// clientGone is an answer that could not be written: its client stopped
// reading, or went, which is no failure of the service (a 499 in the
// metrics, not a 500).
func clientGone(what string, err error) error {
	return &errs.Error{Code: errs.ClientClosed, Message: "the client stopped reading the answer", Cause: fmt.Errorf("%s: %w: %w", what, web.ErrClientGone, err)}
}

// errStop wraps the reasons a stream ends before its body does.
var errStop = errors.New("the stream stopped")

// read sends the body's lines to lines, bounded by the config's limits,
// ends with an io.EOF or errStop line and closes lines.
func (s *ingestStream) read(ctx context.Context, rc *http.ResponseController, r *endReader, lines chan<- Line) {
	defer close(lines)
	cfg := s.h.ingestCfg
	body := &pacedReader{r: http.MaxBytesReader(nil, io.NopCloser(r), cfg.MaxBytes), minRate: cfg.MinRate, grace: 2 * cfg.IdleTimeout}
	stopAt := s.start.Add(cfg.MaxDuration)
	before := func() {
		if r.ended.Load() {
			// Past the end the deadline would be net/http's read of the
			// idle connection's (see Stream).
			return
		}
		deadline := time.Now().Add(cfg.IdleTimeout)
		if deadline.After(stopAt) {
			deadline = stopAt
		}
		_ = rc.SetReadDeadline(deadline)
	}
	n, err := ReadLines(ctx, body, cfg.MaxLineBytes, before, lines)
	end := Line{N: n + 1, Err: io.EOF}
	if err != nil {
		end.Err = fmt.Errorf("%w: %s", errStop, readFailure(err, cfg, n+1, !time.Now().Before(stopAt)))
	}
	select {
	case lines <- end:
	case <-ctx.Done():
	}
}

// ReadLines sends r's lines to lines, numbered from 1, until r ends
// (nil) or fails (the error), and returns how many it read. A line longer
// than maxLine bytes is sent with an error and skipped to its end; blank
// lines are skipped; a UTF-8 byte order mark opening r, which editors on
// Windows write, is no part of the first line. before runs before the first read and after each line
// that is not blank (a deadline: blank lines must not put it off); it may
// be nil. It stops early, returning ctx's error, when ctx ends.
func ReadLines(ctx context.Context, r io.Reader, maxLine int, before func(), lines chan<- Line) (int, error) {
	// Room for the line and its end, "\r\n" too: a line's bytes count,
	// its end does not.
	br := bufio.NewReaderSize(r, maxLine+2)
	send := func(l Line) error {
		select {
		case lines <- l:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	progress := true
	for n := 1; ; n++ {
		if progress && before != nil {
			before()
		}
		progress = true
		data, err := br.ReadSlice('\n')
		if n == 1 {
			data = bytes.TrimPrefix(data, []byte("\ufeff"))
		}
		if errors.Is(err, bufio.ErrBufferFull) || len(bytes.TrimRight(data, "\r\n")) > maxLine {
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			if err == nil || errors.Is(err, io.EOF) {
				if serr := send(Line{N: n, Err: fmt.Errorf("the line is longer than %d bytes", maxLine)}); serr != nil {
					return n, serr
				}
			}
		} else if len(bytes.TrimSpace(data)) > 0 && (err == nil || errors.Is(err, io.EOF)) {
			if serr := send(Line{N: n, Data: bytes.Clone(data)}); serr != nil {
				return n, serr
			}
		} else {
			progress = false
		}
		switch {
		case err == nil:
		case errors.Is(err, io.EOF):
			return n, nil
		default:
			return n - 1, err
		}
	}
}

// readFailure says why the body could not be read further, and where to
// resume; overtime is a stream past its longest run.
func readFailure(err error, cfg IngestConfig, n int, overtime bool) string {
	var tooLarge *http.MaxBytesError
	var netErr interface{ Timeout() bool }
	switch {
	case errors.As(err, &tooLarge):
		return fmt.Sprintf("the stream is over %d bytes: line %d and after were not read; upload them in another request", cfg.MaxBytes, n)
	case errors.Is(err, errTooSlow):
		return fmt.Sprintf("the stream came slower than %d bytes a second: line %d and after were not read; upload them in another request", cfg.MinRate, n)
	case errors.As(err, &netErr) && netErr.Timeout() && overtime:
		return fmt.Sprintf("the stream ran longer than %s: line %d and after were not read; upload them in another request", cfg.MaxDuration, n)
	case errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Sprintf("no line came for %s: line %d and after were not read; upload them in another request", cfg.IdleTimeout, n)
	}
	return fmt.Sprintf("the body could not be read from line %d: upload it again from there", n)
}

// record records a batch and answers each of its lines, in order, or a
// stopped line saying where to resume when it cannot.
func (s *ingestStream) record(ctx context.Context, batch []Line, sum *IngestSummary, send func(IngestResult) error) error {
	cfg := s.h.ingestCfg
	batchCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.BatchTimeout)
	defer cancel()
	if deadline, ok := batchCtx.Deadline(); ok && cfg.CommitGrace > 0 {
		batchCtx = sqldb.WithCommitDeadline(batchCtx, deadline.Add(cfg.CommitGrace))
	}
	// The caller may have been disabled, demoted or revoked since the
	// stream began: each batch is recorded with the rights they have now.
	if len(batch) > 0 {
		authCtx, cancel := context.WithTimeout(s.auth, cfg.BatchTimeout)
		err := mid.Recheck(authCtx)
		cancel()
		if err != nil {
			reason := fmt.Sprintf("%s: line %d and after were not recorded", errs.Of(err).Message, batch[0].N)
			// What stopped the stream is the error, its answer unwritten
			// or not.
			err = fmt.Errorf("ingest: the caller's token no longer stands: %w", err)
			if serr := send(IngestResult{Line: batch[0].N, Status: "stopped", Reason: reason}); serr != nil {
				return fmt.Errorf("%w (its stopped line unwritten: %v)", err, serr)
			}
			return err
		}
	}
	results, err := RecordBatch(batchCtx, s.h.saleBus, s.seller, s.mayNameBuyers, batch)
	if err != nil {
		var rec *RecordError
		errors.As(err, &rec)
		why := "the service could not record them"
		if e := errs.Of(err); e.Code != errs.Internal {
			why = e.Message
		}
		reason := fmt.Sprintf("%s: line %d and after were not recorded; upload them again (lines recorded before are answered duplicate)", why, rec.From)
		if serr := send(IngestResult{Line: rec.From, Status: "stopped", Reason: reason}); serr != nil {
			// The database's failure counts, not the client's.
			return fmt.Errorf("%w (its stopped line unwritten: %v)", err, serr)
		}
		return err
	}
	for _, res := range results {
		sum.Add(res)
		if err := send(res); err != nil {
			return err
		}
	}
	return nil
}

// Add counts res.
func (sum *IngestSummary) Add(res IngestResult) {
	sum.Lines++
	switch res.Status {
	case salebus.Created:
		sum.Created++
	case salebus.Duplicate:
		sum.Duplicate++
	default:
		sum.Rejected++
	}
}

// RecordError is a batch that could not be recorded: none of it was.
type RecordError struct {
	// From is the number of the batch's first good line: an upload that
	// resumes there loses nothing.
	From int
	Err  error
}

func (e *RecordError) Error() string { return fmt.Sprintf("record from line %d: %v", e.From, e.Err) }

func (e *RecordError) Unwrap() error { return e.Err }

// RecordBatch decodes a batch of lines of an upload by seller, records the
// good ones in one transaction and returns what became of each line, in
// order; a failure to record is a *RecordError. The API and sales-admin
// ingest both record through it. A line may name its buyer's account only
// when mayNameBuyers (an ADMIN's upload): a seller could otherwise put a
// purchase in any user's history, and learn which user IDs exist.
func RecordBatch(ctx context.Context, bus *salebus.Business, seller uuid.UUID, mayNameBuyers bool, batch []Line) ([]IngestResult, error) {
	results := make([]IngestResult, len(batch))
	var good []salebus.OfflineSale
	var at []int // at[i] is the index in batch of good[i]
	for i, l := range batch {
		results[i] = IngestResult{Line: l.N, Status: salebus.Rejected}
		if l.Err != nil {
			results[i].Reason = l.Err.Error()
			continue
		}
		var app OfflineSale
		err := web.DecodeBytes(l.Data, &app)
		results[i].ID = app.ID
		if err == nil {
			var sale salebus.OfflineSale
			if app.BuyerID != "" && !mayNameBuyers {
				results[i].Reason = "buyerID: only an ADMIN's upload may name a buyer's account; leave it out for a walk-in buyer"
				continue
			}
			if sale, err = toBusOfflineSale(app); err == nil {
				good = append(good, sale)
				at = append(at, i)
				continue
			}
		}
		results[i].Reason = lineError(err)
	}
	if len(good) == 0 {
		return results, nil
	}

	recorded, err := bus.Ingest(ctx, seller, good)
	if err != nil {
		return nil, &RecordError{From: batch[at[0]].N, Err: err}
	}
	for j, r := range recorded {
		res := &results[at[j]]
		res.Status, res.Reason = r.Status, r.Reason
		if r.SaleID != uuid.Nil {
			res.SaleID = r.SaleID.String()
		}
	}
	return results, nil
}

// lineError is a bad line's reason, naming its fields as a body's error
// would.
func lineError(err error) string {
	var de *web.DecodeError
	if errors.As(err, &de) && de.Field == "" {
		return "bad line: " + de.Err.Error()
	}
	e := errs.Of(err)
	if len(e.Fields) == 0 {
		return "bad line"
	}
	var parts []string
	for _, f := range slices.Sorted(maps.Keys(e.Fields)) {
		parts = append(parts, f+": "+e.Fields[f])
	}
	return "bad line: " + strings.Join(parts, "; ")
}

// endReader is the request's body, telling when it has reached its end:
// net/http has then begun reading the connection beyond it.
type endReader struct {
	r     io.Reader
	ended atomic.Bool
}

func (e *endReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if errors.Is(err, io.EOF) {
		e.ended.Store(true)
	}
	return n, err
}
