package supervisor

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// LogName is the fleet log's file in the state folder: every line of
// every instance, and the fleet's own, in the order they came, each as
// "NAME<TAB>LINE".
const LogName = "fleet.log"

// FleetName is the name the supervisor's own lines carry.
const FleetName = "fleet"

// Log writes the fleet log and keeps each instance's last lines for error
// messages.
type Log struct {
	mu   sync.Mutex
	f    *os.File
	tail map[string][]string
}

// tailLines is how many lines of each instance are kept in memory.
const tailLines = 40

// OpenLog opens the fleet log for appending.
func OpenLog(path string) (*Log, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open the fleet log: %w", err)
	}
	return &Log{f: f, tail: map[string][]string{}}, nil
}

// Line writes one line of an instance.
func (l *Log) Line(name, line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.f, "%s\t%s\n", name, line)
	t := append(l.tail[name], line)
	if len(t) > tailLines {
		t = t[len(t)-tailLines:]
	}
	l.tail[name] = t
}

// Fleet writes a line of the supervisor's own, with the time.
func (l *Log) Fleet(format string, args ...any) {
	l.Line(FleetName, time.Now().Format("15:04:05.000")+" "+fmt.Sprintf(format, args...))
}

// Block writes many lines (a compiler's errors) as the fleet's.
func (l *Log) Block(text string) {
	for line := range strings.Lines(text) {
		l.Line(FleetName, "    "+strings.TrimRight(line, "\n"))
	}
}

// Tail returns the last n lines of an instance.
func (l *Log) Tail(name string, n int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.tail[name]
	if len(t) > n {
		t = t[len(t)-n:]
	}
	return append([]string(nil), t...)
}
