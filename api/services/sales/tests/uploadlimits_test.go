package tests

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/garagesale/service/api/services/sales/build"
	"github.com/garagesale/service/app/domain/saleapp"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/types/role"
	"github.com/google/uuid"
)

// trickle uploads to srv as token, writing piece(i) every interval until
// the answer ends (or 15 s pass), and returns the answer's lines, its
// status and how long it took.
func trickle(t *testing.T, srv *httptest.Server, token string, interval time.Duration, piece func(i int) string) ([]saleapp.IngestResult, int, time.Duration) {
	t.Helper()
	pr, pw := io.Pipe()
	done := make(chan struct{})
	defer close(done)
	go func() {
		defer pw.Close()
		for i := 0; ; i++ {
			if _, err := io.WriteString(pw, piece(i)); err != nil {
				return
			}
			select {
			case <-done:
				return
			case <-time.After(interval):
			}
			if i*int(interval/time.Millisecond) > 15000 {
				return
			}
		}
	}()
	start := time.Now()
	resp, err := srv.Client().Do(uploadRequest(t, srv, token, pr))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, resp.StatusCode, time.Since(start)
	}
	var out []saleapp.IngestResult
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		var res saleapp.IngestResult
		if err := json.Unmarshal(sc.Bytes(), &res); err != nil {
			t.Fatalf("answer line %q: %v", sc.Text(), err)
		}
		out = append(out, res)
		// The summary is the last line; the body's end may wait for the
		// client to stop sending.
		if res.Status == "summary" {
			break
		}
	}
	return out, resp.StatusCode, time.Since(start)
}

// stopped is the reason of the answer's stopped line, or "".
func stopped(results []saleapp.IngestResult) string {
	for _, r := range results {
		if r.Status == "stopped" {
			return r.Reason
		}
	}
	return ""
}

// TestUploadsCannotBeHeld: slow, silent or endless streams are cut off,
// and a user has one at a time, so two users cannot keep an ADMIN's
// upload out.
func TestUploadsCannotBeHeld(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := httptest.NewServer(e.replica(t, func(c *build.Config) {
		c.Ingest = saleapp.IngestConfig{IdleTimeout: time.Second, MaxDuration: 4 * time.Second, MinRate: 200, MaxStreams: 2}
	}))
	defer srv.Close()
	bob, cat, ada := e.tokens["user1"], e.tokens["user2"], e.tokens["admin"]
	bobs := e.createProduct(t, bob, "Lamp", "1", 1000)
	adas := e.createProduct(t, ada, "Desk", "1", 1000)
	blank := func(int) string { return "\n" }

	t.Run("blank lines do not keep a stream open", func(t *testing.T) {
		results, _, took := trickle(t, srv, bob, 200*time.Millisecond, blank)
		if reason := stopped(results); !strings.Contains(reason, "no line came for 1s") || took > 3*time.Second {
			t.Errorf("a newline every 200ms: stopped %q after %s, want stopped for no line within about 1s", reason, took)
		}
	})

	t.Run("a stream that trickles is cut", func(t *testing.T) {
		// ~150 bytes every 900ms: under the idle timeout, under 200 B/s.
		results, _, took := trickle(t, srv, bob, 900*time.Millisecond, func(i int) string {
			return offlineLine(fmt.Sprintf("slow-%d", i), bobs.ID, 1, "") + "\n"
		})
		if reason := stopped(results); !strings.Contains(reason, "slower than 200 bytes a second") || took > 4*time.Second {
			t.Errorf("a line every 900ms: stopped %q after %s, want stopped as too slow", reason, took)
		}
	})

	t.Run("a stream runs for its longest at most", func(t *testing.T) {
		// ~150 bytes every 100ms: fast enough, for ever.
		results, _, took := trickle(t, srv, bob, 100*time.Millisecond, func(i int) string {
			return offlineLine(fmt.Sprintf("long-%d", i), bobs.ID, 1, "") + "\n"
		})
		if reason := stopped(results); !strings.Contains(reason, "ran longer than 4s") || took > 7*time.Second {
			t.Errorf("an endless stream: stopped %q after %s, want stopped after 4s", reason, took)
		}
	})

	t.Run("a stream cut off frees its slot before its last answer", func(t *testing.T) {
		// Cut while its reader waits for more: the handler still has the
		// reader to stop when the client reads the end and uploads again.
		for i := range 3 {
			if _, _, took := trickle(t, srv, bob, 300*time.Millisecond, blank); took > 3*time.Second {
				t.Fatalf("a silent stream ran %s", took)
			}
			resp, err := srv.Client().Do(uploadRequest(t, srv, bob, strings.NewReader(offlineLine(fmt.Sprintf("again-%d", i), bobs.ID, 1, "")+"\n")))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("an upload sent as the cut one ended: %d, want 200", resp.StatusCode)
			}
		}
	})

	t.Run("users cannot hold every slot: the last is an ADMIN's", func(t *testing.T) {
		// A stream that sends lines fast enough, for as long as it may.
		steady := func(tag string) func(i int) string {
			return func(i int) string { return offlineLine(fmt.Sprintf("%s-%d", tag, i), bobs.ID, 1, "") + "\n" }
		}
		held := make(chan int, 1)
		go func() {
			_, status, _ := trickle(t, srv, bob, 50*time.Millisecond, steady("held"))
			held <- status
		}()
		time.Sleep(300 * time.Millisecond)
		// Another user finds the users' slots taken, at once.
		if _, status, took := trickle(t, srv, cat, time.Second, blank); status != http.StatusServiceUnavailable || took > 2*time.Second {
			t.Errorf("cat's upload while bob's runs: %d after %s, want 503 at once", status, took)
		}
		// An ADMIN's goes through meanwhile.
		resp, err := srv.Client().Do(uploadRequest(t, srv, ada, strings.NewReader(offlineLine("ada-1", adas.ID, 1, "")+"\n")))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("the ADMIN's upload while a user holds the users' slots: %d, want 200", resp.StatusCode)
		}
		if status := <-held; status != http.StatusOK {
			t.Errorf("bob's stream: %d", status)
		}
	})
}

