package validate

import (
	"strconv"
	"strings"
	"testing"
)

// TestGoMemLimitLeavesHeadroom: the API's container tells Go its memory
// bound (GOMEMLIMIT, which Go does not read from the container), at 75 to
// 90% of the container's limit: the rest is for what the kernel charges
// the container outside Go's heap (socket buffers, the binary's pages).
// A limit changed without it would leave the collector aiming past the
// kill, or far below it.
func TestGoMemLimitLeavesHeadroom(t *testing.T) {
	for name, objs := range map[string][]object{"dev": renderAll(t), "prod": render(t, "prod/sales")} {
		t.Run(name, func(t *testing.T) {
			cms := configMaps(objs)
			checked := 0
			for _, w := range workloads(objs) {
				for _, c := range w.Pod.Spec.Containers {
					if binaryOf(t, c) != "sales-api" {
						continue
					}
					checked++
					limit := c.Resources.Limits.Memory().Value()
					set, ok := containerEnv(t, c, cms)["GOMEMLIMIT"]
					if limit == 0 || !ok {
						t.Errorf("%s/%s: memory limit %d, GOMEMLIMIT %q: want both", w.Name, c.Name, limit, set)
						continue
					}
					bound, err := parseGoMemLimit(set)
					if err != nil {
						t.Errorf("%s/%s: GOMEMLIMIT %q: %v", w.Name, c.Name, set, err)
						continue
					}
					if share := float64(bound) / float64(limit); share < 0.75 || share > 0.9 {
						t.Errorf("%s/%s: GOMEMLIMIT %s is %.0f%% of the memory limit %s: want 75-90%%",
							w.Name, c.Name, set, 100*share, c.Resources.Limits.Memory())
					}
				}
			}
			if checked == 0 {
				t.Fatal("no sales-api container found")
			}
		})
	}
}

// parseGoMemLimit reads GOMEMLIMIT as Go's runtime does: a number of
// bytes with an optional unit, B or KiB to TiB.
func parseGoMemLimit(s string) (int64, error) {
	units := []struct {
		suffix string
		shift  uint
	}{{"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}, {"B", 0}}
	shift := uint(0)
	for _, u := range units {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			s, shift = n, u.shift
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, err
	}
	return n << shift, nil
}
