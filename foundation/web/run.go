package web

import (
	"context"
	"fmt"
	"net/http"
	"os/signal"
	"syscall"
	"time"
)

// Run serves srv until it fails or the process gets SIGINT or SIGTERM, then
// shuts it down gracefully: it stops accepting, lets in-flight requests
// finish within shutdownTimeout, and closes what is left after that.
func Run(ctx context.Context, srv *http.Server, shutdownTimeout time.Duration, log Logger) error {
	sigCtx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	serverErrors := make(chan error, 1)
	go func() {
		log(ctx, "startup", "status", "server started", "host", srv.Addr)
		serverErrors <- srv.ListenAndServe()
	}()

	select {
	case err := <-serverErrors:
		return fmt.Errorf("serve %s: %w", srv.Addr, err)

	case <-sigCtx.Done():
		log(ctx, "shutdown", "status", "shutdown started", "host", srv.Addr)

		// The signal context is done; shutdown gets its own deadline.
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
		defer cancel()

		if err := srv.Shutdown(shutdownCtx); err != nil {
			srv.Close()
			return fmt.Errorf("stop %s gracefully: %w", srv.Addr, err)
		}
	}
	return nil
}
