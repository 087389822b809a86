package validate

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// listener is one HTTP server of a binary: where main.go listens and which
// function builds its routes.
type listener struct {
	// Addr is the http.Server's Addr expression in main.go.
	Addr string
	// Setting is the environment variable that sets Addr.
	Setting string
	// Handler is the call that builds the server's Handler in main.go:
	// the Handler's own call, or the call that made the value whose
	// field it is (api := build.NewAPI(...); Handler: api.Handler).
	Handler string
	// RoutesDir and RoutesFunc name the function whose registrations are
	// the routes a probe may use on this listener.
	RoutesDir, RoutesFunc string
}

// listeners are the servers of each binary that run in a pod. For the API
// port only the check routes count: they are the ones a probe may call.
var listeners = map[string]struct {
	Main      string
	Listeners []listener
}{
	"sales-api": {
		Main: "api/services/sales/main.go",
		Listeners: []listener{
			{Addr: "cfg.Web.APIHost", Setting: "SALES_WEB_API_HOST", Handler: "build.NewAPI", RoutesDir: "app/domain/checkapp", RoutesFunc: "Routes"},
			{Addr: "cfg.Web.DebugHost", Setting: "SALES_WEB_DEBUG_HOST", Handler: "debug.Mux", RoutesDir: "app/sdk/debug", RoutesFunc: "Mux"},
		},
	},
	"metrics": {
		Main: "api/services/metrics/main.go",
		Listeners: []listener{
			{Addr: "cfg.Web.MetricsHost", Setting: "METRICS_WEB_METRICS_HOST", Handler: "routes", RoutesDir: "api/services/metrics", RoutesFunc: "routes"},
			{Addr: "cfg.Web.DebugHost", Setting: "METRICS_WEB_DEBUG_HOST", Handler: "debug.StandardMux", RoutesDir: "app/sdk/debug", RoutesFunc: "StandardMux"},
		},
	},
}

// TestListenersAreWhereMainSaysSo keeps the listeners table honest: each
// main.go builds an http.Server with that Addr and that Handler.
func TestListenersAreWhereMainSaysSo(t *testing.T) {
	for name, bin := range listeners {
		t.Run(name, func(t *testing.T) {
			servers := httpServers(t, bin.Main)
			for _, l := range bin.Listeners {
				if got, ok := servers[l.Addr]; !ok || got != l.Handler {
					t.Errorf("%s: http.Server{Addr: %s} has Handler %q, want %q (servers: %v)", bin.Main, l.Addr, got, l.Handler, servers)
				}
			}
		})
	}

	// The API's handler gets the check routes through build.NewAPI.
	if !strings.Contains(string(readRepoFile(t, "api/services/sales/build/build.go")), "checkapp.Routes(") {
		t.Error("api/services/sales/build/build.go does not call checkapp.Routes: the API serves no /v1/liveness or /v1/readiness")
	}
}

// httpServers returns, for each http.Server literal in the file, its Addr
// expression and the function its Handler calls.
func httpServers(t *testing.T, path string) map[string]string {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), filepath.Join(repoRoot(t), path), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	// made maps a variable to the call that made it: api := build.NewAPI(...).
	made := make(map[string]string)
	ast.Inspect(file, func(n ast.Node) bool {
		if as, ok := n.(*ast.AssignStmt); ok && as.Tok == token.DEFINE && len(as.Lhs) == 1 && len(as.Rhs) == 1 {
			if id, ok := as.Lhs[0].(*ast.Ident); ok {
				if call, ok := as.Rhs[0].(*ast.CallExpr); ok {
					made[id.Name] = exprString(call.Fun)
				}
			}
		}
		return true
	})
	servers := make(map[string]string)
	ast.Inspect(file, func(n ast.Node) bool {
		lit, ok := n.(*ast.CompositeLit)
		if !ok || exprString(lit.Type) != "http.Server" {
			return true
		}
		var addr, handler string
		for _, elt := range lit.Elts {
			kv, ok := elt.(*ast.KeyValueExpr)
			if !ok {
				continue
			}
			switch exprString(kv.Key) {
			case "Addr":
				addr = exprString(kv.Value)
			case "Handler":
				v := kv.Value
				// A wrapper that serves what its last argument does.
				for {
					call, ok := v.(*ast.CallExpr)
					if !ok || !handlerWrappers[exprString(call.Fun)] || len(call.Args) == 0 {
						break
					}
					v = call.Args[len(call.Args)-1]
				}
				switch v := v.(type) {
				case *ast.CallExpr:
					handler = exprString(v.Fun)
				case *ast.SelectorExpr:
					if id, ok := v.X.(*ast.Ident); ok {
						handler = made[id.Name]
					}
				}
			}
		}
		servers[addr] = handler
		return true
	})
	return servers
}

