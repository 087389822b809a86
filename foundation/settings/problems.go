package settings

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// keys are the tag properties conf reads as key:value; flags stand alone.
var (
	keys  = []string{"default", "help", "env", "flag", "short"}
	flags = []string{"noprint", "required", "notzero", "mask", "immutable"}
)

// Problems returns what is wrong with the conf tags of cfg, a struct or a
// pointer to one: a setting without help, a help or default cut short by a
// comma, a help holding an apostrophe. conf's tag parser has no escapes,
// so either makes --help show half a sentence; a test of each program runs
// Problems on its Config. conf's own fields and `conf:"-"` are skipped.
func Problems(cfg any) []string {
	t := reflect.TypeOf(cfg)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return walk(t, "")
}

func walk(t reflect.Type, prefix string) (out []string) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag, hasTag := f.Tag.Lookup("conf")
		if !f.IsExported() || tag == "-" || f.Type.PkgPath() == "github.com/ardanlabs/conf/v3" {
			continue // not a setting, or conf's own (Args, Version)
		}
		name := prefix + f.Name
		switch {
		case f.Anonymous && f.Type.Kind() == reflect.Struct:
			out = append(out, walk(f.Type, prefix)...) // conf reads its settings as the embedder's own
		case f.Type.Kind() == reflect.Struct && !hasTag:
			out = append(out, walk(f.Type, name+".")...) // a group
		default:
			out = append(out, check(name, tag)...)
		}
	}
	return out
}

func check(name, tag string) []string {
	var out []string
	help := ""
	for part := range strings.SplitSeq(tag, ",") {
		if part == "" && tag == "" {
			break
		}
		key, val, ok := strings.Cut(part, ":")
		switch {
		case ok && slices.Contains(keys, key):
			if key == "help" {
				help = val
			}
		case !ok && slices.Contains(flags, part):
		default:
			out = append(out, fmt.Sprintf("%s: %q is neither a tag property nor a flag: a comma inside a help or default text ends it there", name, part))
		}
	}
	switch {
	case strings.TrimSpace(help) == "":
		out = append(out, fmt.Sprintf("%s: no help: --help would show the setting with no description", name))
	case strings.Contains(help, "'"):
		out = append(out, fmt.Sprintf("%s: the help has an apostrophe, which --help takes for a quoted placeholder", name))
	}
	return out
}
