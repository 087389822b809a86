package tests

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/garagesale/service/api/services/sales/build"
	"github.com/garagesale/service/app/domain/saleapp"
	"github.com/garagesale/service/app/sdk/apitest"
	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/business/domain/salebus"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
)

// ndjson is the header of an upload.
var ndjson = http.Header{"Content-Type": {"application/x-ndjson"}}

// takenAt is when the test's offline sales were made: now, since an
// upload takes sales of the last 30 days, made after their product.
var takenAt = time.Now().UTC().Format(time.RFC3339)

// offlineLine is one line of an upload.
func offlineLine(id, productID string, qty int, buyerID string) string {
	l := map[string]any{"id": id, "productID": productID, "quantity": qty, "paid": json.Number("2.5"), "takenAt": takenAt}
	if buyerID != "" {
		l["buyerID"] = buyerID
	}
	data, _ := json.Marshal(l)
	return string(data)
}

// offlineFile is n lines of one unit of productID each, their ids made
// from idFormat and the line's index.
func offlineFile(idFormat, productID string, n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(offlineLine(fmt.Sprintf(idFormat, i), productID, 1, "") + "\n")
	}
	return b.String()
}

// upload sends lines to POST /v1/sales/ingest through h and returns the
// answer's lines, the summary last.
func upload(t *testing.T, h http.Handler, token string, body string) []saleapp.IngestResult {
	t.Helper()
	resp := apitest.Do(t, h, http.MethodPost, "/v1/sales/ingest", token, body, ndjson)
	if resp.StatusCode != http.StatusOK {
		data, _ := io.ReadAll(resp.Body)
		t.Fatalf("ingest: status %d: %s", resp.StatusCode, data)
	}
	return readResults(t, resp.Body)
}

// uploadRequest is an upload to a real server whose body is read from
// body as the client writes it.
func uploadRequest(t *testing.T, srv *httptest.Server, token string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/v1/sales/ingest", body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Authorization", "Bearer "+token)
	return req
}

func readResults(t *testing.T, r io.Reader) []saleapp.IngestResult {
	t.Helper()
	var out []saleapp.IngestResult
	dec := json.NewDecoder(r)
	for {
		var res saleapp.IngestResult
		err := dec.Decode(&res)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("decode an answer line: %v", err)
		}
		out = append(out, res)
	}
}

// brief is a result without its sale ID, for comparing.
func brief(rs []saleapp.IngestResult) []string {
	var out []string
	for _, r := range rs {
		if r.Summary != nil {
			out = append(out, fmt.Sprintf("summary %+v", *r.Summary))
			continue
		}
		s := fmt.Sprintf("%d %s %s", r.Line, r.ID, r.Status)
		if r.Reason != "" {
			s += ": " + r.Reason
		}
		out = append(out, s)
	}
	return out
}

