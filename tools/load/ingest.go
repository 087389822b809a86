package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// ingestRound is one round of the ingest scenario: on the API's side,
// sales-admin ingest of a file of cfg.ingestLines offline sales of the
// user's stock product, as its seller (each line answered); on the
// baseline's, a COPY of the same rows, sales and their audit rows, and the
// stock taken, in one transaction. Each round's sales have ids of their
// own, so every line is created. Its rate is lines a second.
func ingestRound(ctx context.Context, s *stack, cfg config, round int, api bool) (metrics, error) {
	n := cfg.ingestLines
	side := "bare"
	if api {
		side = "api"
	}
	prefix := fmt.Sprintf("load-%d-%s-", round, side)
	takenAt := time.Now().UTC().Add(-30 * time.Minute).Truncate(time.Second)
	var took time.Duration
	var err error
	if api {
		took, err = ingestAPI(ctx, s, prefix, takenAt, n)
	} else {
		took, err = ingestCopy(ctx, s, prefix, takenAt, n)
	}
	if err != nil {
		return metrics{}, fmt.Errorf("ingest, %s: %w", side, err)
	}
	return metrics{requests: uint64(n), rate: float64(n) / took.Seconds()}, nil
}

// ingestAPI writes the file, then times sales-admin ingest of it and
// checks that every line was created.
func ingestAPI(ctx context.Context, s *stack, prefix string, takenAt time.Time, n int) (time.Duration, error) {
	dir, err := os.MkdirTemp("", "load-ingest")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "sales.ndjson")
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, `{"id":"%s%d","productID":"%s","quantity":1,"paid":1,"takenAt":"%s"}`+"\n",
			prefix, i, s.stockProductID, takenAt.Format(time.RFC3339))
	}
	if err := os.WriteFile(file, b.Bytes(), 0o600); err != nil {
		return 0, err
	}

	cmd := exec.CommandContext(ctx, s.adminBin, "ingest", file, "--as", "user@example.com", "--quiet")
	cmd.Env = s.env
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("sales-admin ingest: %w\n%s", err, stderr.Bytes())
	}
	took := time.Since(start)

	created := 0
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var a struct{ Status, Reason string }
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			return 0, fmt.Errorf("an answer that is not JSON: %q", sc.Bytes())
		}
		switch a.Status {
		case "created":
			created++
		case "summary":
		default:
			return 0, fmt.Errorf("a line was %s: %s", a.Status, a.Reason)
		}
	}
	if created != n {
		return 0, fmt.Errorf("%d of %d lines created", created, n)
	}
	return took, nil
}

// ingestCopy times a COPY of the rows ingest writes: each sale and its
// audit row, then the stock taken and its audit row, in one transaction.
func ingestCopy(ctx context.Context, s *stack, prefix string, takenAt time.Time, n int) (time.Duration, error) {
	conn, err := pgx.Connect(ctx, s.dbURL)
	if err != nil {
		return 0, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	seller, err := uuid.Parse(s.userID)
	if err != nil {
		return 0, err
	}
	product, err := uuid.Parse(s.stockProductID)
	if err != nil {
		return 0, err
	}

	start := time.Now()
	now := time.Now().UTC()
	sales := make([][]any, n)
	audits := make([][]any, n)
	for i := range n {
		id, clientID := uuid.New(), fmt.Sprintf("%s%d", prefix, i)
		sales[i] = []any{raw(id), raw(product), nil, 1, int64(100), now, takenAt, clientID, raw(seller)}
		audits[i] = []any{raw(uuid.New()), raw(id), "sale", "Bottomless box", raw(seller), "created",
			map[string]any{"productID": product, "buyerID": nil, "quantity": 1, "paid": "1.00", "clientID": clientID, "takenAt": takenAt},
			"created sale", now}
	}
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"sales"},
			[]string{"sale_id", "product_id", "buyer_id", "quantity", "paid", "date_created", "taken_at", "client_id", "recorded_by"},
			pgx.CopyFromRows(sales)); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"audits"},
			[]string{"audit_id", "obj_id", "obj_domain", "obj_name", "actor_id", "action", "data", "message", "timestamp"},
			pgx.CopyFromRows(audits)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE products SET quantity = quantity - $2, date_updated = $3 WHERE product_id = $1`, raw(product), n, now)
		return err
	})
	if err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// raw is id as pgx encodes it directly. A uuid.UUID goes through the
// string its driver.Valuer returns, which pgx fails to encode in binary
// before it parses it back, a cost the API's pool does not pay (sqldb
// registers the same shortcut) and the bare side must not either.
func raw(id uuid.UUID) [16]byte { return id }
