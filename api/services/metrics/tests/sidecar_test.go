// Package tests runs the metrics sidecar's collector and publisher against
// a real sales-api (its handler and debug mux on loopback listeners, a real
// Postgres) and checks what Prometheus would scrape.
package tests

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/garagesale/service/api/services/metrics/collector"
	"github.com/garagesale/service/api/services/metrics/publisher"
	"github.com/garagesale/service/api/services/sales/build"
	"github.com/garagesale/service/app/domain/checkapp"
	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/app/sdk/debug"
	"github.com/garagesale/service/app/sdk/metrics"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/foundation/keystore"
	"github.com/google/go-cmp/cmp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

func TestMain(m *testing.M) {
	dbtest.Main(m)
}

// api is a running sales-api: its API and debug servers on loopback.
type api struct {
	apiURL   string
	debugSrv *httptest.Server
}

// startAPI starts the real handler and debug mux. expvar is process-wide,
// so only one test of this package may call it.
func startAPI(t *testing.T) *api {
	t.Helper()
	db := dbtest.New(t, t.Name())

	ath, err := auth.New(auth.Config{KeyLookup: keystore.New(), Issuer: "test"})
	if err != nil {
		t.Fatalf("auth: %v", err)
	}
	mtr := metrics.New()
	if err := mtr.Publish("test-build", db.Pool.Stats); err != nil {
		t.Fatalf("publish metrics: %v", err)
	}

	apiSrv := httptest.NewServer(build.WebAPI(build.Config{
		Build:   "test-build",
		Log:     db.Log,
		DB:      db.DB,
		Auth:    ath,
		Metrics: mtr,
	}))
	t.Cleanup(apiSrv.Close)
	debugSrv := httptest.NewServer(debug.Mux("test-build", checkapp.Ready(db.Pool.Ping, nil)))
	t.Cleanup(debugSrv.Close)

	return &api{apiURL: apiSrv.URL, debugSrv: debugSrv}
}

// sidecar is the collector and publisher wired as main wires them, with
// the publisher's handler on loopback.
type sidecar struct {
	col *collector.Collector
	pub *publisher.Publisher
	srv *httptest.Server
}

func newSidecar(t *testing.T, debugURL string, readiness bool) *sidecar {
	t.Helper()
	cfg := collector.Config{VarsURL: debugURL + "/debug/vars"}
	if readiness {
		cfg.ReadyURL = debugURL + "/debug/readiness"
	}
	s := &sidecar{
		col: collector.New(cfg),
		pub: publisher.New(publisher.Config{Readiness: readiness}),
	}
	s.srv = httptest.NewServer(s.pub.Handler())
	t.Cleanup(s.srv.Close)
	return s
}

// collect runs one collection and reports whether it reached the API.
func (s *sidecar) collect(t *testing.T) bool {
	t.Helper()
	snap, err := s.col.Collect(context.Background())
	s.pub.Update(snap, err)
	return err == nil
}

// scrape fetches /metrics and parses it as Prometheus does.
func (s *sidecar) scrape(t *testing.T) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(s.srv.URL)
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape: status %d", resp.StatusCode)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse exposition: %v", err)
	}
	return families
}

// value is the single sample of a counter or gauge family; -1 when absent.
func value(families map[string]*dto.MetricFamily, name string) float64 {
	f, ok := families[name]
	if !ok || len(f.GetMetric()) != 1 {
		return -1
	}
	m := f.GetMetric()[0]
	switch {
	case m.GetCounter() != nil:
		return m.GetCounter().GetValue()
	case m.GetGauge() != nil:
		return m.GetGauge().GetValue()
	case m.GetHistogram() != nil:
		return float64(m.GetHistogram().GetSampleCount())
	}
	return -1
}

// figures are the values a step of TestSidecar looks at.
type figures struct {
	Up, Ready, Requests, LatencyCount float64
}

func read(families map[string]*dto.MetricFamily) figures {
	return figures{
		Up:           value(families, "sales_api_up"),
		Ready:        value(families, "sales_api_ready"),
		Requests:     value(families, "sales_api_requests_total"),
		LatencyCount: value(families, "sales_api_request_duration_seconds"),
	}
}

