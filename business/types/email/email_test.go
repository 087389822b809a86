package email_test

import (
	"testing"
	"unicode"

	"github.com/garagesale/service/business/types/email"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"bob@example.com", true},
		{" bob@example.com ", true},
		{"bob.smith+sale@mail.example.co.uk", true},
		{"", false},
		{"bob", false},
		{"bob@", false},
		{"@example.com", false},
		{"bob@localhost", false},
		{"Bob <bob@example.com>", false},
		{"bob@example.", false},
		{"bob@.example.com", false},
		{"admin@example.com\u200b", false},
		{"ad\u200bmin@example.com", false},
		{"bob\u202e@example.com", false},
		{"bob@exa\u2028mple.com", false},
		{"b😀b@example.com", false},
		{"bob@a_b.com", true}, // plain ASCII: kept as sent
		{"bob@xn--a_b.com", false},
		// Lookalikes made of two scripts: a Cyrillic а in a Latin word.
		{"аdmin@example.com", false},
		{"admin@exаmple.com", false},
		{"admin@xn--exmple-4nf.com", false}, // the same domain in its ASCII form
		{"αlpha@example.com", false},        // a Greek α
		// One script to a part, or the mixes of Chinese, Japanese, Korean.
		{"иван@example.com", true},    // иван
		{"иван@пример.com", true},     // иван@пример.com
		{"taro太郎さん@example.jp", true}, // Latin, Han, Hiragana
		{"kim김@example.kr", true},     // Latin, Hangul
		{"müller-2@example.de", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := email.Parse(tt.in)
			if (err == nil) != tt.ok {
				t.Errorf("Parse(%q) error = %v, want ok = %v", tt.in, err, tt.ok)
			}
		})
	}
}

// TestOneAddressOneForm: an address written two ways is one address, and
// an ASCII one is kept as sent.
func TestOneAddressOneForm(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Bob@Example.COM", "Bob@Example.COM"},
		{"bi\u0301ll@example.com", "b\u00edll@example.com"},
		{"\uff22\uff29\uff2c\uff2c1@example.com", "BILL1@example.com"},
		{"bill@xn--exmple-cua.com", "bill@ex\u00e4mple.com"},
		{"bill@EX\u00c4MPLE.com", "bill@ex\u00e4mple.com"},
		{"bill@\uff45xample.com", "bill@example.com"},
		{"\u7528\u6237@example.com", "\u7528\u6237@example.com"},
	} {
		e, err := email.Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if e.String() != tt.want {
			t.Errorf("Parse(%q) = %q, want %q", tt.in, e.String(), tt.want)
		}
	}
	// Load takes what older rules stored, unchanged.
	if e, err := email.Load("bi\u0301ll@example.com"); err != nil || e.String() != "bi\u0301ll@example.com" {
		t.Errorf("Load of a decomposed address: %q, %v", e.String(), err)
	}
}

// TestKeyFoldsCase: the letters Key maps before lowering are exactly those
// whose lower case is themselves while their upper case lowers to another
// letter (but the dotless ı), so an address in capitals and as written
// have one key.
func TestKeyFoldsCase(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if r == 'ı' || !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) {
			continue
		}
		want := unicode.ToLower(unicode.ToUpper(r))
		if unicode.ToLower(r) == want {
			continue
		}
		upper, written := email.Email{}, email.Email{}
		var err error
		if upper, err = email.Load("A" + string(unicode.ToUpper(r)) + "@example.gr"); err != nil {
			t.Fatal(err)
		}
		if written, err = email.Load("a" + string(r) + "@example.gr"); err != nil {
			t.Fatal(err)
		}
		if !upper.Equal(written) || upper.Key() != "a"+string(want)+"@example.gr" {
			t.Errorf("%U: keys %q and %q, want both %q", r, upper.Key(), written.Key(), "a"+string(want)+"@example.gr")
		}
	}
}
