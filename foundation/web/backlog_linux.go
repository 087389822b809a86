package web

import (
	"errors"
	"net"
	"time"

	"golang.org/x/sys/unix"
)

// closeBacklog stops ln listening once the server has accepted every
// connection in its accept queue (or after limit), then closes it: closing
// a listener drops its queue, and each client in it would see a reset
// after sending its request. For a listening socket TCP_INFO's unacked is
// the queue's length, and shutdown(SHUT_RD) stops it listening at once;
// run back to back, they lose only a handshake that completes within
// microseconds of the end.
func closeBacklog(ln net.Listener, limit time.Duration) error {
	defer ln.Close()
	tl, ok := ln.(*net.TCPListener)
	if !ok {
		return errors.New("not a TCP listener")
	}
	raw, err := tl.SyscallConn()
	if err != nil {
		return err
	}

	deadline := time.Now().Add(limit)
	for {
		var done bool
		var sockErr error
		if err := raw.Control(func(fd uintptr) {
			var info *unix.TCPInfo
			if info, sockErr = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO); sockErr != nil {
				return
			}
			if info.Unacked == 0 || time.Now().After(deadline) {
				done = true
				sockErr = unix.Shutdown(int(fd), unix.SHUT_RD)
			}
		}); err != nil {
			return err
		}
		if sockErr != nil || done {
			return sockErr
		}
		time.Sleep(time.Millisecond)
	}
}
