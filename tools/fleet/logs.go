package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/garagesale/service/tools/fleet/fleetfile"
	"github.com/garagesale/service/tools/fleet/supervisor"
	"github.com/garagesale/service/tools/internal/logfmt"
)

func logs(ctx context.Context, o options, args []string, w io.Writer) error {
	fs := flag.NewFlagSet("logs", flag.ContinueOnError)
	tail := fs.Bool("f", false, "follow: print new lines as they come, until Ctrl-C")
	last := fs.Int("n", 0, "print only the last N lines first (0: all)")
	trace := fs.String("trace", "", "print only the lines of the request whose trace_id starts with this")
	names, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(names) > 1 {
		return usageErrorf("logs takes one service or instance, not %d (%s)", len(names), strings.Join(names, " "))
	}
	f, err := fleetfile.Read(o.path(o.file))
	if err != nil {
		return err
	}
	path := filepath.Join(o.stateDir(), supervisor.LogName)
	v := view{color: colorOut(), width: prefixWidth(f), trace: *trace}
	if len(names) == 1 {
		v.only = names[0]
		if err := checkLogName(f, v.only, path); err != nil {
			return err
		}
	}
	if _, err := os.Stat(path); err != nil {
		return errors.New("no fleet log here: fleet up starts a fleet")
	}
	from := int64(0)
	if *last > 0 {
		from = lastLinesOffset(path, *last, v)
	}
	if !*tail {
		return printFrom(path, from, w, v)
	}
	return follow(ctx, path, from, w, v)
}

// checkLogName refuses a name that is neither a service of the fleet
// file, the fleet's own lines, nor an instance of a service (one its
// scale starts, or one the fleet log has lines of), naming the known
// ones: a typo would otherwise print nothing and look like a quiet
// service.
func checkLogName(f *fleetfile.File, name, logPath string) error {
	services := append(f.Names(), supervisor.FleetName)
	if slices.Contains(services, name) {
		return nil
	}
	base, number, isInstance := strings.Cut(name, ".")
	s, known := f.Service(base)
	if !isInstance || !known {
		return fmt.Errorf("logs: no service %q in the fleet file: the services are %s (or an instance, such as %s.1)", name, strings.Join(services, ", "), f.Names()[0])
	}
	instances := map[string]bool{}
	for i := range s.Scale {
		instances[fmt.Sprintf("%s.%d", base, i+1)] = true
	}
	for seen := range logNames(logPath) {
		if strings.HasPrefix(seen, base+".") {
			instances[seen] = true
		}
	}
	if instances[name] {
		return nil
	}
	list := slices.SortedFunc(maps.Keys(instances), byInstance)
	if len(list) == 0 {
		return fmt.Errorf("logs: no instance %s: %s has none (its scale is 0 and the fleet log has no lines of it)", number, base)
	}
	return fmt.Errorf("logs: no instance %q: %s has %s", name, base, strings.Join(list, ", "))
}

// logNames is the instance names of the fleet log's lines.
func logNames(path string) map[string]bool {
	names := map[string]bool{}
	f, err := os.Open(path)
	if err != nil {
		return names
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 2*1024*1024)
	for sc.Scan() {
		if name, _, ok := strings.Cut(sc.Text(), "\t"); ok {
			names[name] = true
		}
	}
	return names
}

// byInstance orders sales-api.2 before sales-api.10.
func byInstance(a, b string) int {
	na, _ := strconv.Atoi(a[strings.LastIndexByte(a, '.')+1:])
	nb, _ := strconv.Atoi(b[strings.LastIndexByte(b, '.')+1:])
	return cmp.Or(cmp.Compare(na, nb), strings.Compare(a, b))
}

// view says which lines of the fleet log to print and how.
type view struct {
	// only keeps a service's lines (sales-api), an instance's
	// (sales-api.2) or the fleet's own (fleet); empty keeps all.
	only  string
	color bool
	// width is the instance names' column, so that every line's text
	// starts at one place (prefixWidth).
	width int
	// trace keeps only the JSON lines whose trace_id starts with it.
	trace string
}

// prefixWidth fits the names of the fleet file's instances, up to
// instance 99 of each, and the fleet's own name.
func prefixWidth(f *fleetfile.File) int {
	w := len(supervisor.FleetName)
	for _, s := range f.Services {
		w = max(w, len(s.Name)+len(".99"))
	}
	return w
}

