package salebus

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/garagesale/service/business/domain/auditbus"
	"github.com/garagesale/service/business/domain/productbus"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/business/types/money"
	"github.com/garagesale/service/business/types/quantity"
	"github.com/garagesale/service/foundation/otel"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

// OfflineSale is a sale a seller recorded at their table without a
// network, uploaded later: one line of an ingest stream.
type OfflineSale struct {
	// ClientID is the id the seller's device gave the sale; a second
	// upload of the same ClientID by the same seller records nothing.
	ClientID  string
	ProductID uuid.UUID
	// BuyerID is the buyer's account, or uuid.Nil for a walk-in buyer.
	BuyerID  uuid.UUID
	Quantity quantity.Quantity
	Paid     money.Money
	TakenAt  time.Time
}

// What became of one offline sale.
const (
	Created   = "created"
	Duplicate = "duplicate" // recorded by an earlier upload (or line)
	Rejected  = "rejected"  // not recorded; Reason says why
)

// IngestResult is what became of one offline sale.
type IngestResult struct {
	Status string
	// SaleID is the sale recorded, now or before (created, duplicate).
	SaleID uuid.UUID
	Reason string
}

// ErrClientIDTaken is an uploaded sale whose ClientID its uploader used.
var ErrClientIDTaken = errors.New("the sale's client id is recorded already")

// clockSkew is how far in the future an offline sale may say it was
// taken: a device's clock may be a little ahead, never a day.
const clockSkew = time.Hour

// ingestAttempts bounds the runs of a batch that lost a race with a
// concurrent upload of the same lines.
const ingestAttempts = 3

