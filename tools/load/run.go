package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// stack is what a run measures: a database of its own, the API and the
// baseline.
type stack struct {
	dbURL    string // the stack's database
	api      string // base URL
	debug    string // the API's debug server
	bare     string
	apiProc  *exec.Cmd
	bareProc *exec.Cmd
	kid      string
	adminBin string   // sales-admin
	env      []string // sales-admin's environment: the stack's database

	adminToken, userToken string
	adminID, userID       string
	stockProductID        string // owned by the user, stock for every buy
}

func run(ctx context.Context, cfg config) error {
	if len(cfg.flat) > 0 {
		return flat(ctx, cfg)
	}
	s, stop, err := startStack(ctx, cfg, sizes{users: cfg.users, products: cfg.rows})
	if err != nil {
		return err
	}
	defer stop()
	results, err := measure(ctx, s, cfg)
	if err != nil {
		return err
	}
	report(os.Stdout, cfg, results)
	return nil
}

// startStack starts Postgres seeded with rows products, the API and the
// baseline, and logs in. stop ends them all.
func startStack(ctx context.Context, cfg config, n sizes) (s *stack, stop func(), err error) {
	var cleanups []func()
	stop = func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	defer func() {
		if err != nil {
			stop()
		}
	}()

	dir, err := os.MkdirTemp("", "sales-load-")
	if err != nil {
		return nil, stop, err
	}
	cleanups = append(cleanups, func() { os.RemoveAll(dir) })

	// Postgres is pgrun's (make load runs this program under it): each
	// stack gets a database of its own in that cluster.
	server := pgServer()
	if server.maintenance == "" {
		return nil, stop, errors.New("no Postgres: run under pgrun (make load does), which sets SALES_TEST_DB_URL and SALES_DB_*")
	}
	dbName := fmt.Sprintf("load_%d_%d", n.products, n.history)
	fmt.Fprintf(os.Stderr, "creating database %s and seeding %d products, %d users, %d sales and audits...\n", dbName, n.products, n.users, n.history)
	if err := createDatabase(ctx, server.maintenance, dbName); err != nil {
		return nil, stop, err
	}
	cleanups = append(cleanups, func() { _ = dropDatabase(context.WithoutCancel(ctx), server.maintenance, dbName) })
	dbEnv := append(os.Environ(),
		"SALES_DB_HOST="+server.host,
		"SALES_DB_USER="+server.user,
		"SALES_DB_PASSWORD="+server.password,
		"SALES_DB_NAME="+dbName,
	)
	s = &stack{dbURL: withDatabase(server.maintenance, dbName), adminBin: cfg.adminBin, env: dbEnv}
	if err := seed(ctx, cfg.adminBin, dbEnv, s.dbURL, n); err != nil {
		return nil, stop, err
	}

	keys := filepath.Join(dir, "keys")
	if s.kid, err = newKey(keys); err != nil {
		return nil, stop, err
	}

	// The servers reach Postgres through the delay proxy when one is
	// asked for; sales-admin and the harness go straight to it.
	dbHost, dbURL := server.host, s.dbURL
	if cfg.dbLatency > 0 {
		l, err := newDelayProxy(server.host, cfg.dbLatency)
		if err != nil {
			return nil, stop, err
		}
		cleanups = append(cleanups, l.close)
		dbHost, dbURL = l.addr(), withHost(s.dbURL, l.addr())
	}

	apiAddr, bareAddr, debugAddr := freeAddr(), freeAddr(), freeAddr()
	s.api, s.bare, s.debug = "http://"+apiAddr, "http://"+bareAddr, "http://"+debugAddr
	s.apiProc = exec.CommandContext(ctx, cfg.apiBin)
	s.apiProc.Env = append(dbEnv,
		"SALES_DB_HOST="+dbHost,
		"SALES_WEB_API_HOST="+apiAddr,
		"SALES_WEB_DEBUG_HOST="+debugAddr,
		"SALES_AUTH_KEYS_FOLDER="+keys,
		"SALES_TEMPO_HOST=",
		// Every buy is the one admin's: no limit on purchases per buyer.
		"SALES_SALE_PURCHASES_PER_HOUR=0",
	)
	// The API logs every request, as it does in production; the lines go
	// nowhere here, but writing them is part of the cost measured.
	s.apiProc.Stdout, s.apiProc.Stderr = io.Discard, io.Discard
	if cfg.apiLog != "" {
		name := cfg.apiLog
		if len(cfg.flat) > 0 {
			name = fmt.Sprintf("%s.%d", cfg.apiLog, n.products)
		}
		f, err := os.Create(name)
		if err != nil {
			return nil, stop, err
		}
		cleanups = append(cleanups, func() { f.Close() })
		s.apiProc.Stdout, s.apiProc.Stderr = f, f
	}
	self, err := os.Executable()
	if err != nil {
		return nil, stop, err
	}
	s.bareProc = exec.CommandContext(ctx, self, "bare", "--addr", bareAddr,
		"--db", dbURL+"&application_name=bare", "--keys", keys, "--issuer", "garagesale")
	s.bareProc.Stderr = os.Stderr
	for _, p := range []*exec.Cmd{s.apiProc, s.bareProc} {
		if err := p.Start(); err != nil {
			return nil, stop, err
		}
		cleanups = append(cleanups, func() { _ = p.Process.Signal(os.Interrupt); _ = p.Wait() })
	}
	if err := waitUp(ctx, apiAddr, bareAddr); err != nil {
		return nil, stop, err
	}
	if err := s.prepare(ctx); err != nil {
		return nil, stop, err
	}
	return s, stop, nil
}

