// Package name is a display name that is neither empty nor absurdly long.
package name

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxLen is the longest name accepted, in characters.
const MaxLen = 100

// Name is a validated name. The zero value is the absent name.
type Name struct {
	value string
}

// Parse returns s as a Name: surrounding space trimmed, 1 to MaxLen
// characters, no control characters. Its errors do not name the field: a
// caller reports them under the field it read.
func Parse(s string) (Name, error) {
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

// String returns the name.
func (n Name) String() string { return n.value }

// Equal reports whether two names are the same.
func (n Name) Equal(o Name) bool { return n.value == o.value }
