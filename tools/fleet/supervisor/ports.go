package supervisor

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// portFree reports an error naming the process that holds the port, when
// one does: a second copy of a service is never started beside the first.
func portFree(port int) error {
	l, err := net.Listen("tcp", fmt.Sprintf(":%d", port))
	if err == nil {
		return l.Close()
	}
	if pid, name, ok := portHolder(port); ok {
		return fmt.Errorf("is held by pid %d (%s): stop it, or change the port in the fleet file", pid, name)
	}
	return fmt.Errorf("is held by another program: %w", err)
}

// portHolder finds the process listening on the TCP port from /proc
// (Linux); ok is false when it cannot tell.
func portHolder(port int) (pid int, name string, ok bool) {
	inodes := map[string]bool{}
	for _, file := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		_ = listeningInodes(file, port, inodes) // tcp6 is missing without IPv6
	}
	if len(inodes) == 0 {
		return 0, "", false
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range procs {
		link, err := os.Readlink(fd)
		if err != nil || !strings.HasPrefix(link, "socket:[") {
			continue
		}
		if !inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] {
			continue
		}
		procDir := filepath.Dir(filepath.Dir(fd))
		pid, _ := strconv.Atoi(filepath.Base(procDir))
		comm, _ := os.ReadFile(filepath.Join(procDir, "comm"))
		return pid, strings.TrimSpace(string(comm)), true
	}
	return 0, "", false
}

// listeningInodes adds the socket inodes in LISTEN state on port from a
// /proc/net/tcp-format file.
func listeningInodes(file string, port int, into map[string]bool) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // the header
	want := fmt.Sprintf(":%04X", port)
	for sc.Scan() {
		// sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 {
			continue
		}
		if strings.HasSuffix(fields[1], want) && fields[3] == "0A" {
			into[fields[9]] = true
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return nil
}