// TestOneUploadPerUser: while a user's upload runs, their second is 429
// and another user's runs (three slots: two for users).
func TestOneUploadPerUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := httptest.NewServer(e.replica(t, func(c *build.Config) { c.Ingest = saleapp.IngestConfig{MaxStreams: 3} }))
	defer srv.Close()
	bob, cat := e.tokens["user1"], e.tokens["user2"]
	bobs := e.createProduct(t, bob, "Lamp", "1", 10)
	cats := e.createProduct(t, cat, "Desk", "1", 10)

	pr, pw := io.Pipe()
	defer pw.Close()
	first := make(chan *http.Response, 1)
	go func() {
		resp, err := srv.Client().Do(uploadRequest(t, srv, bob, pr))
		if err != nil {
			close(first)
			return
		}
		first <- resp
	}()
	if _, err := io.WriteString(pw, offlineLine("one", bobs.ID, 1, "")+"\n"); err != nil {
		t.Fatal(err)
	}
	resp, ok := <-first
	if !ok {
		t.Fatal("bob's first upload failed")
	}
	defer resp.Body.Close()

	// uploadOne uploads one line as token, and returns the answer's
	// status and headers.
	uploadOne := func(token, line string) (int, http.Header) {
		t.Helper()
		resp, err := srv.Client().Do(uploadRequest(t, srv, token, strings.NewReader(line+"\n")))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header
	}

	if status, header := uploadOne(bob, offlineLine("two", bobs.ID, 1, "")); status != http.StatusTooManyRequests || header.Get("Retry-After") == "" {
		t.Errorf("bob's second upload while his first runs: %d, want 429 with Retry-After", status)
	}
	if status, _ := uploadOne(cat, offlineLine("c", cats.ID, 1, "")); status != http.StatusOK {
		t.Errorf("cat's upload meanwhile: %d, want 200", status)
	}

	pw.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if status, _ := uploadOne(bob, offlineLine("three", bobs.ID, 1, "")); status != http.StatusOK {
		t.Errorf("bob's upload after his first ended: %d, want 200", status)
	}
}

