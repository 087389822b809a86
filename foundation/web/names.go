package web

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// checkNames reads body, one JSON value that encoding/json has decoded
// into a value of type t (so its syntax is sound), and refuses what it
// let through: a member named twice in one object (it keeps the last,
// where another parser may keep the first) and a member whose name
// matches a field only when case is ignored (it folds case). It reads the
// bytes itself: encoding/json's tokens cost seven times the allocations
// of the decode, on every line of an upload.
func checkNames(body []byte, t reflect.Type) error {
	n := names{b: body}
	return n.value(t)
}

type names struct {
	b    []byte
	i    int
	path [][]byte // the members around the value being read, for errors
}

func (n *names) space() {
	for n.i < len(n.b) && (n.b[n.i] == ' ' || n.b[n.i] == '\t' || n.b[n.i] == '\n' || n.b[n.i] == '\r') {
		n.i++
	}
}

// value reads one value of type t (nil: any).
func (n *names) value(t reflect.Type) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	n.space()
	if n.i >= len(n.b) {
		return nil
	}
	switch n.b[n.i] {
	case '{':
		return n.object(t)
	case '[':
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		n.i++
		for {
			n.space()
			if n.i >= len(n.b) || n.b[n.i] == ']' {
				n.i++
				return nil
			}
			if err := n.value(elem); err != nil {
				return err
			}
			n.space()
			if n.i < len(n.b) && n.b[n.i] == ',' {
				n.i++
			}
		}
	case '"':
		n.str()
	default: // a number, true, false or null
		for n.i < len(n.b) && !strings.ContainsRune(",]} \t\n\r", rune(n.b[n.i])) {
			n.i++
		}
	}
	return nil
}

func (n *names) object(t reflect.Type) error {
	var fields map[string]reflect.Type
	if t != nil && t.Kind() == reflect.Struct && !decodesItself(t) {
		fields = jsonFields(t)
	}
	// The names so far: a few, searched in turn, cost no allocation; a
	// map takes over past them, so a huge object is not quadratic.
	var few [16][]byte
	seen := few[:0]
	var many map[string]bool
	n.i++
	for {
		n.space()
		if n.i >= len(n.b) || n.b[n.i] == '}' {
			n.i++
			return nil
		}
		name, escaped := n.str()
		if escaped {
			// Valid, as the decode found: the name as it reads.
			var s string
			_ = json.Unmarshal(n.b[n.i-len(name)-2:n.i], &s)
			name = []byte(s)
		}
		if slices.ContainsFunc(seen, func(b []byte) bool { return bytes.Equal(b, name) }) || many[string(name)] {
			return n.fail(string(name), errors.New("is given more than once: send it once"))
		}
		if len(seen) < len(few) {
			seen = append(seen, name)
		} else {
			if many == nil {
				many = make(map[string]bool)
			}
			many[string(name)] = true
		}
		var ft reflect.Type // a map's or an unknown type's member: names only
		switch {
		case fields != nil:
			var ok bool
			if ft, ok = fields[string(name)]; !ok {
				return n.fail(string(name), unknownField(string(name), fields))
			}
		case t != nil && t.Kind() == reflect.Map:
			ft = t.Elem()
		}
		n.space()
		n.i++ // :
		n.path = append(n.path, name)
		if err := n.value(ft); err != nil {
			return err
		}
		n.path = n.path[:len(n.path)-1]
		n.space()
		if n.i < len(n.b) && n.b[n.i] == ',' {
			n.i++
		}
	}
}

// str reads a string, returning what is between its quotes and whether
// that holds an escape.
func (n *names) str() (raw []byte, escaped bool) {
	n.i++ // "
	start := n.i
	for n.i < len(n.b) && n.b[n.i] != '"' {
		if n.b[n.i] == '\\' {
			escaped = true
			n.i++
		}
		n.i++
	}
	raw = n.b[start:min(n.i, len(n.b))]
	n.i++ // "
	return raw, escaped
}

func (n *names) fail(name string, err error) error {
	path := make([]string, 0, len(n.path)+1)
	for _, p := range n.path {
		path = append(path, string(p))
	}
	return &DecodeError{Field: Clip(strings.Join(append(path, name), ".")), Err: err}
}

// decodesItself reports whether t reads its own JSON, whose names are
// then its business.
func decodesItself(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return t.Implements(unmarshaler) || p.Implements(unmarshaler) || t.Implements(textUnmarshaler) || p.Implements(textUnmarshaler)
}

var (
	unmarshaler     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// unknownField words a member encoding/json matched to a field of
// another case.
func unknownField(name string, fields map[string]reflect.Type) error {
	for f := range fields {
		if strings.EqualFold(f, name) {
			return fmt.Errorf("unknown field: names are case-sensitive, this one is %s", f)
		}
	}
	return errors.New("unknown field")
}

var fieldsByType sync.Map // reflect.Type -> map[string]reflect.Type

// jsonFields returns the JSON names of struct type t's fields, as
// encoding/json reads them (embedded structs' fields promoted), and
// their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if f, ok := fieldsByType.Load(t); ok {
		return f.(map[string]reflect.Type)
	}
	fields := make(map[string]reflect.Type)
	addFields(t, fields)
	fieldsByType.Store(t, fields)
	return fields
}

func addFields(t reflect.Type, fields map[string]reflect.Type) {
	// A field of t's own wins over one an embedded struct promotes.
	var embedded []reflect.Type
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				embedded = append(embedded, ft)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = f.Type
	}
	for _, et := range embedded {
		promoted := make(map[string]reflect.Type)
		addFields(et, promoted)
		for name, ft := range promoted {
			if _, ok := fields[name]; !ok {
				fields[name] = ft
			}
		}
	}
}
