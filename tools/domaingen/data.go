package domaingen

import (
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
)

// Data is what the templates are executed with.
type Data struct {
	Module string
	// Name is the domain ("widget"); Plural its table, routes and tag.
	Name, Plural string
	// Type is the Go name of a record ("Widget"), Title the domain in
	// prose, capitalised ("Widgets").
	Type, Title string
	// Bus, DB and App are the domain's packages.
	Bus, DB, App string
	// IDColumn is the primary key's column; PathID the route's path
	// parameter.
	IDColumn, PathID string
	// Migration is the number of the domain's migration and seed files.
	Migration string
	Fields    []Field
	// SeedIDs are the IDs of the seed rows: fixed, so that a re-run
	// writes the same file.
	SeedIDs []string
}

// Field is one field of the domain, as every layer spells it.
type Field struct {
	// JSON is its name in the API and in filters; Go in the Go models;
	// Column in the table.
	JSON, Go, Column string
	Kind             string
	// Ref is the domain a uuid field refers to, RefTable and RefColumn
	// the key it references.
	Ref, RefTable, RefColumn string
}

// seedNamespace makes the seed rows' IDs: the same domain gets the same
// IDs on every run.
var seedNamespace = uuid.MustParse("6f1d7c52-2a5b-4e0c-9a55-5d6f0e1c2b3a")

func newData(module string, s Spec, migration int, tables map[string]string) Data {
	plural := s.plural()
	title := strings.ToUpper(plural[:1]) + plural[1:]
	d := Data{
		Module: module, Name: s.Name, Plural: plural,
		Type: exported(s.Name), Title: title,
		Bus: s.Name + "bus", DB: s.Name + "db", App: s.Name + "app",
		IDColumn: s.Name + "_id", PathID: s.Name + "ID",
		Migration: fmt.Sprintf("%05d", migration),
	}
	for _, f := range s.Fields {
		fd := Field{JSON: f.Name, Go: exported(f.Name), Column: snake(f.Name), Kind: f.Kind, Ref: f.Ref}
		if f.Ref != "" {
			fd.RefTable, fd.RefColumn = tables[f.Ref], f.Ref+"_id"
		}
		d.Fields = append(d.Fields, fd)
	}
	for i := range 2 {
		d.SeedIDs = append(d.SeedIDs, uuid.NewSHA1(seedNamespace, fmt.Appendf(nil, "%s-%d", s.Name, i+1)).String())
	}
	return d
}

// Uses reports whether a field is of kind.
func (d Data) Uses(kind string) bool {
	return slices.ContainsFunc(d.Fields, func(f Field) bool { return f.Kind == kind })
}

// Refs are the fields that refer to another domain.
func (d Data) Refs() []Field {
	var out []Field
	for _, f := range d.Fields {
		if f.Ref != "" {
			out = append(out, f)
		}
	}
	return out
}

// Label is the expression of a record's name in audit records and
// messages: its first string field, else its ID.
func (d Data) Label(v string) string {
	for _, f := range d.Fields {
		if f.Kind == "string" {
			return v + "." + f.Go + ".String()"
		}
	}
	return v + ".ID.String()"
}

// Columns is the table's columns, in order, comma-separated.
func (d Data) Columns() string {
	cols := []string{d.IDColumn}
	for _, f := range d.Fields {
		cols = append(cols, f.Column)
	}
	return strings.Join(append(cols, "date_created", "date_updated"), ", ")
}

// Params is Columns as named parameters.
func (d Data) Params() string {
	cols := strings.Split(d.Columns(), ", ")
	for i, c := range cols {
		cols[i] = ":" + c
	}
	return strings.Join(cols, ", ")
}

// kind is what a field kind is in every layer. The expressions are
// formats of the field's value (%[1]s); in SQL, {column} is its column.
type kind struct {
	bus, db, sql, app, newType, updateType string
	toApp, audit, toDB, load               string
}

