package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/garagesale/service/tools/fleet/fleetfile"
	"github.com/garagesale/service/tools/fleet/supervisor"
	"github.com/google/go-cmp/cmp"
)

// A trace as Jaeger's query API answers it: a server span, a business
// span under it and a query under that, out of order as Jaeger sends them.
const jaegerJSON = `{"data":[{"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spans":[
 {"spanID":"c","operationName":"db.query","references":[{"refType":"CHILD_OF","spanID":"b"}],"startTime":1000300,"duration":1200,"processID":"p1",
  "tags":[{"key":"db.system","value":"postgresql"},{"key":"db.statement","value":"SELECT\n  product_id, name\nFROM products\nWHERE product_id = $1"}]},
 {"spanID":"a","operationName":"GET /v1/products/{id}","references":[],"startTime":1000000,"duration":2500,"processID":"p1",
  "tags":[{"key":"http.request.method","value":"GET"},{"key":"http.response.status_code","value":200}]},
 {"spanID":"b","operationName":"productbus.QueryByID","references":[{"refType":"CHILD_OF","spanID":"a"}],"startTime":1000200,"duration":1500,"processID":"p1","tags":[]},
 {"spanID":"d","operationName":"mid.Authenticate","references":[{"refType":"CHILD_OF","spanID":"a"}],"startTime":1000100,"duration":50,"processID":"p1","tags":[]}
],"processes":{"p1":{"serviceName":"sales-api"}}}]}`

func TestPrintTrace(t *testing.T) {
	var body struct {
		Data []jaegerTrace `json:"data"`
	}
	if err := json.Unmarshal([]byte(jaegerJSON), &body); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	printTrace(&out, body.Data[0])
	want := strings.Join([]string{
		"trace 4bf92f3577b34da6a3ce929d0e0e4736: 4 spans, 2.5ms",
		"GET /v1/products/{id}  2.5ms  +0s  [sales-api]  http.request.method=GET  http.response.status_code=200",
		"├─ mid.Authenticate  50µs  +100µs  [sales-api]",
		"└─ productbus.QueryByID  1.5ms  +200µs  [sales-api]",
		`   └─ db.query  1.2ms  +300µs  [sales-api]  db.statement="SELECT product_id, name FROM products WHERE product_id = $1"`,
	}, "\n") + "\n"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("tree (-want +got):\n%s", diff)
	}
}

// The API's service name changes when a project renames the kit (make
// rename), and with it the width of every column it stands in: the tests
// below build what they expect from it rather than from its length.
const apiName = "sales-api"

