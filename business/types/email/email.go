// Package email is an email address that has been checked for shape.
package email

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode"

	"golang.org/x/net/idna"
	"golang.org/x/text/secure/precis"
)

// Email is a validated email address. The zero value is the absent email.
type Email struct {
	value string
}

// MaxLen is the longest address accepted, in bytes: what SMTP's paths
// allow.
const MaxLen = 254

// Parse returns s, as a person gives it, as an Email: a bare address with
// a dotted domain, 1 to MaxLen bytes, without invisible or formatting
// characters (U+200B, U+202E), in one canonical form so that an address
// written two ways is one address: its name part composed and with
// full-width letters made plain (PRECIS, RFC 8265), a domain that is not
// plain ASCII in its Unicode form, lower case (IDNA). An ASCII address is
// kept as sent. The part before @ and each label of the domain are each
// written in one script (or in the ones Chinese, Japanese and Korean mix
// with Latin), so a Cyrillic а cannot make a second "admin@example.com".
func Parse(s string) (Email, error) {
	e, err := Load(s)
	if err != nil {
		return Email{}, err
	}
	s = e.value
	if i := strings.IndexFunc(s, invisible); i >= 0 {
		return Email{}, fmt.Errorf("email must not hold invisible or formatting characters: it holds %U", []rune(s[i:])[0])
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], s[at+1:]
	if local, err = precis.UsernameCasePreserved.String(local); err != nil {
		return Email{}, fmt.Errorf("email %q: the part before @ may hold letters, digits and ASCII punctuation, in one direction of writing", s)
	}
	if !plainDomain(domain) {
		if domain, err = idna.Lookup.ToUnicode(domain); err != nil {
			return Email{}, fmt.Errorf("email %q has no valid domain", s)
		}
	}
	for _, part := range partsOf(local, domain) {
		if mixed := mixedScripts(part); mixed != nil {
			return Email{}, fmt.Errorf("email %q mixes the letters of %s in %q: write each part in one", s, strings.Join(mixed, " and "), part)
		}
	}
	return Load(local + "@" + domain)
}

// Load returns s, an address Parse took when it was stored, as an Email:
// its shape is checked again, not its canonical form, so that an address
// stored under older rules still loads.
func Load(s string) (Email, error) {
	s = strings.TrimSpace(s)
	if len(s) == 0 || len(s) > MaxLen {
		return Email{}, fmt.Errorf("email must be 1 to %d bytes", MaxLen)
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || addr.Name != "" {
		return Email{}, fmt.Errorf("email %q is not a valid address", s)
	}
	at := strings.LastIndexByte(s, '@')
	if domain := s[at+1:]; !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return Email{}, fmt.Errorf("email %q has no valid domain", s)
	}
	return Email{value: s}, nil
}

// invisible reports whether r shows nothing or changes how the text
// around it shows: format characters (zero-width space, direction
// overrides, the byte order mark) and line or paragraph separators.
func invisible(r rune) bool {
	return unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}

// plainDomain reports whether d is ASCII with no label in IDNA's ASCII
// form (xn--): a domain kept as sent.
func plainDomain(d string) bool {
	for _, label := range strings.Split(d, ".") {
		if len(label) >= 4 && strings.EqualFold(label[:4], "xn--") {
			return false
		}
	}
	return !strings.ContainsFunc(d, func(r rune) bool { return r > unicode.MaxASCII })
}

// String returns the address.
func (e Email) String() string { return e.value }

// Equal reports whether two addresses are the same, ignoring case as the
// database's unique index does.
func (e Email) Equal(o Email) bool { return e.Key() == o.Key() }

// Key is the address as accounts are told apart, in any case: lower case,
// with the letters that are lower case already yet fold to another (the
// Greek final sigma, the long s) mapped to it first, as the database's
// email_fold does.
func (e Email) Key() string {
	return strings.ToLower(strings.Map(func(r rune) rune {
		if f, ok := folds[r]; ok {
			return f
		}
		return r
	}, e.value))
}

// folds maps each letter whose lower case is itself but whose case
// folding is another letter to that letter (the dotless ı folds to
// itself: it is no i). Migration 00019's email_fold has the same list,
// and maps İ to i and a final ς left by lowering to σ too, as ToLower's
// simple mappings do and an ICU locale's lower() does not.
var folds = map[rune]rune{
	'\u00b5': '\u03bc', '\u017f': 's', '\u0345': '\u03b9', '\u03c2': '\u03c3', '\u03d0': '\u03b2', '\u03d1': '\u03b8',
	'\u03d5': '\u03c6', '\u03d6': '\u03c0', '\u03f0': '\u03ba', '\u03f1': '\u03c1', '\u03f5': '\u03b5',
	'\u1c80': '\u0432', '\u1c81': '\u0434', '\u1c82': '\u043e', '\u1c83': '\u0441', '\u1c84': '\u0442', '\u1c85': '\u0442',
	'\u1c86': '\u044a', '\u1c87': '\u0463', '\u1c88': '\ua64b', '\u1e9b': '\u1e61', '\u1fbe': '\u03b9',
}
