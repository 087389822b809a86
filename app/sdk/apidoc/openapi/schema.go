package openapi

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3gen"
)

// models turns the app layer's request and response models into component
// schemas, by reflection on their fields (kin-openapi's openapi3gen) and
// their tags:
//
//   - json: the property's name; omitempty makes an answer's property
//     optional;
//   - validate: "required" makes a request's property required, max=N
//     bounds a string's length or a number;
//   - openapi: what the Go type does not say, as comma-separated
//     key=value pairs: type=number, format=uuid, enum=ADMIN|USER,
//     minimum=0, maximum=100, minLength=6, maxLength=100 (the bounds a
//     field's business type checks, which no validate tag states);
//   - doc: the property's description.
//
// Every object is closed (additionalProperties: false): the API refuses
// unknown request fields, and an answer's undocumented field fails the
// tests that check answers against the document.
type models struct {
	schemas  openapi3.Schemas
	req, res *openapi3gen.Generator
	owner    map[string]string       // component name → "request" or "response"
	types    map[string]reflect.Type // component name → the type it was made of
	clash    error
}

func newModels(schemas openapi3.Schemas) *models {
	m := &models{schemas: schemas, owner: map[string]string{}, types: map[string]reflect.Type{}}
	m.req = m.generator(requestRequired)
	m.res = m.generator(responseRequired)
	return m
}

// typeName names a model's component (see componentName), noting two
// types that would share one.
func (m *models) typeName(t reflect.Type) string {
	name := componentName(t)
	if other, ok := m.types[name]; ok && other != t {
		m.clash = fmt.Errorf("%s and %s would both be the component %s: give one another name", other, t, name)
	}
	m.types[name] = t
	return name
}

// add returns the schema of v, a request or response model's zero value
// (kind says which), made by g.
func (m *models) add(g *openapi3gen.Generator, kind string, v any) (*openapi3.SchemaRef, error) {
	schemas := openapi3.Schemas{}
	ref, err := g.NewSchemaRefForValue(v, schemas)
	if err != nil {
		return nil, fmt.Errorf("schema of %T: %w", v, err)
	}
	if m.clash != nil {
		return nil, m.clash
	}
	for name, s := range schemas {
		if other, ok := m.owner[name]; ok && other != kind {
			return nil, fmt.Errorf("%s is both a %s and a %s model: give one another name", name, other, kind)
		}
		m.owner[name] = kind
		m.schemas[name] = s
	}
	return ref, nil
}

func (m *models) generator(object func(reflect.Type, *openapi3.Schema)) *openapi3gen.Generator {
	return openapi3gen.NewGenerator(
		openapi3gen.CreateComponentSchemas(openapi3gen.ExportComponentSchemasOptions{
			ExportComponentSchemas: true, ExportTopLevelSchema: true, ExportGenerics: true,
		}),
		openapi3gen.CreateTypeNameGenerator(m.typeName),
		openapi3gen.SchemaCustomizer(func(_ string, t reflect.Type, tag reflect.StructTag, s *openapi3.Schema) error {
			if t.Kind() == reflect.Struct && s.Properties != nil {
				object(t, s)
				s.AdditionalProperties = openapi3.AdditionalProperties{Has: new(false)}
			}
			return field(t, tag, s)
		}),
	)
}

// componentName names a model's component: its Go name, and for a page
// of a list (query.Result[Product]) ProductPage.
func componentName(t reflect.Type) string {
	name := t.Name()
	if base, arg, ok := strings.Cut(name, "["); ok {
		arg = strings.TrimSuffix(arg, "]")
		arg = arg[strings.LastIndex(arg, ".")+1:]
		if base == "Result" {
			return arg + "Page"
		}
		return base + arg
	}
	return name
}

var (
	codeType    = reflect.TypeFor[errs.Code]()
	rawJSONType = reflect.TypeFor[json.RawMessage]()
	numberType  = reflect.TypeFor[json.Number]()
)

