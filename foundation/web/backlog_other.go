//go:build !linux

package web

import (
	"net"
	"time"
)

// closeBacklog closes ln. Where the socket options of the Linux version
// are missing, its accept queue is dropped with it.
func closeBacklog(ln net.Listener, _ time.Duration) error { return ln.Close() }
