package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/crypto/bcrypt"
)

// The bare baseline: what any Go service answering these routes has to
// do and nothing more. net/http, an RS256 check of the token (no user
// lookup), the same SQL the API runs through a pgxpool with its default
// size, encoding/json, no logging, metrics or tracing. The API's figures
// are read as ratios to it, measured on the same machine in the same run.

// bare serves the baseline on addr until SIGTERM.
func bare(addr, dbURL, keysDir, issuer string) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	kid, priv, err := readKey(keysDir)
	if err != nil {
		return err
	}
	pub := &priv.PublicKey
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(issuer), jwt.WithExpirationRequired())
	keyFn := func(*jwt.Token) (any, error) { return pub, nil }

	b := &baseline{pool: pool, parser: parser, keyFn: keyFn, priv: priv, kid: kid, issuer: issuer}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/users", b.authed(b.listUsers))
	mux.HandleFunc("GET /v1/users/{id}", b.authed(b.getUser))
	mux.HandleFunc("GET /v1/products", b.authed(b.listProducts))
	mux.HandleFunc("POST /v1/products", b.authed(b.createProduct))
	mux.HandleFunc("POST /v1/sales", b.authed(b.buy))
	mux.HandleFunc("GET /v1/users/token/{kid}", b.token)

	srv := &http.Server{Addr: addr, Handler: mux}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

type baseline struct {
	pool   *pgxpool.Pool
	parser *jwt.Parser
	keyFn  jwt.Keyfunc
	priv   any
	kid    string
	issuer string
}

type claims struct {
	jwt.RegisteredClaims
	Roles []string `json:"roles"`
}