// handlerWrappers are functions that take an http.Handler last and serve
// its routes, refusing some requests first.
var handlerWrappers = map[string]bool{"mid.HostsHandler": true}

// exprString renders identifiers and selectors: cfg.Web.DebugHost.
func exprString(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return exprString(e.X) + "." + e.Sel.Name
	}
	return ""
}

// routes returns the paths registered by the function fn of the package
// in dir (slash path from the repository root), following calls to other
// functions of the same package: Mux calls StandardMux. It understands
// http.ServeMux (mux.HandleFunc("GET /debug/liveness", ...)) and web.App
// (app.HandlerFunc(http.MethodGet, "/v1/liveness", ...)).
func routes(t *testing.T, dir, fn string) map[string]bool {
	t.Helper()
	funcs := make(map[string]*ast.FuncDecl)
	full := filepath.Join(repoRoot(t), filepath.FromSlash(dir))
	entries, err := os.ReadDir(full)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, filepath.Join(full, e.Name()), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			if f, ok := d.(*ast.FuncDecl); ok && f.Recv == nil {
				funcs[f.Name.Name] = f
			}
		}
	}

	paths := make(map[string]bool)
	seen := make(map[string]bool)
	var walk func(name string)
	walk = func(name string) {
		f, ok := funcs[name]
		if !ok || seen[name] {
			return
		}
		seen[name] = true
		ast.Inspect(f.Body, func(n ast.Node) bool {
			// route.Def{Method: ..., Path: "/v1/liveness", ...}: the
			// API's routes are declared with their documentation.
			if lit, ok := n.(*ast.CompositeLit); ok && isRouteType(lit.Type) {
				for _, elt := range lit.Elts {
					kv, ok := elt.(*ast.KeyValueExpr)
					if !ok {
						continue
					}
					if key, ok := kv.Key.(*ast.Ident); !ok || key.Name != "Path" {
						continue
					}
					if v, ok := kv.Value.(*ast.BasicLit); ok && v.Kind == token.STRING {
						path, err := strconv.Unquote(v.Value)
						if err != nil {
							t.Fatal(err)
						}
						paths[path] = true
					}
				}
				return true
			}
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			switch fun := call.Fun.(type) {
			case *ast.Ident:
				walk(fun.Name)
			case *ast.SelectorExpr:
				switch fun.Sel.Name {
				case "Handle", "HandleFunc", "HandlerFunc", "HandleRaw":
					for _, arg := range call.Args {
						lit, ok := arg.(*ast.BasicLit)
						if !ok || lit.Kind != token.STRING {
							continue
						}
						pattern, err := strconv.Unquote(lit.Value)
						if err != nil {
							t.Fatal(err)
						}
						// "GET /debug/liveness" or "/debug/vars".
						if _, path, ok := strings.Cut(pattern, " "); ok {
							pattern = path
						}
						if strings.HasPrefix(pattern, "/") {
							paths[pattern] = true
							break
						}
					}
				}
			}
			return true
		})
	}
	walk(fn)
	if len(paths) == 0 {
		t.Fatalf("%s.%s registers no routes that this test can read", dir, fn)
	}
	return paths
}

// isRouteType reports whether a composite literal's type is route.Def.
func isRouteType(e ast.Expr) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Def" {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && pkg.Name == "route"
}

// served reports whether a GET of path reaches one of the routes.
func served(routes map[string]bool, path string) bool {
	if routes[path] {
		return true
	}
	for r := range routes {
		// A pattern ending in / matches its whole subtree.
		if strings.HasSuffix(r, "/") && strings.HasPrefix(path, r) {
			return true
		}
	}
	return false
}
