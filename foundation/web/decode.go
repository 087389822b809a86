package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxBodyBytes is the largest request body Decode accepts.
const MaxBodyBytes = 1 << 20

// ErrBodyTooLarge is returned by Decode when the body exceeds MaxBodyBytes,
// or its Content-Length says it will.
var ErrBodyTooLarge = errors.New("request body too large")

// BodyReadError is a body that did not arrive whole: cut short, sent
// slower than the server's read timeout allows, or malformed in its
// framing. The client's doing, never the server's failure.
type BodyReadError struct {
	Err error
}

func (e *BodyReadError) Error() string {
	if e.Timeout() {
		return "the body did not arrive within the server's read timeout: send it whole, at once"
	}
	if errors.Is(e.Err, io.ErrUnexpectedEOF) {
		return "the body ended before the length it declared"
	}
	return "the body could not be read whole"
}

func (e *BodyReadError) Unwrap() error { return e.Err }

// Timeout reports whether the body stopped coming.
func (e *BodyReadError) Timeout() bool {
	var netErr interface{ Timeout() bool }
	return errors.As(e.Err, &netErr) && netErr.Timeout()
}

// EncodedBodyError is a body sent with a Content-Encoding (gzip, say),
// which Decode refuses: it reads a body as sent, and would take the
// compressed bytes for the JSON.
type EncodedBodyError struct {
	Encoding string // as the client sent it, clipped
}

func (e *EncodedBodyError) Error() string {
	return fmt.Sprintf("the body must be sent as is: Content-Encoding %q is not taken", e.Encoding)
}

// CheckEncoding returns an *EncodedBodyError when r's body has a
// Content-Encoding other than identity, for handlers that read the body
// themselves; Decode calls it.
func CheckEncoding(r *http.Request) error {
	ce := strings.Join(r.Header.Values("Content-Encoding"), ", ")
	if ce == "" || strings.EqualFold(strings.TrimSpace(ce), "identity") {
		return nil
	}
	return &EncodedBodyError{Encoding: Clip(ce)}
}

// Validator is implemented by request models that check themselves once decoded.
type Validator interface {
	Validate() error
}

// DecodeError is a body that is not valid JSON for the target, naming the
// field where one is known.
type DecodeError struct {
	Field string
	Err   error
	// More holds the body's other members of the wrong type, each with
	// what is wrong with it, so that one answer names them all: Field and
	// Err are the first that encoding/json met.
	More map[string]string
}

func (e *DecodeError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("field %s: %v", e.Field, e.Err)
	}
	return e.Err.Error()
}

func (e *DecodeError) Unwrap() error { return e.Err }

// Decode reads the JSON body of r into v (at most MaxBodyBytes), rejecting
// a compressed body and unknown fields, then runs v's Validate when it has
// one.
func Decode(r *http.Request, v any) error {
	if err := CheckEncoding(r); err != nil {
		return err
	}
	// Refused before a byte is read, and before net/http answers an
	// Expect: 100-continue.
	if r.ContentLength > MaxBodyBytes {
		return ErrBodyTooLarge
	}
	if ra, ok := r.Body.(*readAhead); ok {
		if len(ra.data) > MaxBodyBytes {
			return ErrBodyTooLarge
		}
		return DecodeBytes(ra.data, v)
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return ErrBodyTooLarge
		}
		// net/http cancels the request's context too when the
		// connection ends or times out: still the body's fault, and
		// the client, half-closed, may be reading the answer.
		return &BodyReadError{Err: err}
	}

	return DecodeBytes(body, v)
}

// ReadAhead reads r's body whole (up to a byte past MaxBodyBytes), for a
// server that must not wait on a client's body while it holds something
// scarce; Decode then reads it from memory, without a copy. A body with a
// Content-Encoding, or declared over the limit, is left unread for Decode
// to refuse before a byte of it arrives. A body that does not arrive whole
// is a *BodyReadError.
func ReadAhead(r *http.Request) error {
	if !BodyToRead(r) {
		return nil
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return &BodyReadError{Err: err}
	}
	r.Body = &readAhead{Reader: bytes.NewReader(data), data: data, body: r.Body}
	return nil
}