// keeps reports whether the line of the instance named name is shown.
func (v view) keeps(name string) bool {
	return v.only == "" || name == v.only || strings.TrimRight(strings.TrimRight(name, "0123456789"), ".") == v.only && strings.Contains(name, ".")
}

// shows reports whether the view prints the fleet log's line raw: of the
// instance it keeps, and with a trace, a JSON line whose trace_id starts
// with it (the fleet's own lines, text and broken JSON are no request's).
func (v view) shows(raw string) bool {
	name, line, found := strings.Cut(raw, "\t")
	if !found {
		return v.only == "" && v.trace == ""
	}
	if !v.keeps(name) {
		return false
	}
	if v.trace == "" {
		return true
	}
	if !strings.HasPrefix(line, "{") || !strings.Contains(line, v.trace) {
		return false // most lines, without decoding them
	}
	var l struct {
		TraceID string `json:"trace_id"`
	}
	return json.Unmarshal([]byte(line), &l) == nil && strings.HasPrefix(l.TraceID, v.trace)
}

// palette colours each instance's prefix, picked by its name.
var palette = []string{"\033[36m", "\033[35m", "\033[33m", "\033[32m", "\033[34m", "\033[91m", "\033[96m", "\033[95m"}

// render is one line of the fleet log for people: the instance's name in
// its colour, then the line through logfmt (JSON pretty-printed, other
// text as it is). ok is false for a line the view leaves out.
func (v view) render(raw string) (string, bool) {
	if !v.shows(raw) {
		return "", false
	}
	name, line, found := strings.Cut(raw, "\t")
	if !found {
		return raw, true
	}
	text, _ := logfmt.Format([]byte(line), logfmt.Options{Color: v.color})
	prefix := fmt.Sprintf("%-*s|", v.width, name)
	if v.color {
		color := "\033[1m"
		if name != supervisor.FleetName {
			h := fnv.New32a()
			h.Write([]byte(name))
			color = palette[h.Sum32()%uint32(len(palette))]
		}
		prefix = color + prefix + "\033[0m"
	}
	return prefix + " " + text, true
}

func colorOut() bool { return logfmt.WantsColor(os.Stdout) }

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// printFrom prints the log's lines from the offset to its end.
func printFrom(path string, from int64, w io.Writer, v view) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Seek(from, io.SeekStart); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 2*1024*1024)
	for sc.Scan() {
		if s, ok := v.render(sc.Text()); ok {
			fmt.Fprintln(bw, s)
		}
	}
	return sc.Err()
}

// lastLinesOffset is where the last n lines the view keeps begin.
func lastLinesOffset(path string, n int, v view) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	var starts []int64
	var off int64
	r := bufio.NewReader(f)
	for {
		line, err := r.ReadString('\n')
		if len(line) > 0 {
			if v.shows(strings.TrimSuffix(line, "\n")) {
				starts = append(starts, off)
				if len(starts) > n {
					starts = starts[1:]
				}
			}
			off += int64(len(line))
		}
		if err != nil {
			break
		}
	}
	if len(starts) == 0 {
		return off
	}
	return starts[0]
}

// follow prints the log from the offset and then each line as it is
// written, until ctx ends. A new fleet's log (the file replaced) is read
// from its start.
func follow(ctx context.Context, path string, from int64, w io.Writer, v view) error {
	var f *os.File
	defer func() {
		if f != nil {
			f.Close()
		}
	}()
	var r *bufio.Reader
	var partial string
	for {
		if f == nil {
			var err error
			if f, err = os.Open(path); err == nil {
				if _, err := f.Seek(from, io.SeekStart); err != nil {
					return err
				}
				r = bufio.NewReader(f)
			} else {
				f = nil
			}
		}
		if r != nil {
			for {
				chunk, err := r.ReadString('\n')
				partial += chunk
				if err != nil {
					break
				}
				if s, ok := v.render(strings.TrimSuffix(partial, "\n")); ok {
					fmt.Fprintln(w, s)
				}
				from += int64(len(partial))
				partial = ""
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(150 * time.Millisecond):
		}
		// A new fleet renames the old log away.
		if fi, err := os.Stat(path); f != nil && (err != nil || fi.Size() < from || !sameFile(f, fi)) {
			f.Close()
			f, r, from, partial = nil, nil, 0, ""
		}
	}
}

func sameFile(f *os.File, fi os.FileInfo) bool {
	cur, err := f.Stat()
	return err == nil && os.SameFile(cur, fi)
}
