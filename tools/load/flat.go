package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"text/tabwriter"
	"time"
)

// flat measures whether a list's cost stays flat: for each table size, the
// median latency of page 1 and of a page 90% of the way down, reached by
// cursor, each for cfg.duration over cfg.conns connections.
func flat(ctx context.Context, cfg config) error {
	type row struct {
		size        int
		first, deep time.Duration
		errs        uint64
	}
	var rows []row
	for _, size := range cfg.flat {
		s, stop, err := startStack(ctx, cfg, size)
		if err != nil {
			return err
		}
		deep, err := deepCursor(ctx, s, size)
		if err != nil {
			stop()
			return err
		}
		first := get("/v1/products?rows=10", s.userToken)
		deepT := get("/v1/products?rows=10&cursor="+url.QueryEscape(deep), s.userToken)
		attack(ctx, s.api, first, cfg.conns, time.Second) // warm up
		var r row
		r.size = size
		for round := range cfg.rounds {
			for _, isDeep := range []bool{round%2 == 1, round%2 == 0} {
				t := first
				if isDeep {
					t = deepT
				}
				m := attack(ctx, s.api, t, cfg.conns, cfg.duration)
				r.errs += m.Requests - uint64(float64(m.Requests)*m.Success+0.5)
				if isDeep {
					r.deep = max(r.deep, m.Latencies.P50)
				} else {
					r.first = max(r.first, m.Latencies.P50)
				}
			}
		}
		stop()
		fmt.Fprintf(os.Stderr, "%d products: page 1 p50 %s, deep p50 %s\n", size, ms(r.first), ms(r.deep))
		rows = append(rows, r)
	}

	fmt.Printf("\nGET /v1/products?rows=10, %d connections, worst of %d rounds of %s\n\n", cfg.conns, cfg.rounds, cfg.duration)
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "products\tpage 1 p50\t90% deep p50 (cursor)\tdeep / first\terrors\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%.2f\t%d\t\n", r.size, ms(r.first), ms(r.deep), float64(r.deep)/float64(r.first), r.errs)
	}
	tw.Flush()
	if len(rows) > 1 {
		a, b := rows[0], rows[len(rows)-1]
		fmt.Printf("\npage 1 at %d vs %d products: %.2fx; deep page: %.2fx\n", b.size, a.size,
			float64(b.first)/float64(a.first), float64(b.deep)/float64(a.deep))
	}
	return nil
}

// deepCursor is the cursor of the product list, in its default order,
// after the product 90% of the way down: the "next" of that one-row page,
// asked of the API once (a slow page number, then a fast cursor).
func deepCursor(ctx context.Context, s *stack, size int) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/v1/products?rows=1&page=%d", s.api, size*9/10), nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+s.userToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var page struct{ Next string }
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil || page.Next == "" {
		return "", fmt.Errorf("a page 90%% deep: status %d, no next", resp.StatusCode)
	}
	return page.Next, nil
}