func TestSidecar(t *testing.T) {
	a := startAPI(t)
	s := newSidecar(t, a.debugSrv.URL, true)

	// Before any collection only the sidecar's own health is served.
	if diff := cmp.Diff(figures{Up: 0, Ready: 0, Requests: -1, LatencyCount: -1}, read(s.scrape(t))); diff != "" {
		t.Errorf("before collecting (-want +got):\n%s", diff)
	}

	// A sidecar told not to ask the API's readiness serves no
	// sales_api_ready, where it served a 0 for good, which
	// SalesAPINotReady took for a database down.
	unasked := newSidecar(t, a.debugSrv.URL, false)
	if !unasked.collect(t) {
		t.Fatal("the collection did not reach the API")
	}
	if got := read(unasked.scrape(t)); got.Up != 1 || got.Ready != -1 {
		t.Errorf("without readiness: up %v, ready %v; want up 1 and no sales_api_ready", got.Up, got.Ready)
	}

	for range 3 {
		resp, err := http.Get(a.apiURL + "/v1/liveness")
		if err != nil {
			t.Fatalf("call api: %v", err)
		}
		resp.Body.Close()
	}

	steps := []struct {
		name   string
		before func()
		wantOK bool
		want   figures
	}{
		{
			name:   "counts the requests made",
			wantOK: true,
			want:   figures{Up: 1, Ready: 1, Requests: 3, LatencyCount: 3},
		},
		{
			name: "counter goes up after more requests",
			before: func() {
				for range 2 {
					resp, err := http.Get(a.apiURL + "/v1/readiness")
					if err != nil {
						t.Fatalf("call api: %v", err)
					}
					resp.Body.Close()
				}
			},
			wantOK: true,
			want:   figures{Up: 1, Ready: 1, Requests: 5, LatencyCount: 5},
		},
		{
			name:   "api down: up 0, last values still served",
			before: a.debugSrv.Close,
			wantOK: false,
			want:   figures{Up: 0, Ready: 0, Requests: 5, LatencyCount: 5},
		},
	}
	for _, st := range steps {
		if st.before != nil {
			st.before()
		}
		if got := s.collect(t); got != st.wantOK {
			t.Fatalf("%s: collect reached the api: got %v, want %v", st.name, got, st.wantOK)
		}
		if diff := cmp.Diff(st.want, read(s.scrape(t))); diff != "" {
			t.Errorf("%s (-want +got):\n%s", st.name, diff)
		}
	}
}

// TestZarfMetricNamesAreServed checks that every sales_api_* name in the
// Grafana dashboards and Prometheus rules is one the sidecar serves, so a
// renamed metric cannot leave a silent panel or a rule that never fires.
func TestZarfMetricNamesAreServed(t *testing.T) {
	// The metric names need the publisher only, not a live API: a
	// snapshot with every expvar the API publishes fills every family.
	pub := publisher.New(publisher.Config{Readiness: true})
	pub.Update(collector.Snapshot{
		Build:   "test",
		Latency: collector.Latency{Buckets: map[string]uint64{"0.1": 1}, Count: 1, Sum: 0.05},
	}, nil)
	srv := httptest.NewServer(pub.Handler())
	t.Cleanup(srv.Close)
	families := (&sidecar{srv: srv}).scrape(t)

	served := map[string]bool{}
	for name, f := range families {
		served[name] = true
		if f.GetType() == dto.MetricType_HISTOGRAM {
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				served[name+suffix] = true
			}
		}
	}

	root := filepath.Join("..", "..", "..", "..", "zarf")
	files := []string{filepath.Join(root, "prometheus", "alerts.yml")}
	dashboards, err := filepath.Glob(filepath.Join(root, "grafana", "dashboards", "*.json"))
	if err != nil || len(dashboards) == 0 {
		t.Fatalf("no dashboards in %s: %v", root, err)
	}
	files = append(files, dashboards...)

	nameRE := regexp.MustCompile(`\bsales_api_[a-z0-9_]+`)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			used := nameRE.FindAllString(string(data), -1)
			if len(used) == 0 {
				t.Fatalf("no sales_api_ metric in %s", file)
			}
			var missing []string
			for _, name := range used {
				if !served[name] {
					missing = append(missing, name)
				}
			}
			sort.Strings(missing)
			if len(missing) > 0 {
				t.Errorf("names not served by the sidecar: %s", strings.Join(missing, ", "))
			}
		})
	}
}
