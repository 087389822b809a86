package tests

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/garagesale/service/app/sdk/apitest"
	"github.com/google/go-cmp/cmp"
)

// TestTimesAnsweredAreTheTimesStored: every time the API answers is the
// time Postgres keeps, to the microsecond: a client may send it back as a
// filter's bound, or compare it with a time it sent, and hit it exactly.
// (Answered to the second, a row's own dateCreated as dateCreatedFrom, a
// microsecond wide, missed the row.)
func TestTimesAnsweredAreTheTimesStored(t *testing.T) {
	s := newSaleEnv(t)
	p := s.newProduct(t, s.user1, "Lamp", 5)
	sale := s.buy(t, "user2", p, 1, "10")
	admin := s.tokens["admin"]

	tests := []struct {
		name, url, field string // field of the answer holding the time
		stored           string // SQL for the time as kept
		arg              string
	}{
		{"user dateCreated", "/v1/users/" + s.user1.ID.String(), "dateCreated", `SELECT date_created FROM users WHERE user_id = $1`, s.user1.ID.String()},
		{"user dateUpdated", "/v1/users/" + s.disabled.ID.String(), "dateUpdated", `SELECT date_updated FROM users WHERE user_id = $1`, s.disabled.ID.String()},
		{"product dateCreated", "/v1/products/" + p.ID.String(), "dateCreated", `SELECT date_created FROM products WHERE product_id = $1`, p.ID.String()},
		{"sale dateCreated", "/v1/sales/" + sale.ID, "dateCreated", `SELECT date_created FROM sales WHERE sale_id = $1`, sale.ID},
		{"sale takenAt", "/v1/sales/" + sale.ID, "takenAt", `SELECT taken_at FROM sales WHERE sale_id = $1`, sale.ID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stored time.Time
			if err := s.db.DB.Get(&stored, tt.stored, tt.arg); err != nil {
				t.Fatal(err)
			}
			text, _ := object(t, s.env, tt.url, admin)[tt.field].(string)
			answered, err := time.Parse(time.RFC3339Nano, text)
			if err != nil {
				t.Fatalf("%s %q: %v", tt.field, text, err)
			}
			if diff := cmp.Diff(stored.UTC(), answered); diff != "" {
				t.Errorf("%s answered as %q (-stored +answered):\n%s", tt.field, text, diff)
			}
		})
	}

	// The row's own time as a range a microsecond wide finds it, and
	// bounds finer than the database's microsecond keep their meaning,
	// From inclusive and Before exclusive: cut to the microsecond, a From
	// 100 ns after the row found it and a Before 100 ns after it did not.
	created, _ := object(t, s.env, "/v1/users/"+s.user1.ID.String(), admin)["dateCreated"].(string)
	at, err := time.Parse(time.RFC3339Nano, created)
	if err != nil {
		t.Fatal(err)
	}
	ns := time.Nanosecond
	for _, b := range []struct {
		from, before time.Duration // from the row's time
		want         float64
	}{
		{0, time.Microsecond, 1},
		{100 * ns, time.Microsecond, 0},
		{-900 * ns, 100 * ns, 1},
		{-time.Microsecond, 0, 0},
		{-time.Microsecond, -100 * ns, 0},
	} {
		url := "/v1/users?id=" + s.user1.ID.String() + "&dateCreatedFrom=" + at.Add(b.from).Format(time.RFC3339Nano) +
			"&dateCreatedBefore=" + at.Add(b.before).Format(time.RFC3339Nano)
		if got := object(t, s.env, url, admin)["total"]; got != b.want {
			t.Errorf("GET %s: total %v, want %v", url, got, b.want)
		}
	}
}

// object is the JSON object a GET of url answers with 200.
func object(t *testing.T, e *env, url, token string) map[string]any {
	t.Helper()
	resp := apitest.Do(t, e.h, http.MethodGet, url, token, nil, nil)
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return body
}
