package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// MaxBodyBytes is the largest request body Decode accepts.
const MaxBodyBytes = 1 << 20

// Decoder is implemented by request models that decode themselves.
type Decoder interface {
	Decode(data []byte) error
}

// Validator is implemented by request models that check themselves after
// decoding.
type Validator interface {
	Validate() error
}

// DecodeError is a body that is not valid JSON for the target. It names the
// field where one is known.
type DecodeError struct {
	Field string
	Err   error
}

func (e *DecodeError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("field %s: %v", e.Field, e.Err)
	}
	return e.Err.Error()
}

func (e *DecodeError) Unwrap() error { return e.Err }

// Decode reads the JSON body of r into v (at most MaxBodyBytes), rejecting
// unknown fields, then runs v's Validate when it has one.
func Decode(r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return ErrBodyTooLarge
		}
		return fmt.Errorf("read body: %w", err)
	}

	if d, ok := v.(Decoder); ok {
		if err := d.Decode(body); err != nil {
			return err
		}
	} else if err := decodeJSON(body, v); err != nil {
		return err
	}

	if val, ok := v.(Validator); ok {
		return val.Validate()
	}
	return nil
}

func decodeJSON(body []byte, v any) error {
	if len(body) == 0 {
		return &DecodeError{Err: errors.New("request body is empty")}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return &DecodeError{Field: typeErr.Field, Err: fmt.Errorf("must be a %s", typeErr.Type)}
		}
		if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return &DecodeError{Field: strings.Trim(field, `"`), Err: errors.New("unknown field")}
		}
		return &DecodeError{Err: fmt.Errorf("malformed JSON: %w", err)}
	}
	if dec.More() {
		return &DecodeError{Err: errors.New("malformed JSON: more than one value in body")}
	}
	return nil
}
