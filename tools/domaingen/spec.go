package domaingen

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// Kinds are the field types the generator knows, with what each is in
// every layer.
var Kinds = []string{"string", "int", "money", "quantity", "bool", "time", "uuid"}

// Spec is what was asked for: a domain and its fields.
type Spec struct {
	// Name is the domain in the singular, lower case: "widget".
	Name string
	// Plural names its table, routes and tag: "widgets" unless given.
	Plural string
	Fields []FieldSpec
}

// FieldSpec is one --field name:kind[:domain].
type FieldSpec struct {
	Name string // JSON name, camelCase: "dueDate"
	Kind string
	// Ref is the domain a uuid field refers to ("product"), or "".
	Ref string
}

var (
	domainName = regexp.MustCompile(`^[a-z][a-z0-9]{1,30}$`)
	fieldName  = regexp.MustCompile(`^[a-z][a-zA-Z0-9]{0,40}$`)
)

// reserved are names a field may not take: the columns every domain has,
// a list's own parameters, and words Postgres reserves, which would need
// quoting in every statement.
var (
	ownFields  = []string{"id", "dateCreated", "dateUpdated"}
	listParams = []string{"page", "rows", "cursor", "orderBy"}
	sqlWords   = []string{
		"all", "and", "any", "array", "as", "asc", "both", "case", "cast", "check", "collate", "column",
		"constraint", "create", "default", "desc", "distinct", "do", "else", "end", "except", "false", "fetch",
		"for", "foreign", "from", "grant", "group", "having", "in", "into", "leading", "limit", "not", "null",
		"offset", "on", "only", "or", "order", "placing", "primary", "references", "select", "table", "then",
		"to", "trailing", "true", "union", "unique", "user", "using", "when", "where", "window", "with",
	}
	reserved = slices.Concat(ownFields, listParams, sqlWords)
)

// whyReserved says who holds name, one of reserved in any case.
func whyReserved(name string) string {
	is := func(s string) bool { return strings.EqualFold(s, name) }
	switch {
	case slices.ContainsFunc(ownFields, is):
		return "every domain has id, dateCreated and dateUpdated"
	case slices.ContainsFunc(listParams, is):
		return "a list's own parameters are page, rows, cursor and orderBy: a filter of that name could not be sent"
	}
	return "SQL reserves it"
}

// ParseField reads name:kind or name:uuid:domain.
func ParseField(s string) (FieldSpec, error) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return FieldSpec{}, fmt.Errorf("field %q: want name:type or name:uuid:domain, type one of %s", s, strings.Join(Kinds, ", "))
	}
	f := FieldSpec{Name: parts[0], Kind: parts[1]}
	if len(parts) == 3 {
		f.Ref = parts[2]
	}
	return f, nil
}

// check reports what is wrong with the spec, all at once.
func (s Spec) check() error {
	var problems []string
	if !domainName.MatchString(s.Name) {
		problems = append(problems, fmt.Sprintf("domain %q: want 2 to 31 lower-case letters and digits, starting with a letter, in the singular (widget)", s.Name))
	}
	if s.Plural != "" && !domainName.MatchString(s.Plural) {
		problems = append(problems, fmt.Sprintf("plural %q: want lower-case letters and digits (widgets)", s.Plural))
	}
	if len(s.Fields) == 0 {
		problems = append(problems, "no fields: give at least one --field name:type")
	}
	seen := map[string]bool{}
	for _, f := range s.Fields {
		switch {
		case !fieldName.MatchString(f.Name):
			problems = append(problems, fmt.Sprintf("field %q: want a camelCase name starting with a lower-case letter (dueDate)", f.Name))
		case slices.Contains(reserved, f.Name) || slices.Contains(reserved, strings.ToLower(f.Name)):
			problems = append(problems, fmt.Sprintf("field %q: the name is taken (%s)", f.Name, whyReserved(f.Name)))
		case seen[strings.ToLower(f.Name)]:
			problems = append(problems, fmt.Sprintf("field %q: given twice", f.Name))
		}
		seen[strings.ToLower(f.Name)] = true
		switch {
		case !slices.Contains(Kinds, f.Kind):
			problems = append(problems, fmt.Sprintf("field %q: type %q: want one of %s", f.Name, f.Kind, strings.Join(Kinds, ", ")))
		case f.Ref != "" && f.Kind != "uuid":
			problems = append(problems, fmt.Sprintf("field %q: only a uuid field refers to another domain", f.Name))
		case f.Ref != "" && !domainName.MatchString(f.Ref):
			problems = append(problems, fmt.Sprintf("field %q: domain %q: want a domain's name (product)", f.Name, f.Ref))
		}
	}
	problems = append(problems, s.clashes()...)
	problems = append(problems, s.longNames()...)
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return nil
}