// salesCount counts the sales in e's database.
func (e *env) salesCount(t *testing.T) int {
	t.Helper()
	var n int
	if err := e.db.DB.Get(&n, `SELECT count(*) FROM sales`); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestIngestKeepsACancelledSaleCancelled: a seller uploads a file,
// cancels one of its sales (the goods came back), then uploads the whole
// file again, as the docs say to after a broken connection: the cancelled
// line is not sold again.
func TestIngestKeepsACancelledSaleCancelled(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seller := e.tokens["user1"]
	mine := e.createProduct(t, seller, "Lamp", "2.5", 5)
	file := offlineLine("back-1", mine.ID, 1, "") + "\n" + offlineLine("back-2", mine.ID, 1, "") + "\n"

	first := upload(t, e.h, seller, file)
	if first[0].Status != "created" || first[1].Status != "created" {
		t.Fatalf("first upload: %+v", first)
	}
	if a := send(t, e.h, http.MethodDelete, "/v1/sales/"+first[0].SaleID, seller, nil, nil); a.status != http.StatusNoContent {
		t.Fatalf("cancel: %d %s", a.status, a.body)
	}
	again := upload(t, e.h, seller, file)
	want := []string{
		`1 back-1 rejected: cancelled: the sale of id "back-1" (sale ` + first[0].SaleID + `) was cancelled after it was recorded, and is not recorded again`,
		"2 back-2 duplicate",
		"summary {Lines:2 Created:0 Duplicate:1 Rejected:1}",
	}
	if diff := cmp.Diff(want, brief(again)); diff != "" {
		t.Errorf("the file again (-want +got):\n%s", diff)
	}
	if n := e.stock(t, uuid.MustParse(mine.ID)); n != 4 {
		t.Errorf("stock %d, want 4: one sold, one returned", n)
	}
}

// TestIngestTakesAByteOrderMark: a file an editor on Windows saved, with
// a byte order mark before its first line and CRLF line ends, loses no
// sale.
func TestIngestTakesAByteOrderMark(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seller := e.tokens["user1"]
	mine := e.createProduct(t, seller, "Lamp", "12.50", 3)

	body := "\ufeff" + offlineLine("bom-1", mine.ID, 1, "") + "\r\n" + offlineLine("bom-2", mine.ID, 1, "") + "\r\n"
	want := []string{"1 bom-1 created", "2 bom-2 created", "summary {Lines:2 Created:2 Duplicate:0 Rejected:0}"}
	if diff := cmp.Diff(want, brief(upload(t, e.h, seller, body))); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}

	// An ADMIN's upload may name a buyer, but the nil UUID is no buyer:
	// it must not be taken for a walk-in sale.
	theirs := e.createProduct(t, e.tokens["admin"], "Desk", "5", 3)
	body = offlineLine("nil-buyer", theirs.ID, 1, uuid.Nil.String()) + "\n"
	want = []string{"1 nil-buyer rejected: bad line: buyerID: no user has the nil UUID: leave buyerID out for a walk-in buyer",
		"summary {Lines:1 Created:0 Duplicate:0 Rejected:1}"}
	if diff := cmp.Diff(want, brief(upload(t, e.h, e.tokens["admin"], body))); diff != "" {
		t.Errorf("a nil buyer (-want +got):\n%s", diff)
	}
}

