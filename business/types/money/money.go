// Package money is an amount of money held as whole cents, so sums are
// exact. In JSON it is a number in currency units with at most two
// decimals: 12.5 is 1250 cents.
package money

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// MaxCents is the largest amount accepted: big enough for any garage sale,
// small enough that a sum of many never overflows.
const MaxCents = 1_000_000_000_00

// Money is a non-negative amount in cents. The zero value is 0.00.
type Money struct {
	cents int64
}

var maxText = Money{MaxCents}.String()

// Max returns the largest amount accepted, MaxCents.
func Max() Money { return Money{MaxCents} }

// FromCents returns c cents as Money.
func FromCents(c int64) (Money, error) {
	if c < 0 {
		return Money{}, errors.New("must not be negative")
	}
	if c > MaxCents {
		return Money{}, fmt.Errorf("must be at most %s", maxText)
	}
	return Money{cents: c}, nil
}

// Parse reads a plain decimal amount in currency units ("12", "0.99"),
// with at most two decimals: nothing is rounded.
func Parse(s string) (Money, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Money{}, errors.New("must be a number")
	}
	if s[0] == '-' {
		return Money{}, errors.New("must not be negative")
	}

	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || !digits(whole) || (hasDot && (frac == "" || !digits(frac))) {
		return Money{}, fmt.Errorf("%q is not a plain decimal amount", s)
	}
	if len(frac) > 2 {
		return Money{}, errors.New("must have at most 2 decimal places")
	}
	for len(frac) < 2 {
		frac += "0"
	}

	if len(whole) > 15 {
		return Money{}, fmt.Errorf("must be at most %s", maxText)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return Money{}, fmt.Errorf("%q is not a plain decimal amount", s)
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	return FromCents(w*100 + f)
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Equal reports whether two amounts are the same.
func (m Money) Equal(o Money) bool { return m.cents == o.cents }

// Cents returns the amount in cents.
func (m Money) Cents() int64 { return m.cents }

// String returns the amount in currency units, always with two decimals.
func (m Money) String() string {
	return fmt.Sprintf("%d.%02d", m.cents/100, m.cents%100)
}

// Decimal returns the amount with no needless zeros: "12.5", "0.99", "3".
func (m Money) Decimal() string {
	return strings.TrimSuffix(strings.TrimRight(m.String(), "0"), ".")
}

// MarshalJSON writes the amount as a JSON number in currency units with no
// needless zeros: 12.5, 0.99, 3.
func (m Money) MarshalJSON() ([]byte, error) {
	return []byte(m.Decimal()), nil
}

// ParseJSON reads an amount from a raw JSON number's exact digits, never
// through a float; a string, null or an absent value is refused.
func ParseJSON(raw []byte) (Money, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return Money{}, errors.New("is required")
	case raw[0] == '"':
		return Money{}, errors.New("must be a number, not a string")
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return Money{}, errors.New("must be a number")
	}
	return Parse(n.String())
}

// Sent is an amount as a request sent it, for a request model to parse
// with ParseJSON once the body is decoded: its digits are read exactly, and
// a bad amount is named with the body's other bad values. Its JSON type is
// checked as the body is decoded, so a string or a boolean for an amount
// is named with the body's other members of the wrong type. Absent, it is
// empty; null, it holds null.
type Sent []byte

// UnmarshalJSON keeps a number, or null, as sent and refuses any other
// JSON type as encoding/json refuses one for a number field.
func (s *Sent) UnmarshalJSON(data []byte) error {
	var kind string
	switch data[0] {
	case '"':
		kind = "string"
	case 't', 'f':
		kind = "bool"
	case '{':
		kind = "object"
	case '[':
		kind = "array"
	default:
		*s = append((*s)[:0], data...)
		return nil
	}
	return &json.UnmarshalTypeError{Value: kind, Type: reflect.TypeFor[float64]()}
}

// UnmarshalJSON implements json.Unmarshaler with ParseJSON.
func (m *Money) UnmarshalJSON(data []byte) error {
	v, err := ParseJSON(data)
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// Mul returns m times n, refusing results over Max.
func (m Money) Mul(n int) (Money, error) {
	if n < 0 {
		return Money{}, errors.New("must not be negative")
	}
	if n != 0 && m.cents > math.MaxInt64/int64(n) {
		return Money{}, fmt.Errorf("must be at most %s", maxText)
	}
	return FromCents(m.cents * int64(n))
}

// Total is a sum of amounts, such as a day's takings. Unlike Money it has
// no cap: a true sum of many amounts must not be refused.
type Total struct {
	cents int64
}

// TotalOf returns c cents as a Total.
func TotalOf(c int64) (Total, error) {
	if c < 0 {
		return Total{}, errors.New("must not be negative")
	}
	return Total{cents: c}, nil
}

// Cents returns the total in cents.
func (t Total) Cents() int64 { return t.cents }

// Decimal returns the total as Money.Decimal does: "1250000000.5", "3".
func (t Total) Decimal() string { return Money(t).Decimal() }
