package userdb_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/garagesale/service/business/domain/userbus/stores/userdb"
	"github.com/jackc/pgx/v5"
)

// TestListenWarnsOfALostConnection: a listener that cannot keep its
// connection says so, with the cause, each time: the cache then serves
// nothing, and an operator must be able to tell why.
func TestListenWarnsOfALostConnection(t *testing.T) {
	t.Parallel()
	// A port nothing listens on: the connection is refused at once.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg, err := pgx.ParseConfig("postgres://nobody@" + addr + "/nothing?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}

	warnings := make(chan string, 10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go userdb.Listen(ctx, cfg, nopCache{}, func(_ context.Context, msg string, args ...any) {
		select {
		case warnings <- fmt.Sprint(msg, args):
		default:
		}
	})
	for range 2 {
		select {
		case w := <-warnings:
			if !strings.Contains(w, "user cache listener lost") || !strings.Contains(w, "connection refused") {
				t.Errorf("warning %q does not say the listener was lost and why", w)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no warning within 10s of a connection refused")
		}
	}
}

// nopCache is a cache that keeps nothing.
type nopCache struct{}

func (nopCache) Changed(string)             {}
func (nopCache) SetLive(bool, uint32) error { return nil }
func (nopCache) Beat(context.Context) error { return nil }
func (nopCache) Heard() time.Time           { return time.Time{} }
