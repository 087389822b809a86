package domaingen

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNames(t *testing.T) {
	tests := []struct {
		json, goName, column string
	}{
		{"label", "Label", "label"},
		{"dueAt", "DueAt", "due_at"},
		{"productID", "ProductID", "product_id"},
		{"productId", "ProductID", "product_id"},
		{"htmlURLText", "HtmlURLText", "html_url_text"},
		{"size2", "Size2", "size2"},
	}
	for _, tt := range tests {
		got := []string{exported(tt.json), snake(tt.json)}
		if diff := cmp.Diff([]string{tt.goName, tt.column}, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.json, diff)
		}
	}
}

func TestSpecProblems(t *testing.T) {
	tests := []struct {
		name   string
		spec   Spec
		fields []string
		want   string // in the error; "" for none
	}{
		{name: "every kind", spec: Spec{Name: "widget"},
			fields: []string{"label:string", "count:int", "price:money", "stock:quantity", "active:bool", "dueAt:time", "tag:uuid", "productID:uuid:product"}},
		{name: "no fields", spec: Spec{Name: "widget"}, want: "no fields"},
		{name: "bad domain", spec: Spec{Name: "Widget"}, fields: []string{"a:int"}, want: `domain "Widget"`},
		{name: "bad kind", spec: Spec{Name: "widget"}, fields: []string{"a:float"}, want: `type "float"`},
		{name: "taken name", spec: Spec{Name: "widget"}, fields: []string{"id:uuid"}, want: `field "id": the name is taken (every domain has id`},
		{name: "a list's parameter", spec: Spec{Name: "widget"}, fields: []string{"page:int"}, want: `field "page": the name is taken (a list's own parameters`},
		{name: "reserved word", spec: Spec{Name: "widget"}, fields: []string{"order:int"}, want: `field "order": the name is taken (SQL reserves it)`},
		{name: "twice", spec: Spec{Name: "widget"}, fields: []string{"a:int", "a:bool"}, want: "given twice"},
		{name: "ref on a string", spec: Spec{Name: "widget"}, fields: []string{"a:string:product"}, want: "only a uuid field"},
		{name: "snake field", spec: Spec{Name: "widget"}, fields: []string{"due_at:time"}, want: "camelCase"},
		{name: "a time's filter", spec: Spec{Name: "widget"}, fields: []string{"due:time", "dueFrom:string"}, want: `field "dueFrom": its name dueFrom is due's too`},
		{name: "a range's filter", spec: Spec{Name: "widget"}, fields: []string{"price:money", "priceMax:int"}, want: "is price's too"},
		{name: "the key's column", spec: Spec{Name: "widget"}, fields: []string{"widgetId:uuid"}, want: "the ID"},
		{name: "an index name past 63 bytes", spec: Spec{Name: "widgetcollection"}, fields: []string{"theLongestDescriptionOfTheWidget:string"},
			want: "widgetcollections_the_longest_description_of_the_widget_trgm_idx is longer than Postgres' 63 bytes"},
		{name: "the same field as a number, its index within 63 bytes", spec: Spec{Name: "widgetcollection"}, fields: []string{"theLongestDescriptionOfTheWidget:int"}},
		{name: "one index for two fields", spec: Spec{Name: "widget"}, fields: []string{"name:string", "nameTrgm:int"},
			want: `field "nameTrgm": its name index widgets_name_trgm_idx is name's too`},
		{name: "a column named like another's index", spec: Spec{Name: "widget"}, fields: []string{"name:string", "nameIdx:int"}},
		{name: "one column for two names", spec: Spec{Name: "widget"}, fields: []string{"dueAt:time", "due_at2:int"}, want: "camelCase"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, f := range tt.fields {
				fs, err := ParseField(f)
				if err != nil {
					t.Fatalf("parse %q: %v", f, err)
				}
				tt.spec.Fields = append(tt.spec.Fields, fs)
			}
			err := tt.spec.check()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("got %v, want no error", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v, want an error saying %q", err, tt.want)
			}
		})
	}
}

func TestParseFieldShape(t *testing.T) {
	for _, s := range []string{"label", "a:b:c:d", ""} {
		if _, err := ParseField(s); err == nil {
			t.Errorf("ParseField(%q): no error", s)
		}
	}
}

func TestPlurals(t *testing.T) {
	got := []string{pluralOf("widget"), pluralOf("category"), pluralOf("day"), pluralOf("box"), pluralOf("bus"), pluralOf("batch")}
	want := []string{"widgets", "categories", "days", "boxes", "buses", "batches"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("plurals (-want +got):\n%s", diff)
	}
}
