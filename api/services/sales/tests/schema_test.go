package tests

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/garagesale/service/api/services/sales/build"
	"github.com/garagesale/service/app/sdk/apidoc/openapi"
	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/business/types/email"
	"github.com/garagesale/service/business/types/money"
	"github.com/garagesale/service/business/types/name"
	"github.com/garagesale/service/business/types/password"
	"github.com/garagesale/service/business/types/quantity"
	"github.com/garagesale/service/docs"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
)

// TestEmptyBodyNamesTheRequired: a JSON body {} to every route whose
// request schema has required properties is a 400 naming exactly those,
// each "is required". A client generated from the document then refuses
// what the API refuses, and a property the document calls optional is.
func TestEmptyBodyNamesTheRequired(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	h := e.replica(t, func(c *build.Config) { c.Signup = true })
	doc, err := openapi.Load(docs.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`\{[^}]+\}`)
	routes := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody == nil || op.RequestBody.Value.Content.Get("application/json") == nil {
				continue
			}
			schema := op.RequestBody.Value.Content.Get("application/json").Schema.Value
			if len(schema.Required) == 0 {
				continue
			}
			routes++
			url := param.ReplaceAllLiteralString(path, uuid.NewString())
			t.Run(method+" "+path, func(t *testing.T) {
				a := send(t, h, method, url, e.tokens["admin"], `{}`, nil)
				if a.status != http.StatusBadRequest {
					t.Fatalf("status %d, want 400: %s", a.status, a.body)
				}
				var got errs.Error
				if err := json.Unmarshal([]byte(a.body), &got); err != nil {
					t.Fatal(err)
				}
				want := map[string]string{}
				for _, p := range schema.Required {
					want[p] = "is required"
				}
				if diff := cmp.Diff(want, got.Fields); diff != "" {
					t.Errorf("fields named (-documented +answered):\n%s", diff)
				}
			})
		}
	}
	if routes == 0 {
		t.Error("no route has required properties: the test reads the document wrong (the users' routes have them)")
	}
}

// TestDocumentedBoundsAreTheTypes: the lengths and maxima the document
// gives request properties are the ones the business types check, so a
// change to a type's bound fails here until its tags follow.
func TestDocumentedBoundsAreTheTypes(t *testing.T) {
	doc, err := openapi.Load(docs.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	maxMoney := float64(money.MaxCents / 100)
	type bounds struct {
		MinLength           uint64
		MaxLength, Max, Min *float64
	}
	n := func(f float64) *float64 { return &f }
	str := func(lo, hi int) bounds { return bounds{MinLength: uint64(lo), MaxLength: n(float64(hi))} }
	num := func(lo, hi float64) bounds { return bounds{Min: n(lo), Max: n(hi)} }
	tests := map[string]bounds{
		"NewUser.name":           str(1, name.MaxLen),
		"NewUser.email":          str(1, email.MaxLen),
		"NewUser.password":       str(password.MinLen, password.MaxBytes),
		"NewUser.department":     str(0, 100),
		"Signup.name":            str(1, name.MaxLen),
		"Signup.email":           str(1, email.MaxLen),
		"Signup.password":        str(password.MinLen, password.MaxBytes),
		"UpdateUser.name":        str(1, name.MaxLen),
		"UpdateUser.email":       str(1, email.MaxLen),
		"UpdateUser.password":    str(password.MinLen, password.MaxBytes),
		"UpdateUser.department":  str(0, 100),
		"NewProduct.name":        str(1, name.MaxLen),
		"NewProduct.cost":        num(0, maxMoney),
		"NewProduct.minPrice":    num(0, maxMoney),
		"NewProduct.quantity":    num(0, quantity.Max),
		"UpdateProduct.name":     str(1, name.MaxLen),
		"UpdateProduct.cost":     num(0, maxMoney),
		"UpdateProduct.minPrice": num(0, maxMoney),
		"UpdateProduct.quantity": num(0, quantity.Max),
		"NewSale.quantity":       num(1, quantity.Max),
		"NewSale.paid":           num(0, maxMoney),
		"OfflineSale.id":         str(1, 100),
		"OfflineSale.quantity":   num(1, quantity.Max),
		"OfflineSale.paid":       num(0, maxMoney),
	}
	for prop, want := range tests {
		t.Run(prop, func(t *testing.T) {
			schemaName, field, _ := strings.Cut(prop, ".")
			ref := doc.Components.Schemas[schemaName]
			if ref == nil || ref.Value.Properties[field] == nil {
				t.Fatalf("the document has no %s", prop)
			}
			s := ref.Value.Properties[field].Value
			got := bounds{MinLength: s.MinLength, Max: s.Max, Min: s.Min}
			if s.MaxLength != nil {
				got.MaxLength = n(float64(*s.MaxLength))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("bounds (-the types +documented):\n%s", diff)
			}
		})
	}
}

// TestDocumentedNumbersAreDoubles: every number in the document, the
// amounts, says it is a double: without a format, generators such as
// oapi-codegen make it a float32, which rounds 1234567.89 to 1234567.9.
func TestDocumentedNumbersAreDoubles(t *testing.T) {
	doc, err := openapi.Load(docs.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	var bad []string
	numbers := 0
	var walk func(where string, ref *openapi3.SchemaRef)
	walk = func(where string, ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || ref.Ref != "" {
			return
		}
		s := ref.Value
		if s.Type.Includes("number") {
			numbers++
			if s.Format != "double" {
				bad = append(bad, fmt.Sprintf("%s (format %q)", where, s.Format))
			}
		}
		for name, p := range s.Properties {
			walk(where+"."+name, p)
		}
		walk(where+"[]", s.Items)
	}
	for name, ref := range doc.Components.Schemas {
		walk(name, ref)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for _, p := range op.Parameters {
				walk(method+" "+path+" ?"+p.Value.Name, p.Value.Schema)
			}
		}
	}
	if numbers == 0 {
		// The kit's amounts are numbers; a project may have none.
		t.Skip("the document has no number")
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		t.Errorf("numbers that are not doubles:\n%s", strings.Join(bad, "\n"))
	}
}