// sizes is how many rows a stack's tables get beyond the development seed.
type sizes struct {
	users, products int
	history         int // sales, and audits
}

// seed migrates the database and adds the development data with
// sales-admin, as an operator would, then users, products, sales and
// audits in bulk with generate_series: a million rows of each in a few
// minutes. The rows' times run back a second a row from now.
func seed(ctx context.Context, admin string, env []string, url string, n sizes) error {
	// The seed's users have public passwords: sales-admin wants --dev.
	for _, step := range [][]string{{"migrate"}, {"seed", "--dev"}} {
		cmd := exec.CommandContext(ctx, admin, step...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("sales-admin %s: %w\n%s", strings.Join(step, " "), err, out)
		}
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	// The seeded users' hash (of "gophers") serves the new ones too; one
	// in ten is disabled. The products are the seeded user's.
	stmts := []string{
		// Each fill commits once its WAL is written (pgrun's Postgres
		// commits asynchronously): VACUUM marks pages visible to all only
		// for commits already written, and without that mark an index-only
		// scan reads the table as well.
		`SET synchronous_commit = on`,
		fmt.Sprintf(`INSERT INTO users (user_id, name, email, roles, password_hash, department, enabled, date_created, date_updated)
			SELECT gen_random_uuid(), 'Load User ' || g, 'load' || g || '@example.com', '{USER}',
				(SELECT password_hash FROM users WHERE email = 'user@example.com'), NULL, g %% 10 <> 0,
				now() - g * interval '1 second', now()
			FROM generate_series(1, %d) g`, n.users),
		fmt.Sprintf(`INSERT INTO products (product_id, user_id, name, cost, quantity, stock_added, date_created, date_updated)
			SELECT gen_random_uuid(), '45b5fbd3-755f-4379-8f07-a58d4a30fa2f', 'Product ' || g || ' ' || substr(md5(g::text), 1, 6),
				(g %% 10000) + 1, (g %% 1000) + 1, (g %% 1000) + 1, now() - g * interval '1 second', now()
			FROM generate_series(1, %d) g`, n.products),
	}
	if n.history > 0 {
		// Sales of the products by the users, row by row, and an audit
		// row of each domain and action in turn.
		stmts = append(stmts,
			fmt.Sprintf(`INSERT INTO sales (sale_id, product_id, buyer_id, quantity, paid, date_created)
				SELECT gen_random_uuid(), p.product_id, u.user_id, (g %% 5) + 1, (g %% 5000) * 100, now() - g * interval '1 second'
				FROM generate_series(1, %d) g
				JOIN (SELECT product_id, row_number() OVER () AS n FROM products) p ON p.n = g %% (SELECT count(*) FROM products) + 1
				JOIN (SELECT user_id, row_number() OVER () AS n FROM users) u ON u.n = g %% (SELECT count(*) FROM users) + 1`, n.history),
			fmt.Sprintf(`INSERT INTO audits (audit_id, obj_id, obj_domain, obj_name, actor_id, action, data, message, timestamp)
				SELECT gen_random_uuid(), gen_random_uuid(), (ARRAY['product', 'sale', 'user'])[g %% 3 + 1],
					'Product ' || g, u.user_id, (ARRAY['created', 'updated', 'deleted'])[g / 3 %% 3 + 1], NULL,
					'load', now() - g * interval '1 second'
				FROM generate_series(1, %d) g
				JOIN (SELECT user_id, row_number() OVER () AS n FROM users) u ON u.n = g %% (SELECT count(*) FROM users) + 1`, n.history))
	}
	// A table just filled has everything still to vacuum: autovacuum would
	// run through the measurement, on the same two cores. VACUUM it now,
	// as a table that has lived a while would be, and write its pages
	// out now, or the checkpoint would write gigabytes during the
	// measurement.
	stmts = append(stmts, `VACUUM ANALYZE`, `CHECKPOINT`)
	for _, q := range stmts {
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	return nil
}

// prepare logs in and finds what the scenarios need.
func (s *stack) prepare(ctx context.Context) error {
	var err error
	if s.adminToken, err = s.login("admin@example.com"); err != nil {
		return err
	}
	if s.userToken, err = s.login("user@example.com"); err != nil {
		return err
	}
	s.adminID, s.userID = "5cf37266-3473-4006-984f-9325122678b7", "45b5fbd3-755f-4379-8f07-a58d4a30fa2f"

	// A product of the user's with all the stock the buys will take.
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.api+"/v1/products",
		strings.NewReader(`{"name":"Bottomless box","cost":1,"quantity":1000000}`))
	req.Header.Set("Authorization", "Bearer "+s.userToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var p struct{ ID string }
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil || p.ID == "" {
		return fmt.Errorf("create the stock product: status %d", resp.StatusCode)
	}
	s.stockProductID = p.ID
	return nil
}

func (s *stack) login(email string) (string, error) {
	req, _ := http.NewRequest(http.MethodGet, s.api+"/v1/users/token/"+s.kid, nil)
	req.SetBasicAuth(email, "gophers")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var t struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&t); err != nil || t.Token == "" {
		return "", fmt.Errorf("log in as %s: status %d", email, resp.StatusCode)
	}
	return t.Token, nil
}

func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitUp(ctx context.Context, addrs ...string) error {
	deadline := time.Now().Add(30 * time.Second)
	for _, a := range addrs {
		for {
			c, err := net.Dial("tcp", a)
			if err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) || ctx.Err() != nil {
				return fmt.Errorf("%s did not start listening", a)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return nil
}
