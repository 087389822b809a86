package saleapp

import (
	"net/http"

	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/app/sdk/idempotency"
	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/app/sdk/route"
	"github.com/garagesale/service/business/domain/salebus"
)

// Config holds what the sales routes need.
type Config struct {
	SaleBus *salebus.Business
	// Keys keeps the answers of purchases sent with an Idempotency-Key.
	Keys   *idempotency.Store
	Ingest IngestConfig
}

// Routes adds the sales routes. Any user may buy and list; what a USER
// sees is narrowed in the handlers to the sales they bought or sold.
func Routes(t *route.Table, cfg Config) {
	t = t.Group("sales", "Buying products: a sale takes stock from a product, safely retried with an Idempotency-Key.")
	ingest := cfg.Ingest.withDefaults()
	h := &handlers{saleBus: cfg.SaleBus, keys: cfg.Keys, ingestCfg: ingest, uploads: newUploads(ingest.MaxStreams)}

	t.Add(route.Def{Method: http.MethodPost, Path: "/v1/sales", Handler: h.create, Rule: auth.RuleAny, Idempotent: true,
		Summary: "Buy a product",
		Description: "Stock goes down in the same transaction as the sale is written; " +
			"409 when there is not enough. The caller is the buyer and cannot buy their own product. " +
			"paid must be at least the quantity times the product's price, or the seller's minPrice under it (400; " +
			"a quantity whose total would pass the largest amount, 1000000000, is refused), " +
			"and a buyer has SALES_SALE_PURCHASES_PER_HOUR purchases an hour (429).",
		Body: NewSale{}, Status: http.StatusCreated, Response: Sale{}, Errors: []int{http.StatusConflict, http.StatusTooManyRequests}})
	t.Add(route.Def{Method: http.MethodPost, Path: "/v1/sales/ingest", Handler: h.ingest, Rule: auth.RuleAny, Stream: true,
		Summary: "Upload sales recorded offline",
		Description: "The body is NDJSON: one sale of the caller's own products per line, recorded at the seller's table " +
			"without a network (a walk-in buyer has no buyerID). Lines are recorded as they arrive, a hundred at most " +
			"in one transaction, and each is answered by a line of the same number, while the upload goes on: created, " +
			"duplicate (its id was uploaded before: uploading a file again, or from any line on after a break, records " +
			"nothing twice) or rejected with the reason (oversold, not your product, a bad line). A bad line never stops " +
			"the others. The last line is the summary. A stream past its limits (SALES_INGEST_*) ends with a stopped line " +
			"naming the line to upload again from. One upload runs per user at a time (429).",
		Body: OfflineSale{}, Response: IngestResult{}, Errors: []int{http.StatusTooManyRequests}})
	t.Add(route.Def{Method: http.MethodGet, Path: "/v1/sales", Handler: h.query, Rule: auth.RuleAny,
		Summary: "List sales", Description: "A USER sees the sales they bought or sold; an ADMIN sees all.",
		Query: listSpec.Params(), Response: query.Result[Sale]{}})
	t.Add(route.Def{Method: http.MethodGet, Path: "/v1/sales/{saleID}", Handler: h.queryByID, Rule: auth.RuleAny,
		Summary: "Get a sale", Description: "Its buyer, its seller or an ADMIN may see it.",
		Response: Sale{}, Errors: []int{http.StatusForbidden, http.StatusNotFound}})
	t.Add(route.Def{Method: http.MethodDelete, Path: "/v1/sales/{saleID}", Handler: h.delete, Rule: auth.RuleAny,
		Summary: "Cancel a sale", Description: "The seller of the product or an ADMIN cancels a sale (403 for anyone else); " +
			"the stock goes back up, and the cancel is audited; 409 when the stock cannot take the quantity back.",
		Status: http.StatusNoContent, Errors: []int{http.StatusForbidden, http.StatusNotFound, http.StatusConflict}})
}