var kinds = map[string]kind{
	"string": {bus: "name.Name", db: "string", sql: "TEXT NOT NULL", app: "string", newType: "string", updateType: "*string",
		toApp: "%[1]s.String()", audit: "%[1]s.String()", toDB: "%[1]s.String()", load: "name.Load(%[1]s)"},
	"int": {bus: "int", db: "int", sql: "INTEGER NOT NULL", app: "int", newType: "*int", updateType: "*int",
		toApp: "%[1]s", audit: "%[1]s", toDB: "%[1]s"},
	"money": {bus: "money.Money", db: "int64", sql: "BIGINT NOT NULL CHECK ({column} >= 0)", app: "json.Number", newType: "money.Sent", updateType: "money.Sent",
		toApp: "json.Number(%[1]s.Decimal())", audit: "%[1]s.Decimal()", toDB: "%[1]s.Cents()", load: "money.FromCents(%[1]s)"},
	"quantity": {bus: "quantity.Quantity", db: "int", sql: "INTEGER NOT NULL CHECK ({column} >= 0)", app: "int", newType: "*int", updateType: "*int",
		toApp: "%[1]s.Value()", audit: "%[1]s.Value()", toDB: "%[1]s.Value()", load: "quantity.Parse(%[1]s)"},
	"bool": {bus: "bool", db: "bool", sql: "BOOLEAN NOT NULL", app: "bool", newType: "*bool", updateType: "*bool",
		toApp: "%[1]s", audit: "%[1]s", toDB: "%[1]s"},
	"time": {bus: "time.Time", db: "time.Time", sql: "TIMESTAMPTZ NOT NULL", app: "string", newType: "string", updateType: "*string",
		toApp: "query.FormatTime(%[1]s)", audit: "%[1]s.Format(time.RFC3339Nano)", toDB: "%[1]s.UTC()"},
	"uuid": {bus: "uuid.UUID", db: "uuid.UUID", sql: "UUID NOT NULL", app: "string", newType: "string", updateType: "*string",
		toApp: "%[1]s.String()", audit: "%[1]s.String()", toDB: "%[1]s"},
}

func (f Field) kind() kind { return kinds[f.Kind] }

// BusType is the field's type in the business model.
func (f Field) BusType() string { return f.kind().bus }

// DBType is the field's type in the store's row.
func (f Field) DBType() string { return f.kind().db }

// SQLType is the column's type and checks.
func (f Field) SQLType() string { return strings.ReplaceAll(f.kind().sql, "{column}", f.Column) }

// AppType is the field's type in the API's answer.
func (f Field) AppType() string { return f.kind().app }

// NewType is the field's type in a create request.
func (f Field) NewType() string { return f.kind().newType }

// UpdateType is the field's type in an update request: absent is
// unchanged.
func (f Field) UpdateType() string { return f.kind().updateType }

// ToApp is the expression of the field of bus record v in the answer.
func (f Field) ToApp(v string) string { return fmt.Sprintf(f.kind().toApp, v+"."+f.Go) }

// AuditValue is the expression of the field of v in an audit record.
func (f Field) AuditValue(v string) string { return fmt.Sprintf(f.kind().audit, v+"."+f.Go) }

// ToDB is the expression of the field of bus record v in a row.
func (f Field) ToDB(v string) string { return fmt.Sprintf(f.kind().toDB, v+"."+f.Go) }

// Loads reports whether a row's value must be parsed back into its
// business type (and may fail).
func (f Field) Loads() bool { return f.kind().load != "" }

// Load is the call that parses a row's value of the field.
func (f Field) Load(v string) string { return fmt.Sprintf(f.kind().load, v+"."+f.Go) }

// AppTag is the field's struct tag in the API's answer.
func (f Field) AppTag() string {
	extra := map[string]string{
		"quantity": ` openapi:"minimum=0"`, "time": ` openapi:"format=date-time"`, "uuid": ` openapi:"format=uuid"`,
	}[f.Kind]
	return "`json:\"" + f.JSON + "\"" + extra + "`"
}