func (b *baseline) authed(h func(w http.ResponseWriter, r *http.Request, sub string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		var c claims
		if !ok {
			http.Error(w, "unauthenticated", http.StatusUnauthorized)
			return
		}
		if _, err := b.parser.ParseWithClaims(tok, &c, b.keyFn); err != nil {
			http.Error(w, "unauthenticated", http.StatusUnauthorized)
			return
		}
		h(w, r, c.Subject)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type user struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Email       string   `json:"email"`
	Roles       []string `json:"roles"`
	Department  string   `json:"department"`
	Enabled     bool     `json:"enabled"`
	DateCreated string   `json:"dateCreated"`
	DateUpdated string   `json:"dateUpdated"`
}

func scanUser(row pgx.Row) (user, error) {
	var u user
	var dept *string
	var created, updated time.Time
	err := row.Scan(&u.ID, &u.Name, &u.Email, &u.Roles, &dept, &u.Enabled, &created, &updated)
	if dept != nil {
		u.Department = *dept
	}
	u.DateCreated, u.DateUpdated = created.UTC().Format(time.RFC3339), updated.UTC().Format(time.RFC3339)
	return u, err
}

// countCap is where a list's total stops, as the API's does (past it
// only "more" is known): a count of every match would make the baseline,
// not the API, the slow side on a large or loosely filtered table.
const countCap = 1000

type listPage[T any] struct {
	Items       []T `json:"items"`
	Total       int `json:"total"`
	Page        int `json:"page"`
	RowsPerPage int `json:"rowsPerPage"`
}

func paging(r *http.Request) (pg, rows int) {
	pg, rows = 1, 10
	if n, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && n > 0 {
		pg = n
	}
	if n, err := strconv.Atoi(r.URL.Query().Get("rows")); err == nil && n > 0 && n <= 100 {
		rows = n
	}
	return pg, rows
}

// userColumns selects user_id as text: a list orders by users.user_id,
// since ORDER BY user_id would name this output column and sort the text.
const userColumns = `user_id::text, name, email, roles, department, enabled, date_created, date_updated`

func (b *baseline) listUsers(w http.ResponseWriter, r *http.Request, _ string) {
	pg, rows := paging(r)
	ctx := r.Context()
	res, err := b.pool.Query(ctx, `SELECT `+userColumns+` FROM users ORDER BY users.user_id LIMIT $1 OFFSET $2`, rows, (pg-1)*rows)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	out := listPage[user]{Items: []user{}, Page: pg, RowsPerPage: rows}
	for res.Next() {
		u, err := scanUser(res)
		if err != nil {
			res.Close()
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		out.Items = append(out.Items, u)
	}
	res.Close()
	if err := b.pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM users LIMIT $1) c`, countCap+1).Scan(&out.Total); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (b *baseline) getUser(w http.ResponseWriter, r *http.Request, _ string) {
	u, err := scanUser(b.pool.QueryRow(r.Context(), `SELECT `+userColumns+` FROM users WHERE user_id = $1`, r.PathValue("id")))
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

type product struct {
	ID          string  `json:"id"`
	UserID      string  `json:"userID"`
	Name        string  `json:"name"`
	Cost        float64 `json:"cost"`
	Quantity    int     `json:"quantity"`
	DateCreated string  `json:"dateCreated"`
	DateUpdated string  `json:"dateUpdated"`
}

func (b *baseline) listProducts(w http.ResponseWriter, r *http.Request, _ string) {
	pg, rows := paging(r)
	ctx := r.Context()
	name := "%" + r.URL.Query().Get("name") + "%"
	res, err := b.pool.Query(ctx, `SELECT product_id::text, user_id::text, name, cost, quantity, date_created, date_updated
		FROM products WHERE name ILIKE $1 ORDER BY products.product_id LIMIT $2 OFFSET $3`, name, rows, (pg-1)*rows)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	out := listPage[product]{Items: []product{}, Page: pg, RowsPerPage: rows}
	for res.Next() {
		var p product
		var cents int64
		var created, updated time.Time
		if err := res.Scan(&p.ID, &p.UserID, &p.Name, &cents, &p.Quantity, &created, &updated); err != nil {
			res.Close()
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		p.Cost = float64(cents) / 100
		p.DateCreated, p.DateUpdated = created.UTC().Format(time.RFC3339), updated.UTC().Format(time.RFC3339)
		out.Items = append(out.Items, p)
	}
	res.Close()
	if err := b.pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM products WHERE name ILIKE $1 LIMIT $2) c`, name, countCap+1).Scan(&out.Total); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// createProduct inserts the product and its audit row in one transaction,
// as the API does.
func (b *baseline) createProduct(w http.ResponseWriter, r *http.Request, sub string) {
	var in struct {
		Name     string  `json:"name"`
		Cost     float64 `json:"cost"`
		Quantity int     `json:"quantity"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	now := time.Now().UTC()
	p := product{ID: uuid.NewString(), UserID: sub, Name: in.Name, Cost: in.Cost, Quantity: in.Quantity,
		DateCreated: now.Format(time.RFC3339), DateUpdated: now.Format(time.RFC3339)}
	err := pgx.BeginFunc(r.Context(), b.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(r.Context(), `INSERT INTO products (product_id, user_id, name, cost, quantity, stock_added, date_created, date_updated)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, p.ID, sub, p.Name, int64(in.Cost*100), p.Quantity, int64(p.Quantity), now); err != nil {
			return err
		}
		_, err := tx.Exec(r.Context(), `INSERT INTO audits (audit_id, obj_id, obj_domain, obj_name, actor_id, action, data, message, timestamp)
			VALUES ($1, $2, 'product', $3, $4, 'created', $5, 'created product', $6)`,
			uuid.NewString(), p.ID, p.Name, sub, map[string]any{"name": p.Name, "quantity": p.Quantity}, now)
		return err
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusCreated, p)
}

