// Package quantity is a count of items in stock or in a sale: a whole
// number that is never negative.
package quantity

import (
	"errors"
	"fmt"
)

// Max is the largest quantity accepted.
const Max = 1_000_000

// Quantity is a non-negative count.
type Quantity struct {
	value int
}

// Parse returns n as a Quantity: 0 to Max.
func Parse(n int) (Quantity, error) {
	if n < 0 {
		return Quantity{}, errors.New("must not be negative")
	}
	if n > Max {
		return Quantity{}, fmt.Errorf("must be at most %d", Max)
	}
	return Quantity{value: n}, nil
}

// ParsePositive returns n as a Quantity of at least one.
func ParsePositive(n int) (Quantity, error) {
	if n < 1 {
		return Quantity{}, errors.New("must be at least 1")
	}
	return Parse(n)
}

// Value returns the count.
func (q Quantity) Value() int { return q.value }

// Equal reports whether two quantities are the same.
func (q Quantity) Equal(o Quantity) bool { return q.value == o.value }

// Sub returns q minus o, or an error when that would be negative.
func (q Quantity) Sub(o Quantity) (Quantity, error) {
	if o.value > q.value {
		return Quantity{}, fmt.Errorf("only %d left", q.value)
	}
	return Quantity{value: q.value - o.value}, nil
}

// Add returns q plus o, refusing results over Max.
func (q Quantity) Add(o Quantity) (Quantity, error) {
	return Parse(q.value + o.value)
}
