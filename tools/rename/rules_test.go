package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// replaceTests are lines of the kit and what they become in
// github.com/acme/shop, service shop.
var replaceTests = []struct {
	name string
	in   string
	want string
}{
	// The module path.
	{"go.mod", "module github.com/garagesale/service\n", "module github.com/acme/shop\n"},
	{"the nested module", "module github.com/garagesale/service/tools", "module github.com/acme/shop/tools"},
	{"an import keeps the domain's package", `"github.com/garagesale/service/business/domain/salebus"`, `"github.com/acme/shop/business/domain/salebus"`},
	{"an import of the service's own package", `"github.com/garagesale/service/api/services/sales/build"`, `"github.com/acme/shop/api/services/shop/build"`},
	{"a tracer name", `otel.Tracer("github.com/garagesale/service")`, `otel.Tracer("github.com/acme/shop")`},
	{"an image label", `source="https://github.com/garagesale/service"`, `source="https://github.com/acme/shop"`},
	{"a title", "# garagesale/service\n", "# github.com/acme/shop\n"},
	{"the end of a sentence", "see github.com/garagesale/service.", "see github.com/acme/shop."},

	// Binaries and directories.
	{"a build", "go build -o $(BIN)/sales-api ./api/services/sales", "go build -o $(BIN)/shop-api ./api/services/shop"},
	{"the admin tool", "./api/tooling/sales-admin ./api/tooling/pgrun", "./api/tooling/shop-admin ./api/tooling/pgrun"},
	{"the layout in the README", "services/sales (sales-api), tooling/sales-admin", "services/shop (shop-api), tooling/shop-admin"},
	{"an entrypoint", `["/app/sales-admin", "migrate"]`, `["/app/shop-admin", "migrate"]`},
	{"after an escape", `"\nsales-api binary"`, `"\nshop-api binary"`},
	{"after a colour", `\033[34msales-api\033[0m`, `\033[34mshop-api\033[0m`},
	{"a service name for tests", `"sales-api-test"`, `"shop-api-test"`},
	{"the dashboard file", "dashboards/sales-api.json", "dashboards/shop-api.json"},
	{"temporary folders in a path", "rm -rf /tmp/garagesale-pg-* or $TMPDIR/garagesale-pg-<hash>", "rm -rf /tmp/shop-pg-* or $TMPDIR/shop-pg-<hash>"},
	{"temporary files", `"sales-load-" "sales-faults-" "garagesale-pg-" "garagesale-owner.pid"`, `"shop-load-" "shop-faults-" "shop-pg-" "shop-owner.pid"`},

	// Settings.
	{"a variable", "SALES_DB_HOST: database:5432", "SHOP_DB_HOST: database:5432"},
	{"a make variable", "-t $(SALES_IMAGE)", "-t $(SHOP_IMAGE)"},
	{"conf's prefix", `conf.Parse("SALES", &cfg)`, `conf.Parse("SHOP", &cfg)`},
	{"the test database", "ifdef SALES_TEST_DB_URL", "ifdef SHOP_TEST_DB_URL"},
	{"the fault suite's gate", "SALES_TEST_FAULTS=1 go test", "SHOP_TEST_FAULTS=1 go test"},
	{"a pattern in a comment", "SALES_<GROUP>_<NAME>", "SHOP_<GROUP>_<NAME>"},
	{"in a Go string after a newline", `"a\nSALES_DB_HOST=evil:1"`, `"a\nSHOP_DB_HOST=evil:1"`},
	{"the issuer", `Issuer string ` + "`" + `conf:"default:garagesale"` + "`", `Issuer string ` + "`" + `conf:"default:shop"` + "`"},

	// Deployment.
	{"the namespace", "namespace: sales-system", "namespace: shop-system"},
	{"an image", "image: garagesale/sales-api:dev", "image: shop/shop-api:dev"},
	{"the sidecar's image", "newName: garagesale/metrics", "newName: shop/metrics"},
	{"the kind cluster", "KIND_CLUSTER := garagesale", "KIND_CLUSTER := shop"},
	{"the compose project", "name: garagesale\n", "name: shop\n"},
	{"Services", "sales-service:4000 sales-debug:3010", "shop-service:4000 shop-debug:3010"},
	{"Secrets", "sales-keys sales-db sales-db-ca", "shop-keys shop-db shop-db-ca"},
	{"the image placeholder", "image: sales-image", "image: shop-image"},
	{"metric names", "rate(sales_api_requests_total[5m])", "rate(shop_api_requests_total[5m])"},
	{"a metric pattern", "`\\bsales_api_[a-z0-9_]+`", "`\\bshop_api_[a-z0-9_]+`"},
	{"the service's header", `const CachesBehindHeader = "Sales-Caches-Behind"`, `const CachesBehindHeader = "Shop-Caches-Behind"`},

	// The example application and other words stay.
	{"the sale domain", "salebus.NewBusiness(saledb.NewStore(log, db))", "salebus.NewBusiness(saledb.NewStore(log, db))"},
	{"the app layer", "saleapp.Routes", "saleapp.Routes"},
	{"routes", `"GET /v1/sales/{sale_id}"`, `"GET /v1/sales/{sale_id}"`},
	{"the table", "SELECT * FROM sales WHERE sale_id = $1", "SELECT * FROM sales WHERE sale_id = $1"},
	{"a quoted table", `table: "sales"`, `table: "sales"`},
	{"English", "sales of products to buyers", "sales of products to buyers"},
	{"the API's title", "the Sales API", "the Sales API"},
	{"alert names", "alert: SalesAPIDown", "alert: SalesAPIDown"},
	{"the Deployment", "deployment/sales -c sales-api", "deployment/sales -c shop-api"},
	{"the manifests' directory", "zarf/k8s/dev/sales zarf/docker/dockerfile.sales", "zarf/k8s/dev/sales zarf/docker/dockerfile.sales"},
	{"a seed file", "seed_sales_test.go", "seed_sales_test.go"},
	{"another repository", "github.com/garagesale/service-tools", "github.com/garagesale/service-tools"},
	{"a longer host", "api.github.com/garagesale/service", "api.github.com/garagesale/service"},
	{"a longer word", "garagesales garagesale_x", "garagesales garagesale_x"},
	{"a variable that merely ends in SALES_", "TOTAL_SALES_COUNT XSALES_", "TOTAL_SALES_COUNT XSALES_"},
	{"another compound", "sales-tax sales-apis", "sales-tax sales-apis"},
	{"this program's gate", "SALES_TEST_RENAME=1 go test", "SALES_TEST_RENAME=1 go test"},
	{"the license's notice, which copies keep", "Copyright (c) 2026 The garagesale/service authors", "Copyright (c) 2026 The garagesale/service authors"},
}

