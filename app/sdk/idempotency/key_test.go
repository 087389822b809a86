package idempotency

import (
	"regexp"
	"strings"
	"testing"
)

// TestHeaderSchemaAdmitsEveryKey: the documented schema of the header
// (HeaderPattern, HeaderMaxLength) admits every value parseKey takes, up
// to the longest, so a client validating against the document never
// refuses a key the API would have taken.
func TestHeaderSchemaAdmitsEveryKey(t *testing.T) {
	pattern := regexp.MustCompile(HeaderPattern)
	admits := func(raw string) bool { return pattern.MatchString(raw) && len(raw) <= HeaderMaxLength }

	escaped := `"` + strings.Repeat(`\"`, 255) + `"`
	for _, raw := range []string{
		"a", "order-42", strings.Repeat("k", 255), strings.Repeat("k", 256),
		`"a b"`, `"\\"`, escaped, escaped[:len(escaped)-1] + `\\"`,
		"", "héllo", "tab\there", "nul\x00", `"`, `"""`, `"a\b"`,
		"\x7f", strings.Repeat("k", HeaderMaxLength+1),
	} {
		_, err := parseKey(raw)
		if err == nil && !admits(raw) {
			t.Errorf("the API takes %q, which the documented schema refuses", raw)
		}
	}
	if _, err := parseKey(escaped); err != nil {
		t.Fatalf("the longest quoted key, %d bytes, is refused: %v", len(escaped), err)
	}
	if len(escaped) != HeaderMaxLength {
		t.Errorf("the longest quoted key is %d bytes, HeaderMaxLength %d", len(escaped), HeaderMaxLength)
	}
}