// BodyToRead reports whether ReadAhead would read r's body: there is one,
// not read yet, and not one Decode refuses unread (declared too large, or
// encoded).
func BodyToRead(r *http.Request) bool {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 || r.ContentLength > MaxBodyBytes || CheckEncoding(r) != nil {
		return false
	}
	_, read := r.Body.(*readAhead)
	return !read
}

// readAhead is a body ReadAhead read, closed as the request's own.
type readAhead struct {
	*bytes.Reader
	data []byte
	body io.Closer
}

func (b *readAhead) Close() error { return b.body.Close() }

// DecodeBytes decodes one JSON value (a body, a line of a stream) into v
// as Decode does: unknown fields, NUL, invalid UTF-8 and trailing data
// refused, then v's Validate.
func DecodeBytes(body []byte, v any) error {
	if len(body) == 0 {
		return &DecodeError{Err: errors.New("request body is empty")}
	}
	if off, why := badText(body); off >= 0 {
		return &DecodeError{Field: fieldAt(body, off), Err: errors.New(why)}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err, body, reflect.TypeOf(v))
	}
	// One value, then nothing but white space.
	if _, err := dec.Token(); err != io.EOF {
		return &DecodeError{Err: errors.New("malformed JSON: more after the body's value")}
	}
	// The value decoded, so its syntax is sound: what is left to refuse is
	// what encoding/json forgives in names.
	if err := checkNames(body, reflect.TypeOf(v)); err != nil {
		return err
	}

	if val, ok := v.(Validator); ok {
		return val.Validate()
	}
	return nil
}

// decodeError words an error of encoding/json, decoding body into a t,
// for the client.
func decodeError(err error, body []byte, t reflect.Type) error {
	bodyLen := len(body)
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		if typeErr.Field == "" {
			return &DecodeError{Err: errors.New("the body " + typeMessage(typeErr))}
		}
		de := &DecodeError{Field: typeErr.Field, Err: errors.New(typeMessage(typeErr))}
		// encoding/json goes on past a member of the wrong type but
		// returns only the first.
		for field, msg := range mistyped(body, t) {
			if field != de.Field {
				if de.More == nil {
					de.More = make(map[string]string)
				}
				de.More[field] = msg
			}
		}
		return de
	}
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return &DecodeError{Field: Clip(strings.Trim(field, `"`)), Err: errors.New("unknown field")}
	}
	// The decoder's own offset is where the value began; the error's is
	// where it broke, and a body cut short breaks at its end.
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &syntaxErr):
		return &DecodeError{Err: fmt.Errorf("malformed JSON near byte %d", syntaxErr.Offset)}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &DecodeError{Err: fmt.Errorf("malformed JSON: the body ends at byte %d, before its value does", bodyLen)}
	}
	return &DecodeError{Err: errors.New("malformed JSON")}
}

// typeMessage words a value of the wrong type.
func typeMessage(e *json.UnmarshalTypeError) string {
	return fmt.Sprintf("must be %s, not %s", withArticle("JSON "+jsonType(e.Type)), jsonValue(e.Value))
}

// mistyped returns each member of body's object whose value is not of its
// field's type in struct type t, with what is wrong with it; within a
// member, the first thing wrong. body is known to be sound JSON.
func mistyped(body []byte, t reflect.Type) map[string]string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || decodesItself(t) {
		return nil
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(body, &members) != nil {
		return nil
	}
	fields := jsonFields(t)
	var out map[string]string
	for name, raw := range members {
		ft, ok := fields[name]
		if !ok {
			continue
		}
		var typeErr *json.UnmarshalTypeError
		if !errors.As(json.Unmarshal(raw, reflect.New(ft).Interface()), &typeErr) {
			continue
		}
		field := name
		if typeErr.Field != "" {
			field += "." + typeErr.Field
		}
		if out == nil {
			out = make(map[string]string)
		}
		out[Clip(field)] = typeMessage(typeErr)
	}
	return out
}