func TestReplace(t *testing.T) {
	r := newReplacer("github.com/acme/shop", "shop")
	for _, tt := range replaceTests {
		t.Run(tt.name, func(t *testing.T) {
			got, n := r.replace(tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("replace(%q) (-want +got):\n%s", tt.in, diff)
			}
			if (n > 0) != (tt.in != tt.want) {
				t.Errorf("replace(%q) counts %d tokens", tt.in, n)
			}
		})
	}
}

// TestReplaceTwice checks that the output of a rename has nothing left to
// rename, for names that contain the template's own.
func TestReplaceTwice(t *testing.T) {
	var text strings.Builder
	for _, tt := range replaceTests {
		text.WriteString(tt.in + "\n")
	}

	tests := []struct {
		module, name string
	}{
		{"github.com/acme/shop", "shop"},
		{"github.com/garagesale/shop", "shop"},
		{"github.com/garagesale/service/v2", "shop"},
		{"example.com/wholesales", "wholesales"},
		{"github.com/acme/garagesale", "garagesale"},
		{"github.com/acme/sales-api", "sales"},
		{"github.com/garagesale/service", "sales"},
		{"shop", "s"},
	}
	for _, tt := range tests {
		t.Run(tt.module+" "+tt.name, func(t *testing.T) {
			r := newReplacer(tt.module, tt.name)
			once, _ := r.replace(text.String())
			twice, n := r.replace(once)
			if diff := cmp.Diff(once, twice); diff != "" || n != 0 {
				t.Errorf("a second run replaced %d tokens (-once +twice):\n%s", n, diff)
			}
		})
	}
}
