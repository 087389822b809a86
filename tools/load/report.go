package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"text/tabwriter"
	"time"
)

// report prints one row a scenario: the median round of each side, the
// ratio of the API to the baseline, and what the API cost.
func report(w io.Writer, cfg config, results []result) {
	fmt.Fprintf(w, "\n%d products, %d extra users, %d connections, %d rounds of %s each side, alternating\n",
		cfg.rows, cfg.users, cfg.conns, cfg.rounds, cfg.duration)
	if cfg.dbLatency > 0 {
		fmt.Fprintf(w, "Postgres %s away each way from the API and the baseline (--db-latency)\n", cfg.dbLatency)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tAPI /s\tbase /s\tratio\twant\tAPI p50\tAPI p99\tbase p50\tbase p99\terrors API/base\tAPI RSS\tPG conns API/base\t")
	for _, r := range results {
		apiRate, bareRate := median(r.api.rates), median(r.bare.rates)
		// The ratio as printed, three places cut, not rounded: 0.8499
		// printed as 0.850 beside "want 0.85 LOW" reads as a contradiction,
		// and the mark is read off the figure printed.
		ratio := 0.0
		if bareRate > 0 {
			ratio = math.Floor(apiRate/bareRate*1000+1e-9) / 1000
		}
		want := "-"
		if r.scenario.want > 0 {
			mark := "ok"
			if ratio < r.scenario.want {
				mark = "LOW"
			}
			want = fmt.Sprintf("%.2f %s", r.scenario.want, mark)
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%.3f\t%s\t%s\t%s\t%s\t%s\t%d/%d\t%.0f MB\t%d/%d\t\n",
			r.scenario.name, apiRate, bareRate, ratio, want,
			latency(median(r.api.p50)), latency(median(r.api.p99)), latency(median(r.bare.p50)), latency(median(r.bare.p99)),
			r.api.errors, r.bare.errors, float64(r.apiRSS)/1024, r.apiBackends, r.bareBackends)
	}
	tw.Flush()
	fmt.Fprintln(w, "/s: requests a second; ingest's, lines a second")
	if fi, err := os.Stat(cfg.apiBin); err == nil {
		fmt.Fprintf(w, "\nsales-api binary: %.1f MB (%s)", float64(fi.Size())/(1<<20), cfg.apiBin)
		if size, err := strippedSize(); err == nil {
			fmt.Fprintf(w, "; stripped as the image builds it: %.1f MB", float64(size)/(1<<20))
		}
		fmt.Fprintln(w)
	}
}

// strippedSize builds sales-api as the image does (no symbol table, no
// DWARF) and returns its size. It needs the go command and the sources,
// so it works from the repository only.
func strippedSize() (int64, error) {
	dir, err := os.MkdirTemp("", "load-size")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "sales-api")
	if err := exec.Command("go", "build", "-tags", "grpcnotrace,validator_novalidatefn", "-trimpath", "-ldflags", "-s -w", "-o", out, "./api/services/sales").Run(); err != nil {
		return 0, err
	}
	fi, err := os.Stat(out)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// latency is d in ms, or "-" for a scenario that times no requests
// (ingest: lines a second).
func latency(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return ms(d)
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
}
