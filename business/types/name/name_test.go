package name_test

import (
	"strings"
	"testing"

	"github.com/garagesale/service/business/types/name"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"Bill", "Bill", true},
		{"  Bill Kennedy  ", "Bill Kennedy", true},
		{"Zoë", "Zoë", true},
		{strings.Repeat("é", name.MaxLen), strings.Repeat("é", name.MaxLen), true},
		{strings.Repeat("a", name.MaxLen+1), "", false},
		{"", "", false},
		{"   ", "", false},
		{"bad\x00name", "", false},
		{"tab\tname", "", false},
		{"C1\u0085control", "", false},
		{"Lamp\u202egpj.exe", "", false},
		{"Admin\u200bGopher", "", false},
		{"\ufeffLamp", "", false},
		{"line\u2028break", "", false},
		{"soft\u00adhyphen", "", false},
		{"\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", true},                                             // Persian needs the non-joiner
		{"\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", true}, // Scotland's flag needs tags
		{"\U0001f469\u200d\U0001f4bb", "\U0001f469\u200d\U0001f4bb", true},                                                                                         // an emoji needs the joiner
		{"\u3164\u3164", "", false}, // Hangul fillers show nothing
		{"Lamp\uffa0", "", false},   // the half-width one
		{"La\u034fmp", "", false},   // the combining grapheme joiner
		{"\u2800", "", false},       // only blank braille
		{"\u2813\u2811\u2807\u2807\u2815\u2800\u283a\u2815", "\u2813\u2811\u2807\u2807\u2815\u2800\u283a\u2815", true}, // braille words keep their space
		{"\U0001f3f4 Pirates", "\U0001f3f4 Pirates", true},                                                             // a black flag alone
		{"Lamp\U0001f3f4\U000e0069\U000e0067\U000e006e", "", false},                                                    // a flag never closed
		{"\U0001f3f4\U000e0047\U000e0042\U000e007f", "", false},                                                        // upper case tags
		{"Lamp\U000e0049\U000e0047\U000e004e", "", false},                                                              // tags hide text outside a flag
		{"\U0001f3f4\U000e0067\U000e0062\U000e007f\U000e0049", "", false},                                              // and after one
		{"\u2764\ufe0f Lamp", "\u2764\ufe0f Lamp", true},                                                               // a heart emoji keeps its variation selector
		{"cafe\u0301", "caf\u00e9", true},                                                                              // composed
		{strings.Repeat("e\u0301", name.MaxLen), strings.Repeat("\u00e9", name.MaxLen), true},
		{"\u200d", "", false}, // joiners and variation selectors alone show nothing
		{"\u200c\u200d\u200c", "", false},
		{" \u200d \u200c ", "", false},
		{"\ufe0f", "", false},
		{"\U000e0100", "", false},
		{"\u180b", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := name.Parse(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("Parse(%q) error = %v, want ok = %v", tt.in, err, tt.ok)
			}
			if got.String() != tt.want {
				t.Errorf("Parse(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestLoadTakesWhatWasStored: a name stored before Parse refused
// formatting characters still loads.
func TestLoadTakesWhatWasStored(t *testing.T) {
	if n, err := name.Load("Admin\u200bGopher"); err != nil || n.String() != "Admin\u200bGopher" {
		t.Errorf("Load = %q, %v", n.String(), err)
	}
	if _, err := name.Load(""); err == nil {
		t.Error("Load of an empty name: no error")
	}
}
