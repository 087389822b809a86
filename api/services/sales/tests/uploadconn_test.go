package tests

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/garagesale/service/app/domain/saleapp"
)

// TestRequestsAfterAnUpload: a client's next requests on the connection
// that carried an upload are answered as on any other. The upload once
// stopped its reader with a read deadline after the body's end, which
// failed net/http's own read of the idle connection and cancelled the
// context of every later request on it: 499 client_closed.
func TestRequestsAfterAnUpload(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// A request that starts with its context cancelled is counted: the
	// list below may still answer one (a cached page, a race).
	var cancelled atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Context().Err() != nil {
			cancelled.Add(1)
		}
		e.h.ServeHTTP(w, r)
	}))
	// As the API's server: a read timeout resets the deadline for each
	// request, so the connection stays open to be reused.
	srv.Config.ReadTimeout = 5 * time.Second
	srv.Config.ReadHeaderTimeout = 2 * time.Second
	srv.Start()
	t.Cleanup(srv.Close)
	client := srv.Client()
	client.Transport.(*http.Transport).MaxConnsPerHost = 1
	product := e.createProduct(t, e.tokens["user1"], "Lamp", "2.5", 100)

	whole := func(i int, tag string) string {
		return offlineLine(fmt.Sprintf("conn-%s-%d", tag, i), product.ID, 1, "") + "\n"
	}
	for _, tt := range []struct {
		name   string
		rounds int
		// body is upload i's body; the client sends all of it, or keeps
		// it open (open) while the API stops the upload.
		body    func(i int) (r io.Reader, open func())
		stopped bool // the upload is answered with a stopped line
		reused  bool // the next request goes on the upload's connection
	}{
		// It failed on some uploads and not others: 20 of each.
		{name: "with a length", rounds: 20, reused: true, body: func(i int) (io.Reader, func()) {
			return strings.NewReader(whole(i, "length")), nil
		}},
		{name: "chunked", rounds: 20, reused: true, body: func(i int) (io.Reader, func()) {
			pr, pw := io.Pipe()
			go func() { io.WriteString(pw, whole(i, "chunked")); pw.Close() }()
			return pr, nil
		}},
		// The API stops reading a body still arriving: the connection
		// is closed, and the client's next request goes on a new one.
		{name: "stopped while sending", rounds: 3, stopped: true, reused: false, body: func(i int) (io.Reader, func()) {
			pr, pw := io.Pipe()
			go io.WriteString(pw, strings.Repeat("1\n", saleapp.MaxRejected+saleapp.BatchLines))
			return pr, func() { pw.Close() }
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for i := range tt.rounds {
				body, open := tt.body(i)
				resp, err := client.Do(uploadRequest(t, srv, e.tokens["user1"], body))
				if err != nil {
					t.Fatal(err)
				}
				res := readResults(t, resp.Body)
				stopped := slices.ContainsFunc(res, func(r saleapp.IngestResult) bool { return r.Status == "stopped" })
				if len(res) < 2 || res[len(res)-1].Status != "summary" || stopped != tt.stopped {
					t.Fatalf("upload %d: %d answers, stopped %v (want %v), the last %+v", i, len(res), stopped, tt.stopped, res[max(len(res)-1, 0):])
				}
				resp.Body.Close()
				if open != nil {
					open()
				}

				reused := false
				req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/products?rows=1", nil)
				req.Header.Set("Authorization", "Bearer "+e.tokens["user1"])
				req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
					GotConn: func(info httptrace.GotConnInfo) { reused = info.Reused },
				}))
				next, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				got, _ := io.ReadAll(next.Body)
				next.Body.Close()
				if next.StatusCode != http.StatusOK || reused != tt.reused || cancelled.Load() != 0 {
					t.Fatalf("after upload %d: %d %s, on the upload's connection %v (want %v), %d requests began cancelled; want 200",
						i, next.StatusCode, got, reused, tt.reused, cancelled.Load())
				}
			}
		})
	}
}
