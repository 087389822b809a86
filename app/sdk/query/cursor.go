package query

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
)

var errBadCursor = errors.New(`is not a cursor of this list: use the "next" of a page of the same list, with the same filters and orderBy`)

// cursor is what a "next" carries: the last row's order key and ID, and
// which list it belongs to (the route, the order and the filters), so a
// cursor sent to another list is refused instead of paging it wrongly.
type cursor struct {
	Key  string `json:"k"`
	ID   string `json:"i"`
	List string `json:"l"`
}

// listKey names a list: its path, its order and its filters (every
// parameter but the paging ones, and those sent empty, which are not
// sent), in a stable form.
func listKey(path string, params url.Values, by order.By) string {
	return keyOf(path, params, by, false)
}

// olderListKey is the key a release before this one gave a list sent
// with empty parameters, which it counted: its cursors, made before an
// upgrade or by a pod not yet replaced, are still taken for the list
// sent the same way.
func olderListKey(path string, params url.Values, by order.By) string {
	return keyOf(path, params, by, true)
}

// keyOf is the key of the list, its empty parameters counted or not.
func keyOf(path string, params url.Values, by order.By, empties bool) string {
	var b strings.Builder
	b.WriteString(path + "\x00" + by.Field + " " + by.Direction)
	for _, k := range slices.Sorted(maps.Keys(params)) {
		v := strings.Join(params[k], "\x01")
		if slices.Contains(listParams, k) || v == "" && !empties {
			continue
		}
		b.WriteString("\x00" + url.QueryEscape(k) + "=" + url.QueryEscape(v))
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:8])
}

func encodeCursor(c page.Cursor, list string) string {
	data, _ := json.Marshal(cursor{Key: c.Key, ID: c.ID, List: list}) // strings only: cannot fail
	return base64.RawURLEncoding.EncodeToString(data)
}

func decodeCursor(raw string, lists ...string) (page.Cursor, error) {
	data, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil {
		return page.Cursor{}, errBadCursor
	}
	var c cursor
	if err := json.Unmarshal(data, &c); err != nil || !slices.Contains(lists, c.List) {
		return page.Cursor{}, errBadCursor
	}
	return page.Cursor{Key: c.Key, ID: c.ID}, nil
}