func TestLogView(t *testing.T) {
	const line = `{"time":"2026-03-01T10:15:30.123Z","level":"INFO","msg":"request started","service":"` + apiName + `","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","path":"/v1/users"}`
	f, err := fleetfile.Parse([]byte("services:\n  postgres:\n    command: [pg]\n  " + apiName + ":\n    command: [api]\n"))
	if err != nil {
		t.Fatal(err)
	}
	width := prefixWidth(f)
	// col is an instance's name in the column every line shares.
	col := func(name string) string { return name + strings.Repeat(" ", width-len(name)) + "|" }
	tests := []struct {
		name   string
		only   string
		raw    string
		want   string
		wantOK bool
	}{
		{"JSON is pretty-printed after the instance", "", apiName + ".2\t" + line, col(apiName+".2") + " 10:15:30.123 INFO  " + apiName + " 4bf92f35 request started path=/v1/users", true},
		{"plain text passes", "", "postgres.1\tLOG:  database system is ready", col("postgres.1") + " LOG:  database system is ready", true},
		{"a service keeps its instances", apiName, apiName + ".12\tx", col(apiName+".12") + " x", true},
		{"an instance keeps only itself", apiName + ".1", apiName + ".12\tx", "", false},
		{"another service is left out", apiName, "sales-admin.1\tx", "", false},
		{"the fleet's own lines", "fleet", supervisor.FleetName + "\tstarted", col("fleet") + " started", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := view{only: tt.only, width: width}.render(tt.raw)
			if ok != tt.wantOK {
				t.Fatalf("kept: got %v, want %v", ok, tt.wantOK)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("line (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLogViewAlignsEveryInstance(t *testing.T) {
	for _, service := range []string{"api", apiName, "inventory-service"} {
		t.Run(service, func(t *testing.T) {
			f, err := fleetfile.Parse([]byte("services:\n  postgres:\n    command: [pg]\n  " + service + ":\n    command: [api]\n"))
			if err != nil {
				t.Fatal(err)
			}
			v := view{width: prefixWidth(f)}
			bars := map[string]int{}
			for _, name := range []string{supervisor.FleetName, "postgres.1", service + ".1", service + ".99"} {
				line, _ := v.render(name + "\tx")
				bars[name] = strings.Index(line, "|")
			}
			want := map[string]int{}
			for name := range bars {
				want[name] = bars[service+".99"]
			}
			if diff := cmp.Diff(want, bars); diff != "" || want[supervisor.FleetName] < len(service+".99") {
				t.Errorf("column of | by instance (-want +got), want every line's at one place past the longest name:\n%s", diff)
			}
		})
	}
}

func TestPrintRows(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	rows := []supervisor.Row{
		{Service: "postgres", Instance: "postgres.1", PID: 100, Ports: []int{54320}, Health: supervisor.Healthy, Started: now.Add(-90 * time.Second)},
		{Service: "setup", Instance: "setup.1", PID: 101, Health: supervisor.Done, Started: now.Add(-80 * time.Second)},
		{Service: apiName, Instance: apiName + ".1", PID: 102, Ports: []int{3000, 3010}, Health: supervisor.Healthy, Started: now.Add(-5 * time.Second), Restarts: 2,
			Note: "the rebuild at 11:59:00 failed: this runs the last good build (fleet logs fleet)"},
		{Service: "prometheus", Health: "-", Note: "skipped: prometheus is not installed"},
	}
	var out bytes.Buffer
	printRows(&out, rows, now)
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 6 {
		t.Fatalf("got %d lines, want a header, 4 rows and a note:\n%s", len(lines), out.String())
	}
	want := [][]string{
		{"SERVICE", "INSTANCE", "PID", "PORTS", "HEALTH", "UPTIME", "RESTARTS"},
		{"postgres", "postgres.1", "100", "54320", "healthy", "1m30s", "0"},
		{"setup", "setup.1", "101", "-", "done", "-", "0"},
		{apiName, apiName + ".1", "102", "3000,3010", "healthy", "5s", "2"},
		{"prometheus", "-", "-", "-", "skipped: prometheus is not installed", "-", "-"},
	}
	if diff := cmp.Diff(want, tableCells(t, lines[:5])); diff != "" {
		t.Errorf("table (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(apiName+": the rebuild at 11:59:00 failed: this runs the last good build (fleet logs fleet)", lines[5]); diff != "" {
		t.Errorf("note (-want +got):\n%s", diff)
	}
}

// cellRE is a table's cell: words apart by single spaces; cells are two
// spaces or more apart.
var cellRE = regexp.MustCompile(`\S+( \S+)*`)

// tableCells splits a table's lines into their cells and fails the test
// unless each column starts at one place on every line.
func tableCells(t *testing.T, lines []string) [][]string {
	t.Helper()
	var cells [][]string
	var starts []int
	for i, line := range lines {
		var row []string
		for k, at := range cellRE.FindAllStringIndex(line, -1) {
			row = append(row, line[at[0]:at[1]])
			switch {
			case i == 0:
				starts = append(starts, at[0])
			case k >= len(starts) || starts[k] != at[0]:
				t.Errorf("line %d: %q starts at %d, not in its column:\n%s", i, line[at[0]:at[1]], at[0], strings.Join(lines, "\n"))
			}
		}
		cells = append(cells, row)
	}
	return cells
}

func TestFullTraceIDFromAPrefix(t *testing.T) {
	log := filepath.Join(t.TempDir(), "fleet.log")
	lines := "sales-api.1\t{\"msg\":\"a\",\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\"}\n" +
		"sales-api.2\t{\"msg\":\"b\",\"trace_id\":\"4bf92f35aaaaaaaaaaaaaaaaaaaaaaaa\"}\n" +
		"sales-api.2\t{\"msg\":\"c\",\"trace_id\":\"00000f396b0191bb0000000000000001\"}\n"
	if err := os.WriteFile(log, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		prefix, want, err string
	}{
		{prefix: "00000f39", want: "00000f396b0191bb0000000000000001"},
		{prefix: "4bf92f3577", want: "4bf92f3577b34da6a3ce929d0e0e4736"},
		{prefix: "4bf92f35", err: "2 traces start 4bf92f35"},
		{prefix: "ffffffff", err: "no trace starting ffffffff"},
		{prefix: "abc", err: "give the 32 hex digits"},
		{prefix: "not-hex!", err: "give the 32 hex digits"},
	}
	for _, tt := range tests {
		got, err := fullTraceID(log, tt.prefix)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%s: error %v, want one with %q", tt.prefix, err, tt.err)
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("%s: %q, %v; want %q", tt.prefix, got, err, tt.want)
		}
	}
}
