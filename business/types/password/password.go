// Package password is a password that meets the length rules, and its hash.
package password

import (
	"fmt"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Length bounds: bcrypt reads 72 bytes, so a longer password would lose its tail.
const (
	MinLen   = 6
	MaxBytes = 72
)

// Password is a password that meets the rules. Its String never reveals it.
type Password struct {
	value string
}

// Parse returns s as a Password of MinLen characters to MaxBytes bytes.
func Parse(s string) (Password, error) {
	switch {
	case utf8.RuneCountInString(s) < MinLen:
		return Password{}, fmt.Errorf("password must be at least %d characters", MinLen)
	case len(s) > MaxBytes:
		return Password{}, fmt.Errorf("password must be at most %d bytes", MaxBytes)
	}
	return Password{value: s}, nil
}

// String hides the password so it never reaches a log by accident.
func (p Password) String() string { return "********" }

// Hash returns the bcrypt hash of the password.
func (p Password) Hash() ([]byte, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(p.value), bcrypt.DefaultCost)
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}

// Matches reports whether plain is the password behind hash. A plain
// longer than bcrypt reads is refused: any suffix would otherwise pass.
func Matches(hash []byte, plain string) bool {
	if len(plain) > MaxBytes {
		return false
	}
	return bcrypt.CompareHashAndPassword(hash, []byte(plain)) == nil
}
