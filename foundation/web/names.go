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
	case '{', '[':
		if t != nil && decodesItself(t) {
			t = nil // its names are its own business
		}
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
	if t != nil && t.Kind() == reflect.Struct {
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

// jsonFields returns the JSON names of struct type t's fields, and their
// types, as encoding/json picks them: an embedded struct's fields are
// promoted; of fields of one name, the shallowest wins, a tagged one over
// untagged ones at the same depth, and a name still ambiguous is dropped.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if f, ok := fieldsByType.Load(t); ok {
		return f.(map[string]reflect.Type)
	}
	type field struct {
		typ    reflect.Type
		tagged bool
	}
	fields := make(map[string]reflect.Type)
	decided := make(map[string]bool) // taken, or dropped as ambiguous
	visited := make(map[reflect.Type]bool)
	for level := []reflect.Type{t}; len(level) > 0; {
		found := make(map[string][]field)
		var next []reflect.Type
		for _, st := range level {
			for f := range st.Fields() {
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
						next = append(next, ft)
						continue
					}
				}
				if !f.IsExported() {
					continue
				}
				tagged := name != ""
				if !tagged {
					name = f.Name
				}
				found[name] = append(found[name], field{f.Type, tagged})
			}
		}
		for name, fs := range found {
			if decided[name] {
				continue
			}
			decided[name] = true
			var tagged []field
			for _, f := range fs {
				if f.tagged {
					tagged = append(tagged, f)
				}
			}
			switch {
			case len(fs) == 1:
				fields[name] = fs[0].typ
			case len(tagged) == 1:
				fields[name] = tagged[0].typ
			}
		}
		// A struct embedded again deeper (or in itself) adds nothing.
		for _, st := range level {
			visited[st] = true
		}
		level = slices.DeleteFunc(next, func(st reflect.Type) bool { return visited[st] })
	}
	fieldsByType.Store(t, fields)
	return fields
}
