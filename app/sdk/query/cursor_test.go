package query

import (
	"net/url"
	"testing"

	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
)

// TestCursorsOfTheReleaseBefore: a cursor the release before made for a
// list sent with an empty parameter (it counted those in the list's key)
// is taken for that list sent the same way, by a pod of this release:
// one made before an upgrade, or by a pod not yet replaced, was a 400
// in the middle of a client's paging.
func TestCursorsOfTheReleaseBefore(t *testing.T) {
	by := order.NewBy("name", order.ASC)
	sent := url.Values{"name": {""}, "costMin": {""}, "orderBy": {"name,ASC"}}
	made := encodeCursor(page.Cursor{Key: "Lamp", ID: "3fa85f64-5717-4562-b3fc-2c963f66afa6"}, keyOf("/v1/products", sent, by, true))

	if _, err := decodeCursor(made, listKey("/v1/products", sent, by), olderListKey("/v1/products", sent, by)); err != nil {
		t.Errorf("the release before's cursor, the list sent the same way: %v", err)
	}
	other := url.Values{"name": {"mug"}, "orderBy": {"name,ASC"}}
	if _, err := decodeCursor(made, listKey("/v1/products", other, by), olderListKey("/v1/products", other, by)); err == nil {
		t.Error("the release before's cursor taken for another list")
	}
}
