package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// server is the Postgres pgrun started for this program, as its
// environment describes it.
type server struct {
	maintenance          string // URL of its "postgres" database
	host, user, password string
}

func pgServer() server {
	return server{
		maintenance: os.Getenv("SALES_TEST_DB_URL"),
		host:        os.Getenv("SALES_DB_HOST"),
		user:        os.Getenv("SALES_DB_USER"),
		password:    os.Getenv("SALES_DB_PASSWORD"),
	}
}

// withDatabase is url with its database replaced by name.
func withDatabase(raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Path = "/" + name
	return u.String()
}

// withHost returns the database URL raw with its server at host instead.
func withHost(raw, host string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Host = host
	return u.String()
}

func createDatabase(ctx context.Context, maintenance, name string) error {
	conn, err := pgx.Connect(ctx, maintenance)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

func dropDatabase(ctx context.Context, maintenance, name string) error {
	conn, err := pgx.Connect(ctx, maintenance)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	return err
}

// newKey writes a new RSA signing key into dir as <kid>.pem, the form the
// API's key folder takes, and returns its kid.
func newKey(dir string) (string, error) {
	pk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	kid := uuid.NewString()
	data := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: must(x509.MarshalPKCS8PrivateKey(pk))})
	return kid, os.WriteFile(filepath.Join(dir, kid+".pem"), data, 0o600)
}

// readKey reads the one key of dir that newKey wrote.
func readKey(dir string) (string, *rsa.PrivateKey, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.pem"))
	if err != nil || len(files) != 1 {
		return "", nil, fmt.Errorf("want one key in %s, have %d", dir, len(files))
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		return "", nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return "", nil, fmt.Errorf("%s holds no PEM block", files[0])
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return "", nil, err
	}
	pk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return "", nil, fmt.Errorf("%s holds no RSA key", files[0])
	}
	kid := filepath.Base(files[0])
	return kid[:len(kid)-len(".pem")], pk, nil
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
