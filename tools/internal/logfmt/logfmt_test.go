package logfmt

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	started = `{"time":"2026-03-01T10:15:30.123456Z","level":"INFO","source":{"function":"x.Logger","file":"/src/app/sdk/mid/logger.go","line":21},"msg":"request started","service":"sales-api","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","method":"GET","path":"/v1/users"}`
	failed  = `{"time":"2026-03-01T10:15:30.200Z","level":"ERROR","msg":"internal error","service":"sales-api","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","errorID":"e1","cause":"sql: database is closed"}`
	other   = `{"time":"2026-03-01T10:15:31Z","level":"WARN","msg":"collect","service":"metrics","trace_id":"00000000000000000000000000000000","count":3,"ok":true,"tags":["a", "b"]}`
)

func TestFormat(t *testing.T) {
	tests := []struct {
		name   string
		line   string
		opts   Options
		want   string
		wantOK bool
	}{
		{
			name:   "request line",
			line:   started,
			want:   "10:15:30.123 INFO  sales-api 4bf92f35 request started source=logger.go:21 method=GET path=/v1/users",
			wantOK: true,
		},
		{
			name:   "values with spaces are quoted",
			line:   failed,
			want:   `10:15:30.200 ERROR sales-api 4bf92f35 internal error errorID=e1 cause="sql: database is closed"`,
			wantOK: true,
		},
		{
			name:   "numbers, booleans and arrays stay JSON; no trace shows dashes",
			line:   other,
			want:   `10:15:31.000 WARN  metrics -------- collect count=3 ok=true tags=["a","b"]`,
			wantOK: true,
		},
		{
			name:   "not JSON passes through",
			line:   "goroutine 1 [running]:",
			want:   "goroutine 1 [running]:",
			wantOK: true,
		},
		{
			name:   "not JSON passes through a filter",
			line:   "panic: boom",
			opts:   Options{Service: "sales-api"},
			want:   "panic: boom",
			wantOK: true,
		},
		{
			name:   "colour",
			line:   failed,
			opts:   Options{Color: true},
			want:   "\033[2m10:15:30.200\033[0m \033[31mERROR\033[0m \033[34msales-api\033[0m \033[2m4bf92f35\033[0m \033[1minternal error\033[0m \033[36merrorID\033[0m=e1 \033[36mcause\033[0m=\"sql: database is closed\"",
			wantOK: true,
		},
		{
			name:   "service filter keeps",
			line:   started,
			opts:   Options{Service: "sales-api"},
			want:   "10:15:30.123 INFO  sales-api 4bf92f35 request started source=logger.go:21 method=GET path=/v1/users",
			wantOK: true,
		},
		{
			name: "service filter drops",
			line: other,
			opts: Options{Service: "sales-api"},
		},
		{
			name:   "trace filter by prefix keeps",
			line:   failed,
			opts:   Options{Trace: "4bf92f35"},
			want:   `10:15:30.200 ERROR sales-api 4bf92f35 internal error errorID=e1 cause="sql: database is closed"`,
			wantOK: true,
		},
		{
			// A client's path: a NUL or an escape sequence printed raw would
			// make grep call the log binary, or run in the terminal.
			name:   "control characters quoted",
			line:   `{"time":"2026-03-01T10:15:30.123456Z","level":"INFO","msg":"request started","service":"sales-api","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","path":"/v1/users/x\u0000y","agent":"\u001b[31mred","name":"Zoë"}`,
			want:   `10:15:30.123 INFO  sales-api 4bf92f35 request started path="/v1/users/x\x00y" agent="\x1b[31mred" name=Zoë`,
			wantOK: true,
		},
		{
			name: "trace filter drops",
			line: other,
			opts: Options{Trace: "4bf92f35"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Format([]byte(tt.line), tt.opts)
			if ok != tt.wantOK {
				t.Fatalf("kept: got %v, want %v", ok, tt.wantOK)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("line (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRunFiltersAStream(t *testing.T) {
	in := strings.Join([]string{started, other, "plain text", failed}, "\n") + "\n"
	var out bytes.Buffer
	if err := Copy(strings.NewReader(in), &out, Options{Trace: "4bf92f35"}); err != nil {
		t.Fatalf("run: %v", err)
	}
	want := strings.Join([]string{
		"10:15:30.123 INFO  sales-api 4bf92f35 request started source=logger.go:21 method=GET path=/v1/users",
		"plain text",
		`10:15:30.200 ERROR sales-api 4bf92f35 internal error errorID=e1 cause="sql: database is closed"`,
	}, "\n") + "\n"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
}
