package web_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/garagesale/service/foundation/web"
	"github.com/google/go-cmp/cmp"
)

type base struct {
	ID   string `json:"id"`
	Name string `json:"name"` // the outer one wins
}

type line struct {
	Qty int `json:"qty"`
}

type order struct {
	base
	Name  string            `json:"name"`
	Lines []line            `json:"lines"`
	Ship  *line             `json:"ship"`
	Tags  map[string]string `json:"tags"`
	Raw   json.RawMessage   `json:"raw"`
	Plain int
}

// TestDecodeNames: what encoding/json forgives in names is refused,
// naming the member: one given twice in an object, and one that matches
// a field only when case is ignored.
func TestDecodeNames(t *testing.T) {
	tests := []struct {
		name string
		body string
		want *web.DecodeError // nil: decoded
	}{
		{"exact names", `{"id":"1","name":"a","lines":[{"qty":1}],"ship":{"qty":2},"tags":{"X":"y","x":"z"},"raw":{"a":1,"A":2},"Plain":3}`, nil},
		{"a name in another case", `{"NAME":"a"}`, &web.DecodeError{Field: "NAME", Err: errors.New("unknown field: names are case-sensitive, this one is name")}},
		{"a promoted name in another case", `{"Id":"1"}`, &web.DecodeError{Field: "Id", Err: errors.New("unknown field: names are case-sensitive, this one is id")}},
		{"a Go name in another case", `{"plain":3}`, &web.DecodeError{Field: "plain", Err: errors.New("unknown field: names are case-sensitive, this one is Plain")}},
		{"in an array's object", `{"lines":[{"qty":1},{"QTY":2}]}`, &web.DecodeError{Field: "lines.QTY", Err: errors.New("unknown field: names are case-sensitive, this one is qty")}},
		{"through a pointer", `{"ship":{"Qty":2}}`, &web.DecodeError{Field: "ship.Qty", Err: errors.New("unknown field: names are case-sensitive, this one is qty")}},
		{"a name twice", `{"name":"a","name":"b"}`, &web.DecodeError{Field: "name", Err: errors.New("is given more than once: send it once")}},
		{"twice in a map", `{"tags":{"a":"1","a":"2"}}`, &web.DecodeError{Field: "tags.a", Err: errors.New("is given more than once: send it once")}},
		{"twice, once escaped", `{"name":"a","n\u0061me":"b"}`, &web.DecodeError{Field: "name", Err: errors.New("is given more than once: send it once")}},
		{"deep in arrays and objects", `{"tags":{"k":"v"},"lines":[{"qty":1}],"ship":{"qty":1,"qty":2}}`, &web.DecodeError{Field: "ship.qty", Err: errors.New("is given more than once: send it once")}},
		{"strings that look like JSON", `{"name":"{\"a\":1,\"a\":2} [\\\"","raw":"x,}]"}`, nil},
		{"twice among many", `{"tags":{` + manyTags(20) + `,"t3":"again"}}`, &web.DecodeError{Field: "tags.t3", Err: errors.New("is given more than once: send it once")}},
		{"twice past the first sixteen", `{"tags":{` + manyTags(20) + `,"t18":"again"}}`, &web.DecodeError{Field: "tags.t18", Err: errors.New("is given more than once: send it once")}},
		{"many, once each", `{"tags":{` + manyTags(40) + `}}`, nil},
		{"twice in a raw value", `{"raw":{"a":1,"a":2}}`, &web.DecodeError{Field: "raw.a", Err: errors.New("is given more than once: send it once")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v order
			err := web.DecodeBytes([]byte(tt.body), &v)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var de *web.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error = %v, want a DecodeError", err)
			}
			if diff := cmp.Diff([2]string{tt.want.Field, tt.want.Err.Error()}, [2]string{de.Field, de.Err.Error()}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// manyTags is n members t0 to t(n-1) of a JSON object.
func manyTags(n int) string {
	tags := make([]string, n)
	for i := range tags {
		tags[i] = fmt.Sprintf(`"t%d":"v"`, i)
	}
	return strings.Join(tags, ",")
}

type node struct {
	*node
	X int `json:"x"`
}

type (
	inner struct {
		X map[string]int `json:"x"`
	}
	viaA struct{ inner }
	viaB struct {
		X line `json:"x"`
	}
	deeper struct {
		viaA
		viaB
	}
)

// loose reads its own JSON, any JSON: its members' names are its own.
type loose []line

func (l *loose) UnmarshalJSON([]byte) error { return nil }

// TestDecodeNamesFollowsEncodingJSON: the fields names are checked against
// are the ones encoding/json fills.
func TestDecodeNamesFollowsEncodingJSON(t *testing.T) {
	var n node
	if err := web.DecodeBytes([]byte(`{"x":1}`), &n); err != nil || n.X != 1 || n.node != nil {
		t.Errorf("a struct that embeds itself: %v, %+v", err, n)
	}
	// The shallower x (viaB's, a line) is the one filled.
	var d deeper
	if err := web.DecodeBytes([]byte(`{"x":{"qty":1}}`), &d); err != nil {
		t.Errorf("the shallower of two promoted fields: %v", err)
	}
	var de *web.DecodeError
	if err := web.DecodeBytes([]byte(`{"x":{"QTY":1}}`), &d); !errors.As(err, &de) || de.Field != "x.QTY" {
		t.Errorf("a name in another case in the shallower field: %v, want a DecodeError for x.QTY", err)
	}
	var l struct {
		L loose `json:"l"`
	}
	if err := web.DecodeBytes([]byte(`{"l":[{"QTY":1}]}`), &l); err != nil {
		t.Errorf("a type that decodes itself: %v", err)
	}
}