func TestIngestAnswersEveryLine(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seller := e.tokens["user1"]
	mine := e.createProduct(t, seller, "Lamp", "12.50", 3)
	theirs := e.createProduct(t, e.tokens["user2"], "Chair", "5", 3)

	body := strings.Join([]string{
		offlineLine("a", mine.ID, 1, ""),                                   // a walk-in buyer
		offlineLine("b", mine.ID, 1, e.user2.ID.String()),                  // a buyer with an account
		`{"id":"c","productID":"` + mine.ID + `","quantity":1,"paid":2.5}`, // no takenAt
		`not json at all`,
		`{"id":"d","productID":"` + mine.ID + `","quantity":1,"paid":2.5,"takenAt":"` + takenAt + `","extra":1}`,
		offlineLine("e", theirs.ID, 1, ""), // not the seller's product
		offlineLine("f", mine.ID, 3, ""),   // 2 left: oversold
		"",                                 // blank lines are skipped
		offlineLine("g", mine.ID, 1, ""),   // the last one
		offlineLine("a", mine.ID, 1, ""),   // a again
		`{}`,                               // every field the document requires, named
		`{"id":8,"productID":"` + mine.ID + `","quantity":"1","paid":2.5,"takenAt":"` + takenAt + `"}`, // every wrong type, named
	}, "\n") + "\n"

	got := upload(t, e.h, seller, body)
	want := []string{
		"1 a created",
		"2 b rejected: buyerID: only an ADMIN's upload may name a buyer's account; leave it out for a walk-in buyer",
		"3 c rejected: bad line: takenAt: is required",
		"4  rejected: bad line: malformed JSON near byte 2",
		"5 d rejected: bad line: extra: unknown field",
		"6 e rejected: not your product: only a product's owner records its offline sales",
		"7 f rejected: oversold: 3 wanted, 2 left",
		"9 g created",
		"10 a duplicate",
		"11  rejected: bad line: id: is required; paid: is required; productID: is required; quantity: is required; takenAt: is required",
		"12  rejected: bad line: id: must be a JSON string, not a number; quantity: must be a JSON integer, not a string",
		"summary {Lines:11 Created:2 Duplicate:1 Rejected:8}",
	}
	if diff := cmp.Diff(want, brief(got)); diff != "" {
		t.Fatalf("answer (-want +got):\n%s", diff)
	}
	if got[0].SaleID == "" || got[8].SaleID != got[0].SaleID {
		t.Errorf("line 10 names sale %q, line 1 %q", got[8].SaleID, got[0].SaleID)
	}

	t.Run("the walk-in sale has no buyer; its seller and an ADMIN see it", func(t *testing.T) {
		var sale saleapp.Sale
		resp := apitest.Do(t, e.h, http.MethodGet, "/v1/sales/"+got[0].SaleID, seller, nil, nil)
		if err := json.NewDecoder(resp.Body).Decode(&sale); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("get the sale: %d %v", resp.StatusCode, err)
		}
		want := saleapp.Sale{ID: got[0].SaleID, ProductID: mine.ID, Quantity: 1, Paid: "2.5", DateCreated: sale.DateCreated,
			TakenAt: query.FormatTime(dbtest.Must(time.Parse(time.RFC3339, takenAt))), ClientID: "a"}
		if diff := cmp.Diff(want, sale); diff != "" {
			t.Errorf("sale (-want +got):\n%s", diff)
		}
		if resp := apitest.Do(t, e.h, http.MethodGet, "/v1/sales/"+got[0].SaleID, e.tokens["admin"], nil, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("ADMIN: status %d", resp.StatusCode)
		}
	})

	t.Run("an ADMIN's upload may name the buyer's account", func(t *testing.T) {
		admin := e.tokens["admin"]
		own := e.createProduct(t, admin, "Clock", "3", 2)
		got := upload(t, e.h, admin, offlineLine("x", own.ID, 1, e.user2.ID.String())+"\n"+offlineLine("y", own.ID, 1, "00000000-0000-4000-8000-000000000009")+"\n")
		want := []string{"1 x created", "2 y rejected: no such buyer: leave buyerID out for a walk-in buyer", "summary {Lines:2 Created:1 Duplicate:0 Rejected:1}"}
		if diff := cmp.Diff(want, brief(got)); diff != "" {
			t.Errorf("answer (-want +got):\n%s", diff)
		}
	})

	t.Run("the same upload again records nothing", func(t *testing.T) {
		before := e.salesCount(t)
		again := upload(t, e.h, seller, body)
		for i, r := range got {
			if r.Status == "created" && (again[i].Status != "duplicate" || again[i].SaleID != r.SaleID) {
				t.Errorf("line %d: first %+v, again %+v", r.Line, r, again[i])
			}
		}
		if after := e.salesCount(t); after != before {
			t.Errorf("sales: %d before, %d after", before, after)
		}
		dbtest.CheckInvariants(t, e.db.DB, salebus.Invariants)
	})
}

// TestWalkInSalesPageByBuyer: a list ordered by buyer, read page by page
// with cursors, has every sale, walk-ins (no buyer) among them.
func TestWalkInSalesPageByBuyer(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seller := e.tokens["user1"]
	prd := e.createProduct(t, seller, "Plates", "1", 10)
	upload(t, e.h, seller, offlineFile("w%d", prd.ID, 3))
	e.doProduct(t, http.MethodPost, "/v1/sales", e.tokens["user2"], newSaleBody(uuid.MustParse(prd.ID), 1, "1"), http.StatusCreated, nil)

	for _, dir := range []string{"ASC", "DESC"} {
		seen := map[string]bool{}
		url := "/v1/sales?orderBy=buyerID," + dir + "&rows=1"
		for range 10 {
			var res query.Result[saleapp.Sale]
			e.doProduct(t, http.MethodGet, url, seller, nil, http.StatusOK, &res)
			for _, s := range res.Items {
				seen[s.ID] = true
			}
			if res.Next == "" {
				break
			}
			url = "/v1/sales?orderBy=buyerID," + dir + "&rows=1&cursor=" + res.Next
		}
		if len(seen) != 4 {
			t.Errorf("%s: %d sales seen through the pages, want 4", dir, len(seen))
		}
	}
}

