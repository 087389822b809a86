package supervisor

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"time"
)

// The control API: the fleet command's requests to the supervisor, on a
// loopback port named in the state file.
//
//	GET  /ps                     []Row
//	POST /up      {"services","watch"}  starts them (all when empty)
//	POST /scale   {"service","n"}
//	POST /restart {"service"}
//	POST /down                   stops everything; the supervisor exits
//
// A failure answers 409 with {"error"}.
//
// Any local user and any web page the user opens can reach a loopback
// port, so every request must carry the token the state file holds (a
// file only its owner reads), a loopback Host (a page that rebinds its own
// name to 127.0.0.1 still sends that name) and no Origin (browsers send one
// on cross-origin requests), and a POST must be application/json (a page
// may send text/plain without asking first).

// Request is the body of a control request.
type Request struct {
	Services []string `json:"services,omitempty"`
	Service  string   `json:"service,omitempty"`
	N        int      `json:"n,omitempty"`
	Watch    bool     `json:"watch,omitempty"`
}

// Serve answers the control API on a free loopback port until ctx ends or
// the fleet is down.
func (s *Supervisor) Serve(ctx context.Context) error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen for fleet commands: %w", err)
	}
	token, err := newToken()
	if err != nil {
		_ = l.Close()
		return err
	}
	s.mu.Lock()
	s.ctlAddr, s.ctlToken = l.Addr().String(), token
	s.mu.Unlock()
	s.writeState()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /ps", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.PS())
	})
	handle := func(path string, do func(ctx context.Context, req Request) error) {
		mux.HandleFunc("POST "+path, func(w http.ResponseWriter, r *http.Request) {
			var req Request
			if err := json.NewDecoder(r.Body).Decode(&req); err != nil && !errors.Is(err, io.EOF) {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
				return
			}
			if err := do(ctx, req); err != nil {
				writeJSON(w, http.StatusConflict, map[string]string{"error": err.Error()})
				return
			}
			writeJSON(w, http.StatusOK, map[string]string{})
		})
	}
	handle("/up", func(ctx context.Context, req Request) error { return s.Up(ctx, req.Services, req.Watch) })
	handle("/scale", func(ctx context.Context, req Request) error { return s.Scale(ctx, req.Service, req.N) })
	handle("/restart", func(ctx context.Context, req Request) error { return s.Restart(ctx, req.Service) })
	handle("/down", func(ctx context.Context, req Request) error {
		s.Down()
		return nil
	})

	srv := &http.Server{Handler: guard(token, mux), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		select {
		case <-ctx.Done():
		case <-s.done:
			// Let down's answer reach the command that asked.
			time.Sleep(100 * time.Millisecond)
		}
		_ = srv.Close()
	}()
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newToken returns 32 random bytes in hex.
func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make the control token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// guard admits only the fleet command's own requests to next.
func guard(token string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Header.Get("Origin") != "":
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "the fleet's control API takes no requests from web pages"})
		case !loopbackHost(r.Host):
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "the fleet's control API answers only to a loopback host"})
		case subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+token)) != 1:
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "send the token in the fleet's state file"})
		case r.Method == http.MethodPost && !isJSON(r.Header.Get("Content-Type")):
			writeJSON(w, http.StatusUnsupportedMediaType, map[string]string{"error": "send Content-Type: application/json"})
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// loopbackHost reports whether a Host header names this machine's
// loopback: an address, or localhost.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/json"
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Client sends fleet commands to a running supervisor.
type Client struct {
	Addr  string
	Token string // from the state file
	HTTP  *http.Client
}

// Call sends a control request and decodes the answer into out (may be
// nil); a refused command is an error with the supervisor's reason.
func (c Client) Call(ctx context.Context, method, path string, req any, out any) error {
	var body io.Reader
	if req != nil || method == http.MethodPost {
		// A POST is JSON even when it says nothing: the API takes no other.
		if req == nil {
			req = struct{}{}
		}
		data, err := json.Marshal(req)
		if err != nil {
			return err
		}
		body = bytes.NewReader(data)
	}
	r, err := http.NewRequestWithContext(ctx, method, "http://"+c.Addr+path, body)
	if err != nil {
		return err
	}
	r.Header.Set("Authorization", "Bearer "+c.Token)
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(r)
	if err != nil {
		return fmt.Errorf("the fleet supervisor at %s does not answer: %w", c.Addr, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&e)
		return errors.New(e.Error)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}
