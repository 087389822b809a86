// Package name is a display name that is neither empty nor absurdly long.
package name

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxLen is the longest name accepted, in characters.
const MaxLen = 100

// Name is a validated name. The zero value is the absent name.
type Name struct {
	value string
}

// Parse returns s, as a person gives it, as a Name: surrounding space
// trimmed, 1 to MaxLen characters, no control characters, and nothing
// that shows nothing or turns the text around it: a zero-width space, a
// direction override (U+202E, which would show "gpj.exe" for "exe.jpg"),
// a byte order mark, a line separator. The zero-width joiner and
// non-joiner stay, and the tags of a subdivision's flag: scripts and
// emoji need them. Its errors do not name the
// field: a caller reports them under the field it read.
func Parse(s string) (Name, error) {
	n, err := Load(s)
	if err != nil {
		return Name{}, err
	}
	for _, r := range n.value {
		if unicode.Is(unicode.Cc, r) {
			return Name{}, fmt.Errorf("must not contain control characters")
		}
		if hidden(r) {
			return Name{}, fmt.Errorf("must not contain invisible or formatting characters: it holds %U", r)
		}
	}
	return n, nil
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

// hidden reports whether r is a format character other than the joiners
// and the tags (a subdivision's flag, 🏴 and tags, needs them), or a line
// or paragraph separator.
func hidden(r rune) bool {
	const zwnj, zwj = '\u200c', '\u200d'
	tag := r >= 0xe0020 && r <= 0xe007f
	return unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) && r != zwnj && r != zwj && !tag
}

// String returns the name.
func (n Name) String() string { return n.value }

// Equal reports whether two names are the same.
func (n Name) Equal(o Name) bool { return n.value == o.value }