// TestIngestResumesACutUpload: an upload cut in the middle, then sent again
// whole from line 1, ends with exactly one sale per line.
func TestIngestResumesACutUpload(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seller := e.tokens["user1"]
	prd := e.createProduct(t, seller, "Books", "1", 1000)

	whole := offlineFile("book-%03d", prd.ID, 250)
	// Cut inside line 138: the part line is refused, the rest never came.
	cut := whole[:strings.Index(whole, "book-137")+10]

	first := upload(t, e.h, seller, cut)
	if s := first[len(first)-1].Summary; s == nil || s.Created != 137 || s.Rejected != 1 {
		t.Fatalf("the cut upload: %+v", first[len(first)-1])
	}
	second := upload(t, e.h, seller, whole)
	if s := second[len(second)-1].Summary; s == nil || s.Duplicate != 137 || s.Created != 113 {
		t.Fatalf("the resumed upload: %+v", second[len(second)-1])
	}
	var perLine []int
	if err := e.db.DB.Select(&perLine, `SELECT count(*) FROM sales GROUP BY client_id HAVING count(*) <> 1`); err != nil {
		t.Fatal(err)
	}
	if n := e.salesCount(t); n != 250 || len(perLine) != 0 {
		t.Errorf("%d sales for 250 lines; client ids recorded more than once: %v", n, perLine)
	}
	dbtest.CheckInvariants(t, e.db.DB, salebus.Invariants)
}

func TestIngestLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seller := e.tokens["user1"]
	prd := e.createProduct(t, seller, "Lamp", "1", 100)
	h := e.replica(t, func(c *build.Config) {
		c.Ingest = saleapp.IngestConfig{MaxLineBytes: 200, MaxBytes: 1000}
	})

	t.Run("a long line is rejected and the next read", func(t *testing.T) {
		long := `{"id":"` + strings.Repeat("x", 300) + `"}`
		got := upload(t, h, seller, offlineLine("1", prd.ID, 1, "")+"\n"+long+"\n"+offlineLine("2", prd.ID, 1, "")+"\n")
		want := []string{"1 1 created", "2  rejected: the line is longer than 200 bytes", "3 2 created", "summary {Lines:3 Created:2 Duplicate:0 Rejected:1}"}
		if diff := cmp.Diff(want, brief(got)); diff != "" {
			t.Errorf("answer (-want +got):\n%s", diff)
		}
	})

	t.Run("a stream past its size stops, naming the line to resume from", func(t *testing.T) {
		got := upload(t, h, seller, offlineFile("big-%02d", prd.ID, 20))
		stop := got[len(got)-2]
		if stop.Status != "stopped" || !strings.Contains(stop.Reason, "the stream is over 1000 bytes: line") {
			t.Fatalf("the line before the summary: %+v", stop)
		}
		sum := got[len(got)-1].Summary
		if sum == nil || sum.Created != stop.Line-1 {
			t.Errorf("created %+v, stopped at line %d", sum, stop.Line)
		}
	})

	t.Run("another media type is 415", func(t *testing.T) {
		resp := apitest.Do(t, h, http.MethodPost, "/v1/sales/ingest", seller, offlineLine("x", prd.ID, 1, ""), nil)
		if resp.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
}

// TestIngestStreamsBothWays sends an upload over a real connection one
// line at a time, and reads each line's answer before sending the next.
func TestIngestStreamsBothWays(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seller := e.tokens["user1"]
	prd := e.createProduct(t, seller, "Lamp", "1", 10)
	srv := httptest.NewServer(e.h)
	defer srv.Close()

	pr, pw := io.Pipe()
	req := uploadRequest(t, srv, seller, pr)
	type answer struct {
		resp *http.Response
		err  error
	}
	answered := make(chan answer, 1)
	go func() {
		resp, err := srv.Client().Do(req)
		answered <- answer{resp, err}
	}()

	if _, err := io.WriteString(pw, offlineLine("one", prd.ID, 1, "")+"\n"); err != nil {
		t.Fatal(err)
	}
	var a answer
	select {
	case a = <-answered:
	case <-time.After(10 * time.Second):
		t.Fatal("no answer while the upload is still open")
	}
	if a.err != nil {
		t.Fatal(a.err)
	}
	defer a.resp.Body.Close()
	answers := bufio.NewReader(a.resp.Body)
	for i, id := range []string{"one", "two", "three"} {
		if i > 0 {
			if _, err := io.WriteString(pw, offlineLine(id, prd.ID, 1, "")+"\n"); err != nil {
				t.Fatal(err)
			}
		}
		line, err := answers.ReadBytes('\n')
		if err != nil {
			t.Fatalf("answer to line %d: %v", i+1, err)
		}
		var res saleapp.IngestResult
		if err := json.Unmarshal(line, &res); err != nil || res.ID != id || res.Status != "created" {
			t.Fatalf("answer to line %d while the upload is open: %s (%v)", i+1, line, err)
		}
	}
	pw.Close()
	rest := readResults(t, answers)
	if len(rest) != 1 || rest[0].Summary == nil || rest[0].Summary.Created != 3 {
		t.Errorf("after the upload ends: %+v", rest)
	}
}

// TestIngestMemoryIsBounded uploads 100,000 sales over a real connection
// from a generator (the upload is never in memory whole) and samples the
// test process's heap, which holds the API and the client, throughout:
// it must stay far below the size of the stream.
func TestIngestMemoryIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("uploads 100,000 sales")
	}
	// Not parallel: the heap is the whole test process's, and other
	// tests running beside it would be counted as the upload's.
	e := newEnv(t)
	seller := e.tokens["user1"]
	prd := e.createProduct(t, seller, "Stock", "1", 100_000)
	srv := httptest.NewServer(e.h)
	defer srv.Close()

	const lines = 100_000
	var sent atomic.Int64
	pr, pw := io.Pipe()
	go func() {
		w := bufio.NewWriter(pw)
		for i := range lines {
			n, _ := fmt.Fprintf(w, "%s\n", offlineLine(fmt.Sprintf("m-%06d", i), prd.ID, 1, ""))
			sent.Add(int64(n))
		}
		w.Flush()
		pw.Close()
	}()

	// The live heap (what a collection leaves) is sampled: a heap that
	// merely has not been collected yet is no sign of holding the upload.
	// It is read as the collection measured it, not as HeapAlloc after
	// it: on a busy machine the upload goes on allocating between the
	// two, and that garbage would count as held.
	liveSample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	live := func() uint64 {
		runtime.GC()
		metrics.Read(liveSample)
		return liveSample[0].Value.Uint64()
	}
	base := live()
	var samples []uint64 // written by the sampler until sampled is closed
	ctx, stop := context.WithCancel(context.Background())
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for ctx.Err() == nil {
			samples = append(samples, live())
			time.Sleep(250 * time.Millisecond)
		}
	}()

	req := uploadRequest(t, srv, seller, pr)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var created int
	var last []byte
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if bytes.Contains(sc.Bytes(), []byte(`"status":"created"`)) {
			created++
		}
		last = append(last[:0], sc.Bytes()...)
	}
	stop()
	<-sampled

	if created != lines {
		t.Fatalf("%d created of %d; last answer %s", created, lines, last)
	}
	// Bounded means the live heap stops growing once the upload runs: in
	// its last quarter it is not much higher than in its first (a server
	// that kept what it read would have taken on half the stream, 6 MiB,
	// between them; buffers in flight move it by a MiB or two), and never
	// near the stream's size. A heap profile after the upload holds
	// nothing of it.
	if len(samples) < 8 {
		t.Fatalf("only %d heap samples", len(samples))
	}
	top := func(ss []uint64) int64 { return int64(slices.Max(ss)) }
	n := len(samples)
	early, late, peak := top(samples[n/8:n/4]), top(samples[3*n/4:]), top(samples)
	mib := func(n int64) float64 { return float64(n) / (1 << 20) }
	t.Logf("stream %.1f MiB; live heap %.1f MiB before, %.1f MiB early, %.1f MiB late, %.1f MiB at most (%d samples)",
		mib(sent.Load()), mib(int64(base)), mib(early), mib(late), mib(peak), n)
	if late-early > sent.Load()/4 {
		t.Errorf("the live heap grew by %.1f MiB from the upload's first quarter to its last: the upload is held in memory", mib(late-early))
	}
	if peak-int64(base) > sent.Load()/2 {
		t.Errorf("the live heap grew by %.1f MiB for a %.1f MiB stream", mib(peak-int64(base)), mib(sent.Load()))
	}
	if n := e.salesCount(t); n != lines {
		t.Errorf("%d sales recorded", n)
	}
}
