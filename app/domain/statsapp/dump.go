package statsapp

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/garagesale/service/business/domain/statsbus"
	"github.com/garagesale/service/business/types/date"
)

// PublicSale is a sale in the public record of a day: one line of a dump.
// It says nothing of who bought it (offline tells only that the buyer may
// have had no account), nothing of the seller but their ID, and no product
// name, which is free text a seller wrote. The JSON fields come in this
// order on every line.
type PublicSale struct {
	ID        string      `json:"id"`
	TakenAt   string      `json:"takenAt"`
	ProductID string      `json:"productID"`
	SellerID  string      `json:"sellerID"`
	Quantity  int         `json:"quantity"`
	Paid      json.Number `json:"paid"`
	Offline   bool        `json:"offline"`
}

func toAppPublicSale(bus statsbus.PublicSale) PublicSale {
	return PublicSale{
		ID:        bus.ID.String(),
		TakenAt:   bus.TakenAt.UTC().Format(time.RFC3339),
		ProductID: bus.ProductID.String(),
		SellerID:  bus.SellerID.String(),
		Quantity:  bus.Quantity.Value(),
		Paid:      json.Number(bus.Paid.Decimal()),
		Offline:   bus.Offline,
	}
}

// DumpContentType is the media type of a dump object: the gzip file itself,
// not NDJSON with a gzip encoding, which some clients would unpack.
const DumpContentType = "application/gzip"

// DumpKey is the object key of day's dump: sales/2026-01-02.ndjson.gz.
func DumpKey(day date.Date) string {
	return "sales/" + day.String() + ".ndjson.gz"
}

// Progress is told how a dump goes: Start once, with how many sales the
// day has, before the first is written; Add after each sale written.
// Either may be nil.
type Progress struct {
	Start func(total int)
	Add   func()
}

// WriteDump writes the public record of the sales taken on day (UTC) to w
// as gzipped NDJSON, one PublicSale per line by taken_at then sale ID, and
// returns how many it wrote. The same sales give the same bytes: the
// fields' order is fixed and the gzip header has no name and no time. The
// sales stream from the database, so memory does not grow with the day.
func WriteDump(ctx context.Context, w io.Writer, bus *statsbus.Business, day date.Date, p Progress) (int, error) {
	if p.Start != nil {
		total, err := bus.CountDay(ctx, day)
		if err != nil {
			return 0, err
		}
		p.Start(total)
	}

	// NewWriter's header is already the zero one: no Name, no ModTime.
	gz := gzip.NewWriter(w)
	enc := json.NewEncoder(gz)
	enc.SetEscapeHTML(false)
	n := 0
	err := bus.EachSaleOfDay(ctx, day, func(s statsbus.PublicSale) error {
		if err := enc.Encode(toAppPublicSale(s)); err != nil {
			return fmt.Errorf("write sale %s: %w", s.ID, err)
		}
		n++
		if p.Add != nil {
			p.Add()
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	if err := gz.Close(); err != nil {
		return n, fmt.Errorf("finish gzip stream: %w", err)
	}
	return n, nil
}