// field applies a property's tags to its schema.
func field(t reflect.Type, tag reflect.StructTag, s *openapi3.Schema) error {
	if t == codeType {
		for _, c := range errs.Codes() {
			s.Enum = append(s.Enum, string(c))
		}
	}
	if t == numberType {
		s.Type = &openapi3.Types{"number"}
	}
	if t == rawJSONType && s.Type == nil {
		s.Description = "any JSON value"
	}
	// A list's items are made with the list's tags: its doc describes the
	// list, not the model its items share with every other use.
	if d := tag.Get("doc"); d != "" && !isModel(t) {
		s.Description = d
	}
	for rule := range strings.SplitSeq(tag.Get("validate"), ",") {
		if n, ok := strings.CutPrefix(rule, "max="); ok {
			max, err := strconv.ParseUint(n, 10, 64)
			if err != nil {
				return fmt.Errorf("validate max=%q: %w", n, err)
			}
			if s.Type.Is("string") {
				s.MaxLength = &max
			} else {
				s.Max = new(float64(max))
			}
		}
	}
	if spec := tag.Get("openapi"); spec != "" {
		format := ""
		for kv := range strings.SplitSeq(spec, ",") {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "type":
				// The Go type's format goes with its type: money.Sent
				// is bytes in Go ("byte") and a number in JSON. A
				// format in the tag stands, wherever it is.
				types := openapi3.Types(strings.Split(v, "|"))
				s.Type, s.Format = &types, ""
			case "format":
				format = v
			case "enum":
				// Of a list, the enum is of its items, which were given
				// the list's tag when they were made.
				if s.Type.Is("array") {
					continue
				}
				for e := range strings.SplitSeq(v, "|") {
					s.Enum = append(s.Enum, e)
				}
			case "minLength", "maxLength":
				n, err := strconv.ParseUint(v, 10, 64)
				if err != nil {
					return fmt.Errorf("openapi %s=%q: %w", k, v, err)
				}
				if k == "minLength" {
					s.MinLength = n
				} else {
					s.MaxLength = &n
				}
			case "minimum", "maximum":
				f, err := strconv.ParseFloat(v, 64)
				if err != nil {
					return fmt.Errorf("openapi %s=%q: %w", k, v, err)
				}
				if k == "minimum" {
					s.Min = &f
				} else {
					s.Max = &f
				}
			default:
				return fmt.Errorf("openapi tag %q: unknown key %q", spec, k)
			}
		}
		if format != "" {
			s.Format = format
		}
	}
	// A number without a format is a float32 to some generators
	// (oapi-codegen), which loses the cents of 1234567.89; a double holds
	// every amount up to 1000000000 to the cent.
	if s.Type.Includes("number") && s.Format == "" {
		s.Format = "double"
	}
	// OpenAPI 3.1 spells "may be null" as a type, not as nullable.
	if s.Nullable {
		s.Nullable = false
		if s.Type != nil {
			*s.Type = append(*s.Type, "null")
		}
	}
	return nil
}

// isModel reports whether t is a struct made into a component schema of
// its own (a time.Time is a string).
func isModel(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.Struct && t != reflect.TypeFor[time.Time]()
}

// requestRequired marks the properties a request must send: those its
// validation requires.
func requestRequired(t reflect.Type, s *openapi3.Schema) {
	s.Required = nil
	for _, f := range jsonFields(t) {
		if !slices.Contains(strings.Split(f.Tag.Get("validate"), ","), "required") {
			continue
		}
		name := jsonName(f)
		s.Required = append(s.Required, name)
		// A pointer lets a request leave it out; required, it may not
		// be null either.
		if p := s.Properties[name]; p != nil && p.Value != nil && p.Value.Type != nil {
			*p.Value.Type = slices.DeleteFunc(*p.Value.Type, func(t string) bool { return t == "null" })
		}
	}
}

// responseRequired marks the properties an answer always has: every one
// without omitempty.
func responseRequired(t reflect.Type, s *openapi3.Schema) {
	s.Required = nil
	for _, f := range jsonFields(t) {
		if _, opts, _ := strings.Cut(f.Tag.Get("json"), ","); !slices.Contains(strings.Split(opts, ","), "omitempty") {
			s.Required = append(s.Required, jsonName(f))
		}
	}
}

// jsonFields are the fields of struct t that JSON encodes; those of an
// embedded struct without a json tag stand in its place, as encoding/json
// (and openapi3gen) flatten them.
func jsonFields(t reflect.Type) []reflect.StructField {
	var out []reflect.StructField
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		switch {
		case f.Anonymous && f.Type.Kind() == reflect.Struct && tag == "":
			out = append(out, jsonFields(f.Type)...)
		case f.IsExported() && tag != "-" && tag != "":
			out = append(out, f)
		}
	}
	return out
}

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return name
}
