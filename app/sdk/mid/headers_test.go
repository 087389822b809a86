package mid_test

import (
	"testing"

	"github.com/garagesale/service/app/sdk/mid"
	"github.com/google/go-cmp/cmp"
)

func TestParseOrigins(t *testing.T) {
	for _, tt := range []struct {
		list string
		want []string
		bad  bool
	}{
		{list: "", want: nil},
		{list: "https://a.example;https://b.example:8443", want: []string{"https://a.example", "https://b.example:8443"}},
		{list: "https://a.example, http://localhost:5173 https://c.example/", want: []string{"https://a.example", "http://localhost:5173", "https://c.example"}},
		{list: "a.example", bad: true},
		{list: "https://a.example/app", bad: true},
		{list: "ftp://a.example", bad: true},
	} {
		t.Run(tt.list, func(t *testing.T) {
			got, err := mid.ParseOrigins(tt.list)
			if (err != nil) != tt.bad {
				t.Fatalf("error %v, want bad=%v", err, tt.bad)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("origins (-want +got):\n%s", diff)
			}
		})
	}
}