// jsonValue words the value encoding/json found ("string", "number 1.5").
func jsonValue(v string) string {
	if n, ok := strings.CutPrefix(v, "number "); ok {
		return "the number " + Clip(n)
	}
	if v == "bool" {
		v = "boolean"
	}
	return withArticle(v)
}

// withArticle puts "a" or "an" before a noun.
func withArticle(noun string) string {
	if noun != "" && strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}

// jsonType names t as JSON does.
func jsonType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	}
	return "value"
}

// badText returns the offset of the first byte of body that is not UTF-8,
// or of the first escape that is no character Postgres can store: \u0000
// (NUL, which text cannot hold) or half of a UTF-16 surrogate pair, which
// encoding/json would quietly store as U+FFFD; and what is wrong there.
// The offset is -1 when there is none.
func badText(body []byte) (int, string) {
	if !utf8.Valid(body) {
		for i := 0; i < len(body); {
			r, size := utf8.DecodeRune(body[i:])
			if r == utf8.RuneError && size <= 1 {
				return i, "must be UTF-8 text without NUL characters"
			}
			i += size
		}
	}
	for i := 0; ; {
		j := bytes.Index(body[i:], []byte(`\u`))
		if j < 0 {
			return -1, ""
		}
		j += i
		i = j + 2
		// An escape only when preceded by an even number of backslashes.
		if backslashes := j - len(bytes.TrimRight(body[:j], `\`)); backslashes%2 != 0 {
			continue
		}
		r, ok := hex4(body[j+2:])
		switch {
		case !ok:
			// Not an escape encoding/json accepts: its error says where.
		case r == 0:
			return j, "must be UTF-8 text without NUL characters"
		case utf16.IsSurrogate(r):
			low, ok := rune(0), false
			if r < 0xdc00 && bytes.HasPrefix(body[j+6:], []byte(`\u`)) {
				low, ok = hex4(body[j+8:])
			}
			if !ok || utf16.DecodeRune(r, low) == utf8.RuneError {
				return j, fmt.Sprintf(`holds \u%04x, half of a UTF-16 surrogate pair, which is no character`, r)
			}
			i = j + 12
		}
	}
}

// hex4 reads the four hex digits of a \u escape at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// fieldAt names the field of the JSON document body whose value holds
// byte off, as "a.b" for nested objects; "" when off is outside any field.
func fieldAt(body []byte, off int) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct {
		object bool
		key    string
		isKey  bool // the next string token is a key
	}
	var stack []frame
	path := func() string {
		var keys []string
		for _, f := range stack {
			if f.key != "" { // "" in an array
				keys = append(keys, f.key)
			}
		}
		return strings.Join(keys, ".")
	}
	for {
		before := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil || int(before) > off {
			return path()
		}
		top := len(stack) - 1
		switch t := tok.(type) {
		case json.Delim:
			if t == '{' || t == '[' {
				stack = append(stack, frame{object: t == '{', isKey: t == '{'})
				continue
			}
			if top >= 0 {
				stack = stack[:top]
			}
		case string:
			if top >= 0 && stack[top].isKey {
				stack[top].key, stack[top].isKey = t, false
				continue
			}
		}
		if int(dec.InputOffset()) > off {
			return path()
		}
		if top = len(stack) - 1; top >= 0 && stack[top].object {
			stack[top].isKey = true
		}
	}
}

// Clip shortens a name the client made up (an unknown field or parameter)
// to 64 runes, marking the cut, so an answer or log line naming it stays short.
func Clip(name string) string {
	return ClipTo(name, 64)
}

// ClipTo shortens s to n runes, marking the cut with "…".
func ClipTo(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
