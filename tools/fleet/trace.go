package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/garagesale/service/tools/fleet/supervisor"
)

// defaultJaeger is the query API of the fleet's Jaeger (zarf/fleet.yaml).
const defaultJaeger = "http://127.0.0.1:16686"

var traceIDRE = regexp.MustCompile(`^[0-9a-f]{32}$`)

func trace(ctx context.Context, o options, args []string, w io.Writer) error {
	fs := flag.NewFlagSet("trace", flag.ContinueOnError)
	jaeger := fs.String("jaeger", defaultJaeger, "the Jaeger query API")
	wait := fs.Duration("wait", 5*time.Second, "how long to wait for the trace to reach Jaeger")
	ids, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(ids) != 1 {
		return usageErrorf("trace takes one trace ID, not %d", len(ids))
	}
	id := strings.ToLower(ids[0])
	if !traceIDRE.MatchString(id) {
		full, err := fullTraceID(filepath.Join(o.stateDir(), supervisor.LogName), id)
		if err != nil {
			return err
		}
		id = full
	}
	t, err := fetchTrace(ctx, *jaeger, id, *wait)
	if err != nil {
		return err
	}
	// Jaeger writes an ID without its leading zeros.
	t.TraceID = id
	printTrace(w, t)
	return nil
}

var hexRE = regexp.MustCompile(`^[0-9a-f]{4,31}$`)