// buy takes the stock with one guarded statement, then writes the sale and
// the audit rows of both, in one transaction, as the API does. With an
// Idempotency-Key it also records the answer in that transaction, the
// least a correct service can do: a key already recorded (the insert
// conflicts) rolls the purchase back and replays the recorded answer.
func (b *baseline) buy(w http.ResponseWriter, r *http.Request, sub string) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var in struct {
		ProductID string  `json:"productID"`
		Quantity  int     `json:"quantity"`
		Paid      float64 `json:"paid"`
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	key := r.Header.Get("Idempotency-Key")
	now := time.Now().UTC()
	saleID := uuid.NewString()
	answer, err := json.Marshal(map[string]any{"id": saleID, "productID": in.ProductID, "buyerID": sub,
		"quantity": in.Quantity, "paid": in.Paid, "dateCreated": now.Format(time.RFC3339)})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	errRecorded := errors.New("key recorded")
	err = pgx.BeginFunc(r.Context(), b.pool, func(tx pgx.Tx) error {
		var name string
		if err := tx.QueryRow(r.Context(), `UPDATE products SET quantity = quantity - $2, date_updated = $3
			WHERE product_id = $1 AND quantity >= $2 RETURNING name`, in.ProductID, in.Quantity, now).Scan(&name); err != nil {
			return err
		}
		if _, err := tx.Exec(r.Context(), `INSERT INTO audits (audit_id, obj_id, obj_domain, obj_name, actor_id, action, data, message, timestamp)
			VALUES ($1, $2, 'product', $3, $4, 'updated', $5, 'updated product', $6)`,
			uuid.NewString(), in.ProductID, name, sub, map[string]any{"quantity": in.Quantity}, now); err != nil {
			return err
		}
		if _, err := tx.Exec(r.Context(), `INSERT INTO sales (sale_id, product_id, buyer_id, quantity, paid, date_created)
			VALUES ($1, $2, $3, $4, $5, $6)`, saleID, in.ProductID, sub, in.Quantity, int64(in.Paid*100), now); err != nil {
			return err
		}
		if _, err := tx.Exec(r.Context(), `INSERT INTO audits (audit_id, obj_id, obj_domain, obj_name, actor_id, action, data, message, timestamp)
			VALUES ($1, $2, 'sale', $3, $4, 'created', $5, 'created sale', $6)`,
			uuid.NewString(), saleID, name, sub, map[string]any{"productID": in.ProductID, "quantity": in.Quantity}, now); err != nil {
			return err
		}
		if key == "" {
			return nil
		}
		fingerprint := sha256.Sum256(append([]byte("POST /v1/sales\n"), raw...))
		tag, err := tx.Exec(r.Context(), `INSERT INTO idempotency_keys (user_id, key, fingerprint, status, content_type, body, date_created, expires_at)
			VALUES ($1, $2, $3, 201, 'application/json', $4, $5, $6) ON CONFLICT DO NOTHING`,
			sub, key, fingerprint[:], answer, now, now.Add(24*time.Hour))
		if err == nil && tag.RowsAffected() == 0 {
			err = errRecorded
		}
		return err
	})
	// A key already recorded is answered from its record, also when the
	// purchase itself failed (the stock the first one took may be gone).
	if err != nil && key != "" && !errors.Is(err, errRecorded) {
		var n int
		if b.pool.QueryRow(r.Context(), `SELECT count(*) FROM idempotency_keys WHERE user_id = $1 AND key = $2`, sub, key).Scan(&n) == nil && n > 0 {
			err = errRecorded
		}
	}
	switch {
	case errors.Is(err, errRecorded):
		var status int
		if err := b.pool.QueryRow(r.Context(), `SELECT status, body FROM idempotency_keys WHERE user_id = $1 AND key = $2`, sub, key).
			Scan(&status, &answer); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write(answer)
	case err != nil:
		http.Error(w, err.Error(), http.StatusConflict)
	default:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		w.Write(answer)
	}
}

// token checks the password with bcrypt and signs a token.
func (b *baseline) token(w http.ResponseWriter, r *http.Request) {
	email, pass, ok := r.BasicAuth()
	if !ok {
		http.Error(w, "unauthenticated", http.StatusUnauthorized)
		return
	}
	var id string
	var hash []byte
	var roles []string
	if err := b.pool.QueryRow(r.Context(), `SELECT user_id::text, password_hash, roles FROM users WHERE email_fold(email) = email_fold($1) AND enabled`, email).
		Scan(&id, &hash, &roles); err != nil {
		http.Error(w, "unauthenticated", http.StatusUnauthorized)
		return
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(pass)) != nil {
		http.Error(w, "unauthenticated", http.StatusUnauthorized)
		return
	}
	now := time.Now()
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims{
		RegisteredClaims: jwt.RegisteredClaims{Subject: id, Issuer: b.issuer, IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour))},
		Roles:            roles,
	})
	t.Header["kid"] = b.kid
	signed, err := t.SignedString(b.priv)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"token": signed})
}
