package errs

import (
	"errors"
	"reflect"
	"strings"
	"sync"

	"github.com/go-playground/locales/en"
	ut "github.com/go-playground/universal-translator"
	"github.com/go-playground/validator/v10"
	entrans "github.com/go-playground/validator/v10/translations/en"
)

// FieldErrors collects what is wrong with each field of a request, so one
// response names every bad field at once.
type FieldErrors map[string]string

// Add records err against field; a nil err records nothing. The first
// error of a field wins.
func (fe FieldErrors) Add(field string, err error) {
	if err == nil {
		return
	}
	if _, ok := fe[field]; !ok {
		fe[field] = err.Error()
	}
}

// ToError returns nil when nothing was recorded, else an invalid_argument
// Error naming each field.
func (fe FieldErrors) ToError() error {
	if len(fe) == 0 {
		return nil
	}
	return NewFields(fe)
}

// checker is built once, on first use: building a validator is slow and
// it caches struct metadata.
type checker struct {
	validate   *validator.Validate
	translator ut.Translator
}

var getChecker = sync.OnceValue(func() checker {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		return name
	})

	trans, _ := ut.New(en.New(), en.New()).GetTranslator("en")
	if err := entrans.RegisterDefaultTranslations(v, trans); err != nil {
		// The translations are compiled in; failing here is a build defect.
		panic("register validator translations: " + err.Error())
	}
	return checker{validate: v, translator: trans}
})

// Fields validates v by its `validate` tags and returns the bad fields,
// named as in JSON; empty when all is well. Callers add their own checks
// and finish with ToError.
func Fields(v any) FieldErrors {
	fe := FieldErrors{}
	c := getChecker()
	err := c.validate.Struct(v)
	if err == nil {
		return fe
	}

	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		// Only a non-struct argument gets here: a programming error.
		fe["_"] = err.Error()
		return fe
	}
	for _, ve := range verrs {
		fe.Add(ve.Field(), errors.New(ve.Translate(c.translator)))
	}
	return fe
}