// Ingest records the sales sellerID made offline of their own products,
// in order, in one transaction, and says for each what became of it:
// created, a duplicate of one recorded before (the same ClientID and
// values), or rejected with the reason (not the seller's product,
// oversold, an id recorded before with other values, ...). The batch locks
// its products first, in product ID order, so it cannot oversell and a
// concurrent upload of the same lines waits, then finds them recorded.
func (b *Business) Ingest(ctx context.Context, sellerID uuid.UUID, lines []OfflineSale) ([]IngestResult, error) {
	ctx, span := otel.AddSpan(ctx, "salebus.Ingest")
	defer span.End()

	var results []IngestResult
	var err error
	for range ingestAttempts {
		err = sqldb.Transact(ctx, b.db, func(tx *sqlx.Tx) error {
			results, err = b.ingest(ctx, tx, sellerID, lines)
			return err
		})
		// Lines sent twice at once by two uploads: the loser's run is
		// rolled back, and the next run finds them recorded.
		if !errors.Is(err, ErrClientIDTaken) {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("ingest %d sales of seller %s: %w", len(lines), sellerID, err)
	}
	return results, nil
}

func (b *Business) ingest(ctx context.Context, tx *sqlx.Tx, sellerID uuid.UUID, lines []OfflineSale) ([]IngestResult, error) {
	var productIDs, buyerIDs []uuid.UUID
	clientIDs := make([]string, 0, len(lines))
	for _, l := range lines {
		productIDs = append(productIDs, l.ProductID)
		if l.BuyerID != uuid.Nil {
			buyerIDs = append(buyerIDs, l.BuyerID)
		}
		clientIDs = append(clientIDs, l.ClientID)
	}
	slices.SortFunc(productIDs, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	productIDs = slices.Compact(productIDs)

	products, err := b.stock.LockForSale(ctx, tx, sellerID, productIDs)
	if err != nil {
		return nil, err
	}
	// Read after the locks: an upload of the same lines that held them
	// has committed by now, and its sales are seen.
	recorded, err := b.storer.QueryByClientIDs(ctx, tx, sellerID, clientIDs)
	if err != nil {
		return nil, err
	}
	cancelled, err := b.storer.QueryCancelled(ctx, tx, sellerID, clientIDs)
	if err != nil {
		return nil, err
	}
	buyers := map[uuid.UUID]bool{}
	if len(buyerIDs) > 0 {
		if buyers, err = b.buyers.Exist(ctx, buyerIDs); err != nil {
			return nil, err
		}
	}

	now := b.now()
	taken := map[uuid.UUID]int{}
	results := make([]IngestResult, len(lines))
	var sales []Sale
	var audits []auditbus.NewAudit
	for i, l := range lines {
		if prev, ok := recorded[l.ClientID]; ok {
			results[i] = IngestResult{Status: Duplicate, SaleID: prev.ID}
			if !sameSale(prev, l) {
				results[i] = IngestResult{Status: Rejected, Reason: fmt.Sprintf(
					"id %q was uploaded before with other values (sale %s): give each sale an id of its own", l.ClientID, prev.ID)}
			}
			continue
		}
		if saleID, ok := cancelled[l.ClientID]; ok {
			results[i] = IngestResult{Status: Rejected, Reason: fmt.Sprintf(
				"cancelled: the sale of id %q (sale %s) was cancelled after it was recorded, and is not recorded again", l.ClientID, saleID)}
			continue
		}
		p, ok := products[l.ProductID]
		left := p.Quantity.Value() - taken[l.ProductID]
		if reason := b.refusal(sellerID, l, p, ok, buyers, left, now); reason != "" {
			results[i] = IngestResult{Status: Rejected, Reason: reason}
			continue
		}

		sale := Sale{
			ID:          uuid.New(),
			ProductID:   l.ProductID,
			BuyerID:     l.BuyerID,
			Quantity:    l.Quantity,
			Paid:        l.Paid,
			DateCreated: now,
			TakenAt:     l.TakenAt.UTC().Truncate(time.Microsecond),
			ClientID:    l.ClientID,
			RecordedBy:  sellerID,
		}
		taken[l.ProductID] += l.Quantity.Value()
		recorded[l.ClientID] = sale
		sales = append(sales, sale)
		audits = append(audits, newAudit(sellerID, sale, p, auditbus.ActionCreated))
		results[i] = IngestResult{Status: Created, SaleID: sale.ID}
	}

	for _, id := range productIDs {
		n := taken[id]
		if n == 0 {
			continue
		}
		q, err := quantity.ParsePositive(n)
		if err != nil {
			return nil, fmt.Errorf("stock taken from product %s: %w", id, err)
		}
		_, stockAudit, err := b.stock.TakeStock(ctx, tx, sellerID, id, q)
		if err != nil {
			return nil, err
		}
		audits = append(audits, stockAudit)
	}
	if len(sales) > 0 {
		if err := b.storer.CreateMany(ctx, tx, sales); err != nil {
			return nil, err
		}
		if err := b.audit.Create(ctx, tx, audits...); err != nil {
			return nil, err
		}
	}
	return results, nil
}

// days is d in whole days, for a message.
func days(d time.Duration) int { return int(d / (24 * time.Hour)) }

// sameSale reports whether l is the sale recorded as s: an upload sent
// again, not another sale that reuses its id.
func sameSale(s Sale, l OfflineSale) bool {
	return s.ProductID == l.ProductID && s.BuyerID == l.BuyerID && s.Quantity == l.Quantity &&
		s.Paid == l.Paid && s.TakenAt.Equal(l.TakenAt.UTC().Truncate(time.Microsecond))
}

// refusal is why line l cannot be recorded, or "" when it can, given its
// product p (if found), the buyers that exist and the stock left in p.
func (b *Business) refusal(sellerID uuid.UUID, l OfflineSale, p productbus.Product, found bool, buyers map[uuid.UUID]bool, left int, now time.Time) string {
	switch {
	case !found:
		return "no such product"
	case p.UserID != sellerID:
		return "not your product: only a product's owner records its offline sales"
	case l.Quantity.Value() < 1:
		return "quantity must be at least 1"
	case l.BuyerID == sellerID:
		return "the buyer is the seller: a user cannot buy their own product"
	case l.BuyerID != uuid.Nil && !buyers[l.BuyerID]:
		return "no such buyer: leave buyerID out for a walk-in buyer"
	case l.TakenAt.After(now.Add(clockSkew)):
		return fmt.Sprintf("takenAt %s is in the future", l.TakenAt.UTC().Format(time.RFC3339Nano))
	case l.TakenAt.Before(now.Add(-b.limits.IngestWindow)):
		// Days long past are published in the dumps and the stats.
		w := days(b.limits.IngestWindow)
		return fmt.Sprintf("takenAt %s is more than %d days back: upload sales within %d days", l.TakenAt.UTC().Format(time.RFC3339Nano), w, w)
	case l.TakenAt.Before(p.DateCreated.Add(-clockSkew)):
		return fmt.Sprintf("takenAt %s is before the product was put up (%s)", l.TakenAt.UTC().Format(time.RFC3339Nano), p.DateCreated.UTC().Format(time.RFC3339Nano))
	case l.Quantity.Value() > left:
		return fmt.Sprintf("oversold: %d wanted, %d left", l.Quantity.Value(), left)
	}
	return ""
}
