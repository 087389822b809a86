package mid_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/mid"
	"github.com/garagesale/service/foundation/logger"
	"github.com/garagesale/service/foundation/web"
	"github.com/google/go-cmp/cmp"
)

// TestErrorsLogWhatTheClientGot: a client's mistake is logged at Info with
// the code, the message and each bad field, so the log says why a 400 was
// a 400; an internal error is logged with its cause under the errorID the
// client gets, and the client gets neither the cause nor a stack.
func TestErrorsLogWhatTheClientGot(t *testing.T) {
	for _, tt := range []struct {
		name   string
		err    error
		level  string
		logged map[string]any
	}{
		{
			name:  "bad fields",
			err:   errs.NewFields(errs.FieldErrors{"costMin": "must be a number", "name": "is required"}),
			level: "INFO",
			logged: map[string]any{"msg": "request error", "code": "invalid_argument", "message": "data validation error",
				"fields": map[string]any{"costMin": "must be a number", "name": "is required"}},
		},
		{
			// What a client sent, quoted at any length, costs a bounded
			// line and answer.
			name: "a huge mistake",
			err: &errs.Error{Code: errs.InvalidArgument, Message: strings.Repeat("m", 1000),
				Fields: errs.FieldErrors{"cost": strings.Repeat("9", 5000)}, Cause: errors.New(strings.Repeat("c", 5000))},
			level: "INFO",
			logged: map[string]any{"msg": "request error", "message": strings.Repeat("m", errs.MaxText) + "…",
				"fields": map[string]any{"cost": strings.Repeat("9", errs.MaxText) + "…"}, "cause": strings.Repeat("c", errs.MaxText) + "…"},
		},
		{
			name:   "internal",
			err:    errs.New(errs.Internal, errors.New("pq: relation missing")),
			level:  "ERROR",
			logged: map[string]any{"msg": "internal error", "cause": "pq: relation missing"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := logger.New(&buf, logger.LevelInfo, "test", nil)
			h := mid.Errors(log)(func(context.Context, *http.Request) (any, error) { return nil, tt.err })
			resp, err := h(context.Background(), httptest.NewRequest(http.MethodGet, "/", nil))
			if err != nil {
				t.Fatalf("Errors passed the error on: %v", err)
			}

			var line map[string]any
			if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
				t.Fatalf("log %q: %v", buf.String(), err)
			}
			if line["level"] != tt.level {
				t.Errorf("level %v, want %s", line["level"], tt.level)
			}
			got := map[string]any{}
			for k := range tt.logged {
				got[k] = line[k]
			}
			if diff := cmp.Diff(tt.logged, got); diff != "" {
				t.Errorf("log line (-want +got):\n%s", diff)
			}
			body, _, err := web.Encode(resp)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(body), "pq:") {
				t.Errorf("the client got the cause: %s", body)
			}
		})
	}
}