// int32Range bounds an int field to its INTEGER column.
const int32Range = "min=-2147483648,max=2147483647"

// NewTag is the field's struct tag in a create request.
func (f Field) NewTag() string {
	return f.requestTag("required")
}

// UpdateTag is the field's struct tag in an update request.
func (f Field) UpdateTag() string {
	return f.requestTag("omitempty")
}

func (f Field) requestTag(presence string) string {
	validate := presence
	extra := ""
	switch f.Kind {
	case "int":
		validate += "," + int32Range
		extra = ` openapi:"minimum=-2147483648"`
	// The bounds are the service's types' (name.MaxLen, money.MaxCents,
	// quantity.Max), which this module does not import: change them
	// together. The service's tests hold its own models' tags to them.
	case "string":
		extra = ` openapi:"minLength=1,maxLength=100"`
	case "money":
		typ := "number"
		if presence == "omitempty" {
			typ = "number|null"
		}
		extra = ` openapi:"type=` + typ + `,minimum=0,maximum=1000000000" doc:"in currency units, at most 2 decimals"`
	case "quantity":
		extra = ` openapi:"minimum=0,maximum=1000000"`
	case "time":
		extra = ` openapi:"format=date-time" doc:"RFC 3339"`
	case "uuid":
		extra = ` openapi:"format=uuid"`
		if f.Ref != "" {
			extra = ` openapi:"format=uuid" doc:"the ID of a ` + f.Ref + `"`
		}
	}
	if validate == "omitempty" || (presence == "omitempty" && f.Kind == "money") {
		return "`json:\"" + f.JSON + "\"" + extra + "`"
	}
	return "`json:\"" + f.JSON + "\" validate:\"" + validate + "\"" + extra + "`"
}

// Var is a local variable named for the field.
func (f Field) Var() string {
	v := strings.ToLower(f.Go[:1]) + f.Go[1:]
	switch v {
	case "break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough", "for", "func",
		"go", "goto", "if", "import", "interface", "map", "package", "range", "return", "select", "struct",
		"switch", "type", "var", "err", "ctx", "bus", "app", "fe", "up", "w", "id":
		return v + "Value"
	}
	return v
}

// sample is the n-th of a few valid values of a field, as JSON (for the
// HTTP tests), as SQL (for the seed rows) and as a Go expression of its
// business type (for the business tests).
type sample struct {
	json, sql, bus string
}

func (f Field) sample(n int) sample {
	text := fmt.Sprintf("%s %d", f.Go, n)
	decimal := fmt.Sprintf("%d.%02d", n*3, n*25%100)
	id := uuid.NewSHA1(seedNamespace, fmt.Appendf(nil, "%s-%d", f.JSON, n)).String()
	switch f.Kind {
	case "string":
		return sample{json: fmt.Sprintf("%q", text), sql: "'" + text + "'", bus: fmt.Sprintf("dbtest.Must(name.Parse(%q))", text)}
	case "int":
		v := fmt.Sprint(n*7 - 3)
		return sample{json: v, sql: v, bus: v}
	case "money":
		cents := fmt.Sprint(n*300 + n*25%100)
		return sample{json: fmt.Sprintf("json.Number(%q)", decimal), sql: cents, bus: fmt.Sprintf("dbtest.Must(money.Parse(%q))", decimal)}
	case "quantity":
		v := fmt.Sprint(n * 4)
		return sample{json: v, sql: v, bus: "dbtest.Must(quantity.Parse(" + v + "))"}
	case "bool":
		v := fmt.Sprint(n%2 == 1)
		return sample{json: v, sql: v, bus: v}
	case "time":
		return sample{
			json: fmt.Sprintf("\"2026-0%d-0%dT10:30:00Z\"", n, n+1),
			sql:  fmt.Sprintf("'2026-0%d-0%d 10:30:00+00'", n, n+1),
			bus:  fmt.Sprintf("time.Date(2026, %d, %d, 10, 30, 0, 0, time.UTC)", n, n+1),
		}
	}
	// uuid: a reference is read from the table it refers to.
	if f.Ref != "" {
		return sample{
			sql: fmt.Sprintf("(SELECT %s FROM %s ORDER BY %s LIMIT 1)", f.RefColumn, f.RefTable, f.RefColumn),
			bus: f.Var(),
		}
	}
	return sample{json: fmt.Sprintf("%q", id), sql: "'" + id + "'", bus: fmt.Sprintf("uuid.MustParse(%q)", id)}
}

