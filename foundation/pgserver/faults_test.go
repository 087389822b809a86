package pgserver

import (
	"context"
	"testing"
	"time"
)

// TestFaults: a frozen server keeps its port but answers nothing until it
// is thawed; a halted one refuses connections until it is resumed, on the
// same port, with its data.
func TestFaults(t *testing.T) {
	srv := start(t, Config{})
	t.Cleanup(func() {
		_ = srv.Thaw()
		if err := srv.Stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	db := open(t, srv)
	if _, err := db.Exec(`CREATE TABLE kept (n INTEGER)`); err != nil {
		t.Fatal(err)
	}
	query := func(timeout time.Duration) error {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		return ping(ctx, srv.URL("postgres"))
	}

	pids, err := srv.PIDs()
	if err != nil || len(pids) < 2 {
		t.Fatalf("PIDs: %v (%v), want the postmaster and its children", pids, err)
	}

	if err := srv.Freeze(); err != nil {
		t.Fatal(err)
	}
	if err := query(300 * time.Millisecond); err == nil {
		t.Error("a frozen server answered")
	}
	if err := srv.Thaw(); err != nil {
		t.Fatal(err)
	}
	if err := query(5 * time.Second); err != nil {
		t.Errorf("after the thaw: %v", err)
	}

	port := srv.Port()
	if err := srv.Halt(); err != nil {
		t.Fatal(err)
	}
	if err := query(time.Second); err == nil {
		t.Error("a halted server answered")
	}
	if err := srv.Resume(context.Background()); err != nil {
		t.Fatal(err)
	}
	if srv.Port() != port {
		t.Errorf("resumed on port %d, want %d", srv.Port(), port)
	}
	if _, err := db.Exec(`SELECT count(*) FROM kept`); err != nil {
		t.Errorf("the data after the restart: %v", err)
	}
}
