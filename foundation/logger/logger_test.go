package logger_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/garagesale/service/foundation/logger"
	"github.com/google/go-cmp/cmp"
)

type ctxKey struct{}

func TestEveryLineHasServiceAndTraceID(t *testing.T) {
	var buf bytes.Buffer
	log := logger.New(&buf, logger.LevelInfo, "sales-api", func(ctx context.Context) string {
		id, _ := ctx.Value(ctxKey{}).(string)
		return id
	})

	ctx := context.WithValue(context.Background(), ctxKey{}, "abc123")
	log.Info(ctx, "hello", "k", "v")
	log.Debug(ctx, "hidden below info")
	log.Error(context.Background(), "no trace")

	var got []map[string]any
	for _, line := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("line is not JSON: %s", line)
		}
		got = append(got, map[string]any{"msg": m["msg"], "service": m["service"], "trace_id": m["trace_id"], "level": m["level"]})
	}
	want := []map[string]any{
		{"msg": "hello", "service": "sales-api", "trace_id": "abc123", "level": "INFO"},
		{"msg": "no trace", "service": "sales-api", "trace_id": "00000000000000000000000000000000", "level": "ERROR"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
}