// TestUploadKeepsNoRightsItLost: an upload that outlives its caller's
// rights records nothing more. Disabled, or demoted from ADMIN (which
// revokes the token), the caller's open stream stops at the next batch,
// as their token is refused everywhere else at once; a demoted ADMIN no
// longer puts a sale in another user's history.
func TestUploadKeepsNoRightsItLost(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := httptest.NewServer(e.h)
	t.Cleanup(srv.Close)
	off := false
	// A second ADMIN, so that one may be demoted.
	dee := e.createUser(t, "Dee Admin", "dee@example.com", role.Admin)
	e.tokens["dee"] = e.token(t, dee)

	for _, tt := range []struct {
		name   string
		who    string
		change userbus.UpdateUser
		buyer  string // the second line's buyerID
		reason string
	}{
		{name: "disabled", who: "user1", change: userbus.UpdateUser{Enabled: &off}, reason: "the token's user is disabled: line 2 and after were not recorded"},
		{name: "demoted", who: "dee", change: userbus.UpdateUser{Roles: []role.Role{role.User}}, buyer: e.user2.ID.String(), reason: "the token was revoked: get a new one: line 2 and after were not recorded"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			product := e.createProduct(t, e.tokens[tt.who], "Lamp "+tt.name, "2.5", 5)
			pr, pw := io.Pipe()
			defer pw.Close()
			// The first line is on its way as the request starts, as a
			// client streaming a file sends it.
			go io.WriteString(pw, offlineLine("before-"+tt.name, product.ID, 1, "")+"\n")
			resp, err := srv.Client().Do(uploadRequest(t, srv, e.tokens[tt.who], pr))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			answers := bufio.NewScanner(resp.Body)
			next := func() saleapp.IngestResult {
				t.Helper()
				if !answers.Scan() {
					t.Fatalf("the answer ended: %v", answers.Err())
				}
				var res saleapp.IngestResult
				if err := json.Unmarshal(answers.Bytes(), &res); err != nil {
					t.Fatal(err)
				}
				return res
			}

			if res := next(); res.Status != "created" {
				t.Fatalf("line 1: %+v", res)
			}
			who := map[string]uuid.UUID{"user1": e.user1.ID, "dee": dee.ID}[tt.who]
			if _, err := e.userBus.Update(t.Context(), uuid.Nil, who, tt.change); err != nil {
				t.Fatal(err)
			}
			io.WriteString(pw, offlineLine("after-"+tt.name, product.ID, 1, tt.buyer)+"\n")
			if res := next(); res.Status != "stopped" || res.Reason != tt.reason {
				t.Errorf("line 2: %+v, want stopped: %q", res, tt.reason)
			}
			var n int
			if err := e.db.DB.Get(&n, `SELECT count(*) FROM sales WHERE client_id = $1`, "after-"+tt.name); err != nil || n != 0 {
				t.Errorf("line 2 recorded %d sales (%v), want none", n, err)
			}
		})
	}
}

// TestUploadsAnswerInProportion: a file of junk is answered up to
// MaxRejected lines, then stopped, so two bytes of upload cannot buy a
// hundred of answer; a line's end does not count against the line's
// limit. (A body declared over the stream's limit is read up to it, as a
// chunked one is, and stopped with the line to go on from: the lines
// before are recorded.)
func TestUploadsAnswerInProportion(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seller := e.tokens["user1"]
	mine := e.createProduct(t, seller, "Lamp", "2.5", 5)

	junk := strings.Repeat("1\n", saleapp.MaxRejected+500)
	got := upload(t, e.h, seller, junk)
	var rejected int
	for _, r := range got {
		if r.Status == "rejected" {
			rejected++
		}
	}
	// The stream stops after the batch in which the count is reached.
	last := got[len(got)-2]
	if rejected < saleapp.MaxRejected || rejected >= saleapp.MaxRejected+saleapp.BatchLines || last.Status != "stopped" || last.Line != rejected+1 ||
		!strings.HasPrefix(last.Reason, fmt.Sprintf("%d lines were rejected: line %d and after were not read", rejected, rejected+1)) {
		t.Errorf("%d rejected, then %+v; want %d or a batch more, then stopped at the next line", rejected, last, saleapp.MaxRejected)
	}

	// 4,096 bytes and CRLF: the limit is the line's, not its end's.
	line := offlineLine("crlf", mine.ID, 1, "")
	exact := line[:len(line)-1] + strings.Repeat(" ", 4096-len(line)) + "}"
	over := line[:len(line)-1] + strings.Repeat(" ", 4097-len(line)) + "}"
	got = upload(t, e.h, seller, exact+"\r\n"+over+"\r\n")
	if got[0].Status != "created" || got[1].Status != "rejected" || got[1].Reason != "the line is longer than 4096 bytes" {
		t.Errorf("a line of 4,096 bytes, then 4,097, each with CRLF: %+v", got[:2])
	}

}
