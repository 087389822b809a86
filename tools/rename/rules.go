package main

import (
	"slices"
	"strings"
)

// The template's names. The kit is one project, garagesale, serving one
// example application, the Sales API; a clone keeps the application and
// takes its own project and service names.
const (
	templateModule  = "github.com/garagesale/service"
	templateProject = "garagesale"
	templateName    = "sales"
)

// gateVar switches on this program's own slow test. It is named like the
// service's settings but belongs to the rename, which keeps the template's
// names, so the makefile must go on setting the name the test reads.
const gateVar = "SALES_TEST_RENAME"

// licenseHolder is the kit's copyright holder in LICENSE. The MIT license
// asks that its notice stay in every copy, so a renamed project keeps it
// and adds its own line.
const licenseHolder = "The " + templateProject + "/service authors"

// rule replaces one token of the template. A token is matched only where
// the text around it lets it stand alone: the word "sales" of the example
// application (salebus, /v1/sales, the sales table) is never a token, only
// the compounds the kit built from it for its binaries and infrastructure.
type rule struct {
	old, new string

	// notBefore and notAfter reject a match preceded or followed by such
	// a byte; nil accepts any.
	notBefore, notAfter func(s string, i int) bool
}

// replacer rewrites text by its rules in one pass from left to right, so a
// replacement is never itself rewritten.
type replacer struct {
	rules []rule // longest old first, so the longest token wins

	// keep are strings copied through as they are. They hold the names the
	// rename produces that contain a template token (a module under
	// github.com/garagesale, a name ending in "sales"): without them a
	// second run would rename its own output.
	keep []string

	first [256]bool // first bytes of keep and rules, to skip the rest fast
}

// cachesBehind is the header a service's answers carry while its user
// cache is behind: Sales-Caches-Behind, Shop-Caches-Behind.
func cachesBehind(name string) string {
	return strings.ToUpper(name[:1]) + name[1:] + "-Caches-Behind"
}

// newReplacer returns the replacer from the template's names to module and
// name. It assumes both were validated by newConfig.
func newReplacer(module, name string) *replacer {
	upper := strings.ToUpper(name)

	rules := []rule{
		{old: templateModule, new: module, notBefore: pathByteBefore, notAfter: nameByteAfter},
		// The bare form heads the README and the makefile.
		{old: templateProject + "/service", new: module, notBefore: ownerByteBefore, notAfter: nameByteAfter},
		// Kind cluster, compose project, image owner, token issuer, temp files.
		{old: templateProject, new: name, notBefore: ownerByteBefore, notAfter: wordByteAfter},
		// The throwaway clusters' folders, written after a path in the docs
		// (/tmp/garagesale-pg-*), where the project name alone is not a token.
		{old: templateProject + "-pg-", new: name + "-pg-", notBefore: wordByteBefore},
		// api/services/sales, also written services/sales in the README.
		{old: "services/" + templateName, new: "services/" + name, notBefore: wordByteBefore, notAfter: nameByteAfter},
		// Settings, as environment variables and as conf's prefix.
		{old: strings.ToUpper(templateName) + "_", new: upper + "_", notBefore: wordByteBefore},
		{old: `"` + strings.ToUpper(templateName) + `"`, new: `"` + upper + `"`},
		// Prometheus metric names, named for the binary.
		{old: templateName + "_api", new: name + "_api", notAfter: alnumByteAfter},
		// The service's own response header, named for it.
		{old: cachesBehind(templateName), new: cachesBehind(name)},
	}

	// Binaries and the Kubernetes and compose objects named for the service.
	// These compounds are matched with no boundary before them: they appear
	// after escapes such as "\n" and "\033[34m" in the kit's own strings.
	for _, suffix := range []string{"api", "admin", "system", "service", "keys", "image", "debug", "db", "load", "faults"} {
		rules = append(rules, rule{old: templateName + "-" + suffix, new: name + "-" + suffix, notAfter: alnumByteAfter})
	}

	r := replacer{keep: []string{gateVar, licenseHolder}}
	for _, ru := range rules {
		if ru.old != ru.new {
			r.rules = append(r.rules, ru)
		}
	}
	slices.SortStableFunc(r.rules, func(a, b rule) int { return len(b.old) - len(a.old) })

	for _, ru := range r.rules {
		rewritable := slices.ContainsFunc(r.rules, func(o rule) bool { return strings.Contains(ru.new, o.old) })
		if rewritable && !slices.Contains(r.keep, ru.new) {
			r.keep = append(r.keep, ru.new)
		}
	}
	slices.SortStableFunc(r.keep, func(a, b string) int { return len(b) - len(a) })

	for _, k := range r.keep {
		r.first[k[0]] = true
	}
	for _, ru := range r.rules {
		r.first[ru.old[0]] = true
	}
	return &r
}

// replace returns s rewritten and the number of tokens replaced.
func (r *replacer) replace(s string) (string, int) {
	var b strings.Builder
	n, done := 0, 0

next:
	for i := 0; i < len(s); {
		if !r.first[s[i]] {
			i++
			continue
		}
		for _, k := range r.keep {
			if strings.HasPrefix(s[i:], k) {
				i += len(k)
				continue next
			}
		}
		for _, ru := range r.rules {
			if !ru.matchAt(s, i) {
				continue
			}
			b.WriteString(s[done:i])
			b.WriteString(ru.new)
			i += len(ru.old)
			done = i
			n++
			continue next
		}
		i++
	}

	if n == 0 {
		return s, 0
	}
	b.WriteString(s[done:])
	return b.String(), n
}

// matchAt reports whether the rule's token starts at s[i].
func (ru rule) matchAt(s string, i int) bool {
	if !strings.HasPrefix(s[i:], ru.old) {
		return false
	}
	if ru.notBefore != nil && ru.notBefore(s, i) {
		return false
	}
	if ru.notAfter != nil && ru.notAfter(s, i+len(ru.old)) {
		return false
	}
	return true
}

// =============================================================================
// Boundaries: each reports whether the byte before s[i], or at s[i], would
// join a match to the text around it.

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isWord(c byte) bool { return isAlnum(c) || c == '_' }

// wordByteBefore rejects a word byte before i, unless it ends an escape
// such as \n, which starts a new word in the text the escape stands for.
func wordByteBefore(s string, i int) bool {
	if i == 0 || !isWord(s[i-1]) {
		return false
	}
	return i < 2 || s[i-2] != '\\'
}

func wordByteAfter(s string, i int) bool { return i < len(s) && isWord(s[i]) }

func alnumByteAfter(s string, i int) bool { return i < len(s) && isAlnum(s[i]) }

// nameByteAfter rejects what would continue a name: services/sales-x is
// another directory, github.com/garagesale/service-tools another
// repository. A slash continues into the module's packages and a dot may
// end a sentence.
func nameByteAfter(s string, i int) bool { return i < len(s) && (isWord(s[i]) || s[i] == '-') }

// pathByteBefore rejects what would make the module path part of a longer
// host name: api.github.com/garagesale/service is not the module.
func pathByteBefore(s string, i int) bool {
	return i > 0 && (isWord(s[i-1]) || s[i-1] == '.' || s[i-1] == '-')
}

// ownerByteBefore rejects what would make the project name part of a path
// or a longer name: in github.com/garagesale/other it names the owner of
// another repository, not this project.
func ownerByteBefore(s string, i int) bool {
	if wordByteBefore(s, i) {
		return true
	}
	return i > 0 && strings.IndexByte("/.-", s[i-1]) >= 0
}
