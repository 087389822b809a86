// Package valid checks a request model by its go-playground/validator
// tags, naming each bad field as the API's JSON and its other errors do.
package valid

import (
	"errors"
	"reflect"
	"strings"
	"sync"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/go-playground/validator/v10"
)

// validate is built once, on first use: building a validator is slow and
// it caches struct metadata. Fields are named by their JSON names.
var validate = sync.OnceValue(func() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	return v
})

// Fields returns the fields of v that break their `validate` tags, by
// JSON name; callers add their own checks and finish with ToError.
func Fields(v any) errs.FieldErrors {
	fe := errs.FieldErrors{}
	err := validate().Struct(v)
	var verrs validator.ValidationErrors
	if err != nil && !errors.As(err, &verrs) {
		// Only a non-struct argument gets here: a programming error.
		fe["_"] = err.Error()
		return fe
	}
	for _, ve := range verrs {
		fe.Add(ve.Field(), errors.New(message(ve)))
	}
	return fe
}

// message says what a field must be in the words of the API's other field
// errors ("is required", "must be ..."), or names a tag it has no words for.
func message(fe validator.FieldError) string {
	unit := ""
	switch fe.Kind() {
	case reflect.String:
		unit = " characters"
	case reflect.Slice, reflect.Map, reflect.Array:
		unit = " items"
	}
	switch fe.Tag() {
	case "required":
		return "is required"
	case "eqfield":
		return "must match " + jsonName(fe.Param())
	case "max":
		return "must be at most " + fe.Param() + unit
	case "min":
		return "must be at least " + fe.Param() + unit
	case "len":
		return "must be exactly " + fe.Param() + unit
	case "oneof":
		return "must be one of " + strings.ReplaceAll(fe.Param(), " ", ", ")
	case "email":
		return "must be an email address"
	default:
		return "fails the " + fe.Tag() + " check"
	}
}

// jsonName is a Go field name as the API's JSON spells it: PasswordConfirm
// is passwordConfirm.
func jsonName(goName string) string {
	if goName == "" {
		return goName
	}
	return strings.ToLower(goName[:1]) + goName[1:]
}
