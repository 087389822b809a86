package supervisor

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// notWatched are folders whose files never change a service: history,
// state, builds, local data, dependencies and tools.
var notWatched = map[string]bool{".git": true, ".fleet": true, ".data": true, "bin": true, "vendor": true, "node_modules": true, "dist": true}

// settle is how long the files must stay still before a rebuild: an
// editor's save is often several writes.
const settle = 400 * time.Millisecond

// startWatching starts watching the repository's Go files, once.
func (s *Supervisor) startWatching() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.watcher != nil {
		return
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		s.log.Fleet("watch: %v: changes will not rebuild", err)
		return
	}
	s.watcher = w
	n := s.watchTree(w, s.root)
	s.log.Fleet("watching %d folders for Go changes", n)
	go s.watchLoop(w)
}

// stopWatching ends watching, if it runs.
func (s *Supervisor) stopWatching() {
	s.mu.Lock()
	w := s.watcher
	s.mu.Unlock()
	if w != nil {
		w.Close()
	}
}

// watchTree adds dir and the folders under it to the watcher.
func (s *Supervisor) watchTree(w *fsnotify.Watcher, dir string) int {
	var n int
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if path != s.root && (notWatched[d.Name()] || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if err := w.Add(path); err == nil {
			n++
		}
		return nil
	})
	return n
}

// watchLoop collects the folders of changed Go files and, once they have
// settled, rebuilds and tests what they touch.
func (s *Supervisor) watchLoop(w *fsnotify.Watcher) {
	changed := map[string]bool{} // folder → a non-test file changed
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case ev, ok := <-w.Events:
			if !ok {
				return
			}
			if ev.Has(fsnotify.Create) {
				if fi, err := os.Stat(ev.Name); err == nil && fi.IsDir() {
					s.watchTree(w, ev.Name)
					continue
				}
			}
			if !strings.HasSuffix(ev.Name, ".go") || ev.Has(fsnotify.Chmod) && !ev.Has(fsnotify.Write) {
				continue
			}
			dir := filepath.Dir(ev.Name)
			changed[dir] = changed[dir] || !strings.HasSuffix(ev.Name, "_test.go")
			timer.Reset(settle)
		case err, ok := <-w.Errors:
			if !ok {
				return
			}
			s.log.Fleet("watch: %v", err)
		case <-timer.C:
			batch := changed
			changed = map[string]bool{}
			s.rebuild(context.Background(), batch)
		}
	}
}

// rebuild builds the watched services that depend on the changed folders
// and runs the changed packages' tests; only when both pass are the
// services' instances restarted, one at a time. Otherwise the running
// instances stay and the fleet log says why.
func (s *Supervisor) rebuild(ctx context.Context, changed map[string]bool) {
	s.op.Lock()
	defer s.op.Unlock()
	if s.isStopping() {
		return
	}

	var affected []*service
	for _, spec := range s.file.Services {
		svc := s.service(spec.Name)
		if !spec.Watch || len(s.liveInstances(svc)) == 0 {
			continue
		}
		deps, err := s.depDirs(ctx, spec.Go)
		if err != nil {
			s.log.Fleet("watch: list the packages of %s: %v", spec.Name, err)
			continue
		}
		for dir, code := range changed {
			if code && deps[dir] {
				affected = append(affected, svc)
				break
			}
		}
	}

	var pkgs []string
	for _, dir := range slices.Sorted(maps.Keys(changed)) {
		if goFiles, _ := filepath.Glob(filepath.Join(dir, "*.go")); len(goFiles) == 0 {
			continue
		}
		rel, err := filepath.Rel(s.root, dir)
		if err != nil || strings.HasPrefix(rel, "..") {
			continue
		}
		pkgs = append(pkgs, "./"+filepath.ToSlash(rel))
	}
	if len(affected) == 0 && len(pkgs) == 0 {
		return
	}
	names := make([]string, len(affected))
	for i, svc := range affected {
		names[i] = svc.spec.Name
	}
	s.log.Fleet("change in %s: rebuilding [%s], testing [%s]", strings.Join(pkgs, " "), strings.Join(names, " "), strings.Join(pkgs, " "))

	stale := func(what string) {
		note := fmt.Sprintf("the %s at %s failed: this runs the last good build (fleet logs fleet)", what, time.Now().Format("15:04:05"))
		s.mu.Lock()
		for _, svc := range affected {
			svc.stale = note
		}
		s.mu.Unlock()
	}
	for _, svc := range affected {
		if err := s.goBuild(ctx, svc.spec, s.binPath(svc.spec)+".new", false); err != nil {
			s.log.Fleet("build failed: the running %s keep serving the last good build", strings.Join(names, ", "))
			stale("rebuild")
			return
		}
	}
	if len(pkgs) > 0 && !s.test(ctx, pkgs) {
		s.log.Fleet("tests failed: the running %s keep serving the last good build", strings.Join(cmpOr(names, "services"), ", "))
		stale("test run")
		return
	}
	for _, svc := range affected {
		bin := s.binPath(svc.spec)
		if err := os.Rename(bin+".new", bin); err != nil {
			s.log.Fleet("install the new %s: %v", svc.spec.Name, err)
			return
		}
		if err := s.rollingRestart(ctx, svc); err != nil {
			s.log.Fleet("restart %s: %v", svc.spec.Name, err)
			return
		}
		s.mu.Lock()
		svc.stale = ""
		s.mu.Unlock()
		s.log.Fleet("%s runs the change", svc.spec.Name)
	}
}

func cmpOr(names []string, none string) []string {
	if len(names) == 0 {
		return []string{none}
	}
	return names
}

// test runs go test on the packages with the fleet file's test_env, and
// reports whether they passed; a failure's output goes to the fleet log.
func (s *Supervisor) test(ctx context.Context, pkgs []string) bool {
	start := time.Now()
	cmd := exec.CommandContext(ctx, goTool(), append([]string{"test", "-trimpath"}, pkgs...)...)
	cmd.Dir = s.root
	cmd.Env = os.Environ()
	for k, v := range s.file.TestEnv {
		cmd.Env = append(cmd.Env, k+"="+os.ExpandEnv(v))
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		s.log.Fleet("tests of %s failed:", strings.Join(pkgs, " "))
		lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
		if len(lines) > 60 {
			lines = lines[len(lines)-60:]
		}
		s.log.Block(strings.Join(lines, "\n"))
		return false
	}
	s.log.Fleet("tests of %s passed in %s", strings.Join(pkgs, " "), time.Since(start).Round(time.Millisecond))
	return true
}

// depDirs are the folders of the packages a main package is built from,
// within the repository.
func (s *Supervisor) depDirs(ctx context.Context, pkg string) (map[string]bool, error) {
	cmd := exec.CommandContext(ctx, goTool(), "list", "-deps", "-f", "{{if not .Standard}}{{.Dir}}{{end}}", pkg)
	cmd.Dir = s.root
	out, err := cmd.Output()
	if err != nil {
		return nil, err
	}
	dirs := map[string]bool{}
	for _, d := range strings.Fields(string(out)) {
		dirs[d] = true
	}
	return dirs, nil
}