// Sample is the n-th sample of the field as JSON, for tests.
func (f Field) Sample(n int) string { return f.sample(n).json }

// SQLSample is the n-th sample of the field in a seed row.
func (f Field) SQLSample(n int) string { return f.sample(n).sql }

// BusSample is the n-th sample of the field as a business value, for
// tests; a reference is the variable the test read it into.
func (f Field) BusSample(n int) string { return f.sample(n).bus }

// FilterMatch is the filter fields that select record v by this field.
func (f Field) FilterMatch(v string) string {
	x := v + "." + f.Go
	switch f.Kind {
	case "string":
		return fmt.Sprintf("%s: new(strings.ToUpper(%s.String()))", f.Go, x)
	case "int":
		return fmt.Sprintf("%sMin: new(%s), %sMax: new(%s)", f.Go, x, f.Go, x)
	case "money":
		return fmt.Sprintf("%sMin: new(%s), %sMax: new(%s)", f.Go, x, f.Go, x)
	case "quantity":
		return fmt.Sprintf("%sMin: new(%s.Value()), %sMax: new(%s.Value())", f.Go, x, f.Go, x)
	case "time":
		return fmt.Sprintf("%sFrom: new(%s), %sBefore: new(%s.Add(time.Second))", f.Go, x, f.Go, x)
	}
	return fmt.Sprintf("%s: new(%s)", f.Go, x) // bool, uuid
}

// FilterMiss is the filter fields that leave record v out by this field.
func (f Field) FilterMiss(v string) string {
	x := v + "." + f.Go
	switch f.Kind {
	case "string":
		return fmt.Sprintf("%s: new(\"no such text\")", f.Go)
	case "int":
		return fmt.Sprintf("%sMin: new(%s + 1)", f.Go, x)
	case "money":
		return fmt.Sprintf("%sMin: new(dbtest.Must(money.Parse(\"1000000\")))", f.Go)
	case "quantity":
		return fmt.Sprintf("%sMin: new(%s.Value() + 1)", f.Go, x)
	case "bool":
		return fmt.Sprintf("%s: new(!%s)", f.Go, x)
	case "time":
		return fmt.Sprintf("%sBefore: new(%s)", f.Go, x)
	}
	return fmt.Sprintf("%s: new(uuid.New())", f.Go) // uuid
}

// Grow is the SQL that spreads the field's values when a plan test
// copies the seed rows (r, the row copied; i, the copy's number), or ""
// to keep r's: a reference must name a row that exists.
func (f Field) Grow() string {
	switch f.Kind {
	case "string":
		return "r." + f.Column + " || ' ' || i"
	case "int", "quantity":
		return "i % 500"
	case "money":
		return "(i * 7919) % 100000"
	case "bool":
		return "i % 3 > 0"
	case "time":
		return "r." + f.Column + " - i * interval '1 minute'"
	}
	if f.Ref != "" {
		return ""
	}
	return "gen_random_uuid()"
}

// Loads reports whether any field is parsed back from its row.
func (d Data) Loads() bool {
	return slices.ContainsFunc(d.Fields, Field.Loads)
}
