// Package email is an email address that has been checked for shape.
package email

import (
	"fmt"
	"net/mail"
	"strings"
)

// Email is a validated email address. The zero value is the absent email.
type Email struct {
	value string
}

// MaxLen is the longest address accepted, in bytes: what SMTP's paths
// allow.
const MaxLen = 254

// Parse returns s as an Email: a bare address, dotted domain, 1 to MaxLen
// bytes.
func Parse(s string) (Email, error) {
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

// String returns the address.
func (e Email) String() string { return e.value }

// Equal reports whether two addresses are the same, ignoring case as the
// database's unique index does.
func (e Email) Equal(o Email) bool { return strings.EqualFold(e.value, o.value) }