// clashes reports fields whose derived names meet another's: a time field
// due makes the filters dueFrom and dueBefore, so a field dueFrom cannot
// be; a field widgetID of the domain widget would be its key's column.
func (s Spec) clashes() []string {
	var problems []string
	taken := map[string]string{ // a name in any layer → what has it
		"id": "the ID", s.Name + "_id": "the ID's column", exported(s.Name + "ID"): "the ID",
		"date_created": "dateCreated", "date_updated": "dateUpdated",
	}
	take := func(name, owner string) {
		if other, ok := taken[name]; ok && other != owner {
			problems = append(problems, fmt.Sprintf("field %q: its name %s is %s's too", owner, name, other))
			return
		}
		taken[name] = owner
	}
	for _, f := range s.Fields {
		if f.Name == "" || !fieldName.MatchString(f.Name) {
			continue // reported already
		}
		names := []string{f.Name, exported(f.Name), snake(f.Name)}
		switch f.Kind {
		case "int", "money", "quantity":
			names = append(names, f.Name+"Min", f.Name+"Max", exported(f.Name)+"Min", exported(f.Name)+"Max")
		case "time":
			names = append(names, f.Name+"From", f.Name+"Before", exported(f.Name)+"From", exported(f.Name)+"Before")
		}
		// Indexes are named from the column: name's trigram index and
		// nameTrgm's would both be <plural>_name_trgm_idx.
		indexes := []string{snake(f.Name) + "_idx"}
		if f.Kind == "string" {
			indexes = append(indexes, snake(f.Name)+"_trgm_idx")
		}
		for _, n := range indexes {
			names = append(names, "index "+s.plural()+"_"+n)
		}
		for _, n := range names {
			take(n, f.Name)
		}
	}
	return problems
}

// plural is the table's name: Plural, or the name's English plural.
func (s Spec) plural() string {
	if s.Plural != "" {
		return s.Plural
	}
	return pluralOf(s.Name)
}

// maxIdentifier is the longest name Postgres keeps whole: it cuts a
// longer one, and two long index names cut alike would clash.
const maxIdentifier = 63

// longNames reports fields whose index or constraint would be named past
// maxIdentifier: the migration names each from the table and the column.
func (s Spec) longNames() []string {
	plural := s.plural()
	var problems []string
	for _, f := range s.Fields {
		suffix := "_idx"
		switch {
		case f.Kind == "string":
			suffix = "_trgm_idx"
		case f.Ref != "":
			suffix = "_fkey"
		}
		if name := plural + "_" + snake(f.Name) + suffix; len(name) > maxIdentifier {
			problems = append(problems, fmt.Sprintf("field %q: its index %s is longer than Postgres' %d bytes: shorten the field or the plural", f.Name, name, maxIdentifier))
		}
	}
	return problems
}

// pluralOf is the English plural of a domain's name, by the common rules:
// category gives categories, box boxes, widget widgets. --plural says
// otherwise.
func pluralOf(name string) string {
	switch {
	case strings.HasSuffix(name, "y") && len(name) > 1 && !strings.ContainsRune("aeiou", rune(name[len(name)-2])):
		return name[:len(name)-1] + "ies"
	case strings.HasSuffix(name, "s"), strings.HasSuffix(name, "x"), strings.HasSuffix(name, "z"),
		strings.HasSuffix(name, "ch"), strings.HasSuffix(name, "sh"):
		return name + "es"
	}
	return name + "s"
}

// exported returns name with its first letter upper case, and a trailing
// "Id" written "ID" as Go does: productId and productID both give
// ProductID.
func exported(name string) string {
	r := []rune(name)
	r[0] = unicode.ToUpper(r[0])
	s := string(r)
	if strings.HasSuffix(s, "Id") {
		s = strings.TrimSuffix(s, "Id") + "ID"
	}
	return s
}

// snake returns a camelCase name in snake_case, a run of capitals being
// one word: productID gives product_id, dueDate due_date.
func snake(name string) string {
	r := []rune(name)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) {
			prevLower := i > 0 && (unicode.IsLower(r[i-1]) || unicode.IsDigit(r[i-1]))
			nextLower := i > 0 && i+1 < len(r) && unicode.IsLower(r[i+1]) && unicode.IsUpper(r[i-1])
			if prevLower || nextLower {
				b.WriteByte('_')
			}
			c = unicode.ToLower(c)
		}
		b.WriteRune(c)
	}
	return b.String()
}
