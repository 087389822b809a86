// Package order is the ordering of a list query: a field from a domain's
// whitelist and a direction. Each layer maps field names once: the app from
// JSON names to business fields, each store from business fields to columns.
package order

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Directions.
const (
	ASC  = "ASC"
	DESC = "DESC"
)

// By is a field and a direction.
type By struct {
	Field     string
	Direction string
}

// NewBy returns a By.
func NewBy(field, direction string) By {
	return By{Field: field, Direction: direction}
}

// FieldError is an orderBy value that is not allowed.
type FieldError struct {
	Msg string
}

func (e *FieldError) Error() string { return "orderBy: " + e.Msg }

// Parse reads "field" or "field,ASC|DESC" and maps field through
// whitelist (query name to business field). Empty takes def.
func Parse(whitelist map[string]string, orderBy string, def By) (By, error) {
	if orderBy == "" {
		return def, nil
	}

	field, dir, hasDir := strings.Cut(orderBy, ",")
	field = strings.TrimSpace(field)
	busField, ok := whitelist[field]
	if !ok {
		allowed := strings.Join(slices.Sorted(maps.Keys(whitelist)), ", ")
		return By{}, &FieldError{Msg: fmt.Sprintf("unknown field %q (allowed: %s)", field, allowed)}
	}

	direction := ASC
	if hasDir {
		direction = strings.ToUpper(strings.TrimSpace(dir))
		if direction != ASC && direction != DESC {
			return By{}, &FieldError{Msg: fmt.Sprintf("unknown direction %q (allowed: ASC, DESC)", dir)}
		}
	}
	return NewBy(busField, direction), nil
}
