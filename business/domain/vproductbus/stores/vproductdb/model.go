package vproductdb

import (
	"fmt"

	"github.com/garagesale/service/business/domain/productbus/stores/productdb"
	"github.com/garagesale/service/business/domain/vproductbus"
	"github.com/garagesale/service/business/types/name"
)

// product is a products row and its owner's name.
type product struct {
	productdb.Row
	UserName string `db:"user_name"`
}

func toBusProduct(db product) (vproductbus.Product, error) {
	prd, err := productdb.Load(db.Row)
	if err != nil {
		return vproductbus.Product{}, err
	}
	un, err := name.Load(db.UserName)
	if err != nil {
		return vproductbus.Product{}, fmt.Errorf("load vproduct %s: user name: %w", db.ID, err)
	}
	return vproductbus.Product{Product: prd, UserName: un}, nil
}
