package email

import (
	"maps"
	"slices"
	"strings"
	"unicode"
)

// scripts is every script Go knows but Common and Inherited, which
// belong to any (digits, punctuation, combining marks).
var scripts = func() map[string]*unicode.RangeTable {
	s := maps.Clone(unicode.Scripts)
	delete(s, "Common")
	delete(s, "Inherited")
	return s
}()

// mixes is the scripts that may share one part of an address: the
// "highly restrictive" sets of Unicode's UTS #39, where Latin goes with
// the scripts written beside it in Chinese, Japanese and Korean.
var mixes = [][]string{
	{"Latin", "Han", "Hiragana", "Katakana"},
	{"Latin", "Han", "Bopomofo"},
	{"Latin", "Han", "Hangul"},
}

// mixedScripts returns the scripts of s when they are more than one
// writing system shares, as in "аdmin" with a Cyrillic а: a lookalike of
// a Latin word.
func mixedScripts(s string) []string {
	found := map[string]bool{}
	for _, r := range s {
		if r < unicode.MaxASCII {
			if unicode.IsLetter(r) {
				found["Latin"] = true
			}
			continue
		}
		for name, table := range scripts {
			if unicode.Is(table, r) {
				found[name] = true
				break
			}
		}
	}
	if len(found) < 2 {
		return nil
	}
	for _, mix := range mixes {
		if allIn(found, mix) {
			return nil
		}
	}
	return slices.Sorted(maps.Keys(found))
}

func allIn(found map[string]bool, mix []string) bool {
	for name := range found {
		if !slices.Contains(mix, name) {
			return false
		}
	}
	return true
}

// partsOf is the parts of an address checked one by one: the part
// before @, and each label of the domain.
func partsOf(local, domain string) []string {
	return append([]string{local}, strings.Split(domain, ".")...)
}