// fullTraceID finds the trace ID that starts with prefix (the 8 digits
// fleet logs shows) in the fleet log's lines.
func fullTraceID(logPath, prefix string) (string, error) {
	usage := fmt.Errorf("trace ID %q: give the 32 hex digits of a trace (X-Trace-Id of an answer, the second field of a traceparent) or the start of one that fleet logs shows", prefix)
	if !hexRE.MatchString(prefix) {
		return "", usage
	}
	data, err := os.ReadFile(logPath)
	if err != nil {
		return "", usage
	}
	re := regexp.MustCompile(`"trace_id":"(` + prefix + `[0-9a-f]*)"`)
	found := map[string]bool{}
	for _, m := range re.FindAllStringSubmatch(string(data), -1) {
		if len(m[1]) == 32 {
			found[m[1]] = true
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("no trace starting %s in the fleet's log: %w", prefix, usage)
	case 1:
		for id := range found {
			return id, nil
		}
	}
	return "", fmt.Errorf("%d traces start %s in the fleet's log: give more digits", len(found), prefix)
}

// jaegerTrace is a trace as Jaeger's query API returns it.
type jaegerTrace struct {
	TraceID   string                   `json:"traceID"`
	Spans     []jaegerSpan             `json:"spans"`
	Processes map[string]jaegerProcess `json:"processes"`
}

type jaegerSpan struct {
	SpanID        string `json:"spanID"`
	OperationName string `json:"operationName"`
	References    []struct {
		RefType string `json:"refType"`
		SpanID  string `json:"spanID"`
	} `json:"references"`
	StartTime int64       `json:"startTime"` // µs since the epoch
	Duration  int64       `json:"duration"`  // µs
	Tags      []jaegerTag `json:"tags"`
	ProcessID string      `json:"processID"`
}

type jaegerTag struct {
	Key   string `json:"key"`
	Value any    `json:"value"`
}

type jaegerProcess struct {
	ServiceName string `json:"serviceName"`
}

// fetchTrace reads the trace from Jaeger, asking again until it has
// arrived (the exporter sends in batches) or wait has passed.
func fetchTrace(ctx context.Context, base, id string, wait time.Duration) (jaegerTrace, error) {
	u := strings.TrimRight(base, "/") + "/api/traces/" + url.PathEscape(id)
	deadline := time.Now().Add(wait)
	client := &http.Client{Timeout: 5 * time.Second}
	for {
		t, status, err := getTrace(ctx, client, u)
		switch {
		case err == nil:
			return t, nil
		case status != http.StatusNotFound:
			return jaegerTrace{}, err
		case time.Now().After(deadline):
			return jaegerTrace{}, fmt.Errorf("trace %s is not in Jaeger at %s: was the request sampled (SALES_TEMPO_PROBABILITY, or a traceparent ending in -01) and sent to it (SALES_TEMPO_HOST)?", id, base)
		}
		select {
		case <-ctx.Done():
			return jaegerTrace{}, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func getTrace(ctx context.Context, client *http.Client, u string) (jaegerTrace, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return jaegerTrace{}, 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return jaegerTrace{}, 0, fmt.Errorf("no Jaeger at %s (fleet up starts one): %w", u, err)
	}
	defer resp.Body.Close()
	var body struct {
		Data   []jaegerTrace `json:"data"`
		Errors []struct {
			Msg string `json:"msg"`
		} `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return jaegerTrace{}, resp.StatusCode, fmt.Errorf("read the trace from %s: status %d: %w", u, resp.StatusCode, err)
	}
	if resp.StatusCode == http.StatusNotFound || len(body.Data) == 0 || len(body.Data[0].Spans) == 0 {
		return jaegerTrace{}, http.StatusNotFound, errors.New("trace not found")
	}
	if resp.StatusCode != http.StatusOK {
		return jaegerTrace{}, resp.StatusCode, fmt.Errorf("read the trace from %s: status %d", u, resp.StatusCode)
	}
	return body.Data[0], resp.StatusCode, nil
}

// shownTags are the attributes printed beside a span, in this order.
var shownTags = []string{"http.request.method", "http.route", "http.response.status_code", "db.statement", "error", "otel.status_code", "otel.status_description"}

// printTrace prints the span tree: each span's name, duration, service
// and key attributes, children under their parent by start time.
func printTrace(w io.Writer, t jaegerTrace) {
	children := map[string][]jaegerSpan{}
	ids := map[string]bool{}
	for _, s := range t.Spans {
		ids[s.SpanID] = true
	}
	var roots []jaegerSpan
	for _, s := range t.Spans {
		parent := ""
		for _, r := range s.References {
			if r.RefType == "CHILD_OF" && ids[r.SpanID] {
				parent = r.SpanID
			}
		}
		if parent == "" {
			roots = append(roots, s)
			continue
		}
		children[parent] = append(children[parent], s)
	}
	byStart := func(a, b jaegerSpan) int { return int(a.StartTime - b.StartTime) }
	slices.SortFunc(roots, byStart)
	for k := range children {
		slices.SortFunc(children[k], byStart)
	}

	var first, last int64
	for i, s := range t.Spans {
		if i == 0 || s.StartTime < first {
			first = s.StartTime
		}
		last = max(last, s.StartTime+s.Duration)
	}
	fmt.Fprintf(w, "trace %s: %d spans, %s\n", t.TraceID, len(t.Spans), micros(last-first))

	var walk func(s jaegerSpan, prefix, branch string)
	walk = func(s jaegerSpan, prefix, branch string) {
		line := fmt.Sprintf("%s%s%s  %s  +%s", prefix, branch, s.OperationName, micros(s.Duration), micros(s.StartTime-first))
		if p, ok := t.Processes[s.ProcessID]; ok {
			line += "  [" + p.ServiceName + "]"
		}
		for _, key := range shownTags {
			for _, tag := range s.Tags {
				if tag.Key == key {
					line += fmt.Sprintf("  %s=%s", key, tagText(tag.Value))
				}
			}
		}
		fmt.Fprintln(w, line)
		next := prefix
		switch branch {
		case "├─ ":
			next += "│  "
		case "└─ ":
			next += "   "
		}
		kids := children[s.SpanID]
		for i, c := range kids {
			b := "├─ "
			if i == len(kids)-1 {
				b = "└─ "
			}
			walk(c, next, b)
		}
	}
	for _, r := range roots {
		walk(r, "", "")
	}
}

// tagText prints a value on one line, long SQL cut short.
func tagText(v any) string {
	s := strings.Join(strings.Fields(fmt.Sprint(v)), " ")
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	if strings.ContainsAny(s, " ") {
		return fmt.Sprintf("%q", s)
	}
	return s
}

// micros prints a duration given in microseconds.
func micros(us int64) string {
	d := time.Duration(us) * time.Microsecond
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.String()
}
