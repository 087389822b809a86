// Package name is a display name that is neither empty nor absurdly long.
package name

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxLen is the longest name accepted, in characters.
const MaxLen = 100

// Name is a validated name. The zero value is the absent name.
type Name struct {
	value string
}

// Parse returns s, as a person gives it, as a Name: composed (Unicode's
// NFC, so that "café" typed as e and a combining accent is the "café" a
// search for it composes too), surrounding space trimmed, 1 to MaxLen
// characters, no control characters, and nothing
// that shows nothing or turns the text around it: a zero-width space, a
// direction override (U+202E, which would show "gpj.exe" for "exe.jpg"),
// a byte order mark, a line separator, a Hangul filler. The zero-width
// joiner and non-joiner stay, and the tags of a subdivision's flag:
// scripts and emoji need them. Its errors do not name the
// field: a caller reports them under the field it read.
func Parse(s string) (Name, error) {
	n, err := Load(norm.NFC.String(s))
	if err != nil {
		return Name{}, err
	}
	// A subdivision's flag is U+1F3F4, then the tags of its code (lower
	// case letters and digits), then the cancel tag; a tag anywhere else,
	// or a flag left open, hides text ("IGNORE" spelt in tags shows
	// nothing).
	afterFlag, inTags, shows := false, false, false
	for _, r := range n.value {
		if unicode.Is(unicode.Cc, r) {
			return Name{}, fmt.Errorf("must not contain control characters")
		}
		switch {
		case r == blackFlag:
			afterFlag, shows = true, true
			continue
		case (afterFlag || inTags) && codeTag(r):
			afterFlag, inTags = false, true
			continue
		case inTags && r == cancelTag:
			inTags = false
			continue
		case inTags:
			return Name{}, fmt.Errorf("a flag's tags must end with the cancel tag U+E007F")
		case hidden(r):
			return Name{}, fmt.Errorf("must not contain invisible or formatting characters: it holds %U", r)
		}
		afterFlag = false
		if !blank(r) {
			shows = true
		}
	}
	switch {
	case inTags:
		return Name{}, fmt.Errorf("a flag's tags must end with the cancel tag U+E007F")
	case !shows:
		return Name{}, fmt.Errorf("must show something: it holds only blank characters, joiners or variation selectors")
	}
	return n, nil
}

const (
	blackFlag    = '\U0001F3F4'
	cancelTag    = '\U000E007F'
	brailleBlank = '\u2800'
)

// codeTag reports whether r is a tag of a subdivision's code: a lower case
// letter or a digit.
func codeTag(r rune) bool {
	return r >= 0xe0061 && r <= 0xe007a || r >= 0xe0030 && r <= 0xe0039
}

// Load returns s, a name Parse took when it was stored, as a Name,
// checked by the rules every stored name has met, so that one stored
// under older rules still loads.
func Load(s string) (Name, error) {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0:
		return Name{}, fmt.Errorf("must not be empty")
	case n > MaxLen:
		return Name{}, fmt.Errorf("must be at most %d characters", MaxLen)
	case !utf8.ValidString(s):
		return Name{}, fmt.Errorf("must be valid UTF-8")
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return Name{}, fmt.Errorf("must not contain control characters")
		}
	}
	return Name{value: s}, nil
}

// hidden reports whether r shows nothing: a format character other than
// the joiners, a line or paragraph separator, or a character Unicode says
// to draw as nothing (the Hangul fillers U+3164 and U+FFA0, the combining
// grapheme joiner).
func hidden(r rune) bool {
	const zwnj, zwj = '\u200c', '\u200d'
	return unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Other_Default_Ignorable_Code_Point) && r != zwnj && r != zwj
}

// blank reports whether r, allowed in a name, shows nothing of its own: a
// space, a blank braille cell (a space in braille text), a joiner or a
// variation selector (which change how the character before is drawn).
func blank(r rune) bool {
	const zwnj, zwj = '\u200c', '\u200d'
	return unicode.IsSpace(r) || r == brailleBlank || r == zwnj || r == zwj || unicode.Is(unicode.Variation_Selector, r)
}

// String returns the name.
func (n Name) String() string { return n.value }

// Equal reports whether two names are the same.
func (n Name) Equal(o Name) bool { return n.value == o.value }
