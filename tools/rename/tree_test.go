package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// templateTree is a small tree with one file of each kind the rename
// meets in the kit.
var templateTree = map[string]string{
	"go.mod": "module github.com/garagesale/service\n\ngo 1.26.0\n",
	"api/services/sales/main.go": `package main

import (
	"github.com/ardanlabs/conf/v3"
	"github.com/garagesale/service/business/domain/salebus"
)

var _ = conf.Parse("SALES", nil)
`,
	"api/tooling/sales-admin/main.go":        "// Command sales-admin reads SALES_DB_HOST.\npackage main\n",
	"zarf/grafana/dashboards/sales-api.json": `{"title": "sales-api", "expr": "sales_api_up"}` + "\n",
	"zarf/k8s/base/sales/sales.yaml":         "namespace: sales-system\nimage: sales-image\napp: sales\n",
	"zarf/dev/run.sh":                        "#!/bin/sh\nexec ./bin/sales-api\n",
	"business/domain/salebus/salebus.go":     "package salebus\n\n// Sales are stored in the sales table, served on /v1/sales.\n",
	"business/sdk/migrate/sql/00007.sql":     "-- whoever makes it (the API, sales-admin, psql)\n",
	"tools/rename/rules.go":                  "package main\n\nconst templateName = \"sales-api\"\n",

	// Never entered, or not text.
	"vendor/modules.txt":         "# github.com/garagesale/service-dep v1.0.0\n",
	".git/config":                "url = https://github.com/garagesale/service\n",
	"bin/sales-api":              "sales-api\x00",
	".data/connection.env":       "SALES_DB_HOST=localhost\n",
	"zarf/k8s/validate/vendor/x": "garagesale\n",
	"docs/logo.bin":              "\x00garagesale sales-api\n",
}

func TestRenameTree(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, templateTree)
	if err := os.Chmod(filepath.Join(root, "zarf/dev/run.sh"), 0o755); err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	got, err := rename(config{root: root, module: "github.com/acme/shop", name: "shop"}, &out)
	if err != nil {
		t.Fatalf("rename: %v\n%s", err, out.String())
	}
	if want := (summary{files: 6, tokens: 10, moves: 3}); got != want {
		t.Errorf("summary = %+v, want %+v; output:\n%s", got, want, out.String())
	}

	want := map[string]string{
		"go.mod": "module github.com/acme/shop\n\ngo 1.26.0\n",
		// The module now sorts first: gofmt moved its import up.
		"api/services/shop/main.go": `package main

import (
	"github.com/acme/shop/business/domain/salebus"
	"github.com/ardanlabs/conf/v3"
)

var _ = conf.Parse("SHOP", nil)
`,
		"api/tooling/shop-admin/main.go":        "// Command shop-admin reads SHOP_DB_HOST.\npackage main\n",
		"zarf/grafana/dashboards/shop-api.json": `{"title": "shop-api", "expr": "shop_api_up"}` + "\n",
		"zarf/k8s/base/sales/sales.yaml":        "namespace: shop-system\nimage: shop-image\napp: sales\n",
		"zarf/dev/run.sh":                       "#!/bin/sh\nexec ./bin/shop-api\n",
	}
	// Every other file is as it was.
	moved := map[string]bool{
		"api/services/sales/main.go":             true,
		"api/tooling/sales-admin/main.go":        true,
		"zarf/grafana/dashboards/sales-api.json": true,
	}
	for path, data := range templateTree {
		if _, ok := want[path]; !ok && !moved[path] {
			want[path] = data
		}
	}
	if diff := cmp.Diff(want, readTree(t, root)); diff != "" {
		t.Errorf("tree after rename (-want +got):\n%s", diff)
	}

	info, err := os.Stat(filepath.Join(root, "zarf/dev/run.sh"))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o755 {
		t.Errorf("run.sh mode = %v, want it still executable", info.Mode())
	}

	out.Reset()
	again, err := rename(config{root: root, module: "github.com/acme/shop", name: "shop"}, &out)
	if err != nil {
		t.Fatalf("second rename: %v", err)
	}
	if again != (summary{}) || !strings.HasPrefix(out.String(), "nothing to do") {
		t.Errorf("second rename = %+v, output %q; want nothing to do", again, out.String())
	}
	if diff := cmp.Diff(want, readTree(t, root)); diff != "" {
		t.Errorf("tree after the second rename (-want +got):\n%s", diff)
	}
}

func TestRenameRefuses(t *testing.T) {
	tests := []struct {
		name    string
		tree    map[string]string
		wantErr string
	}{
		{
			name:    "another module",
			tree:    map[string]string{"go.mod": "module github.com/someone/else\n", "api/services/sales/main.go": "package main\n"},
			wantErr: "not the template",
		},
		{
			name:    "no go.mod",
			tree:    map[string]string{"api/services/sales/main.go": "package main\n"},
			wantErr: "read module path",
		},
		{
			name: "a directory in the way",
			tree: map[string]string{
				"go.mod":                     "module github.com/garagesale/service\n",
				"api/services/sales/main.go": "package main // sales-api\n",
				"api/services/shop/main.go":  "package main\n",
			},
			wantErr: "api/services/shop exists",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeTree(t, root, tt.tree)

			var out bytes.Buffer
			_, err := rename(config{root: root, module: "github.com/acme/shop", name: "shop"}, &out)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("rename error = %v, want one containing %q", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.tree, readTree(t, root)); diff != "" {
				t.Errorf("a refused rename changed the tree (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewConfig(t *testing.T) {
	tests := []struct {
		module, name string
		wantErr      string
	}{
		{"github.com/acme/shop", "shop", ""},
		{"example.com/x/shop2", "shop2", ""},
		{"shop", "s", ""},
		{"", "shop", "required"},
		{"github.com/acme/shop", "", "required"},
		{"github.com/acme/shop", "Shop", "lowercase identifier"},
		{"github.com/acme/shop", "2shop", "lowercase identifier"},
		{"github.com/acme/shop", "my-shop", "lowercase identifier"},
		{"github.com/acme/shop", "my_shop", "lowercase identifier"},
		{"github.com/acme/shop", "metrics", "sidecar"},
		{"github.com/acme/my shop", "shop", "not a module path"},
		{"/github.com/acme/shop", "shop", "not a module path"},
		{"github.com/acme/shop/", "shop", "not a module path"},
		{"github.com//shop", "shop", "not a module path"},
		{"github.com/acme/../shop", "shop", ". or .. element"},
	}
	for _, tt := range tests {
		t.Run(tt.module+" "+tt.name, func(t *testing.T) {
			_, err := newConfig(".", tt.module, tt.name)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("newConfig: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("newConfig error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

// writeTree writes files, by slash path, under root.
func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for path, data := range files {
		full := filepath.Join(root, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readTree returns every file under root by slash path.
func readTree(t *testing.T, root string) map[string]string {
	t.Helper()
	files := make(map[string]string)
	err := filepath.WalkDir(root, func(full string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(full)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, full)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
