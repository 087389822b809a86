package supervisor

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/garagesale/service/tools/fleet/fleetfile"
)

// buildProgress is how often the fleet log says that a build still runs:
// a first build on a machine takes minutes (Jaeger's most), and fleet up
// shows nothing else meanwhile.
var buildProgress = 30 * time.Second

// build makes the service's program: go build for a Go service (into
// .fleet/bin), the build command for another. A failure's output is in
// the error and in the fleet log.
func (s *Supervisor) build(ctx context.Context, spec *fleetfile.Service) error {
	if spec.Go != "" {
		bin := s.binPath(spec)
		if err := s.goBuild(ctx, spec, bin+".new", true); err != nil {
			return err
		}
		if err := os.Rename(bin+".new", bin); err != nil {
			return fmt.Errorf("%s: %w", spec.Name, err)
		}
		return nil
	}
	if spec.Build == "" {
		return nil
	}
	done := s.building(spec.Name, spec.Build)
	start := time.Now()
	cmd := exec.CommandContext(ctx, "sh", "-c", spec.Build)
	cmd.Dir = s.root
	// Its lines go to the fleet log as they come: what it says it does
	// (make jaeger names what it builds and how long that takes) shows
	// while it does it.
	var out bytes.Buffer
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			s.log.Line(FleetName, "    "+sc.Text())
			out.WriteString(sc.Text() + "\n")
		}
		_, _ = io.Copy(io.Discard, pr) // a line too long to scan
	}()
	err := cmd.Run()
	pw.Close()
	<-copied
	done()
	if err != nil {
		return fmt.Errorf("build %s (%s): %w\n%s", spec.Name, spec.Build, err, strings.TrimSpace(out.String()))
	}
	s.log.Fleet("built %s in %s", spec.Name, time.Since(start).Round(time.Millisecond))
	return nil
}

// building says in the fleet log that the service is being built, and
// again every buildProgress until the function it returns is called.
func (s *Supervisor) building(name, what string) (done func()) {
	s.log.Fleet("building %s: %s", name, what)
	start := time.Now()
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(buildProgress)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				s.log.Fleet("still building %s: %s so far", name, time.Since(start).Round(time.Second))
			}
		}
	}()
	return func() {
		close(stop)
		<-stopped
	}
}

// binPath is where the service's Go binary lives.
func (s *Supervisor) binPath(spec *fleetfile.Service) string {
	return filepath.Join(s.root, fleetfile.BinDir, spec.Binary)
}

// goBuild compiles the service's main package into out. -trimpath keeps
// the build cache shared with copies of the repository elsewhere. The
// first build of a service in a fleet says what it waits for, and that it
// still does while it lasts: on a new machine it compiles every
// dependency, which takes minutes.
func (s *Supervisor) goBuild(ctx context.Context, spec *fleetfile.Service, out string, first bool) error {
	done := func() {}
	if first {
		done = s.building(spec.Name, "go build "+spec.Go+" (minutes the first time on a machine, seconds after)")
	}
	start := time.Now()
	args := []string{"build", "-trimpath", "-ldflags", "-X main.version=fleet", "-o", out}
	if spec.Tags != "" {
		args = append(args, "-tags", spec.Tags)
	}
	args = append(args, spec.Go)
	cmd := exec.CommandContext(ctx, goTool(), args...)
	cmd.Dir = s.root
	output, err := cmd.CombinedOutput()
	done()
	if err != nil {
		s.log.Fleet("build of %s failed:", spec.Name)
		s.log.Block(string(output))
		return fmt.Errorf("build %s: %w\n%s", spec.Name, err, strings.TrimSpace(string(output)))
	}
	s.log.Fleet("built %s (%s) in %s", spec.Name, spec.Go, time.Since(start).Round(time.Millisecond))
	return nil
}

// goTool is the go command: $GOROOT/bin/go of the toolchain that runs
// when there is one (tests run under it), else go on PATH.
func goTool() string {
	if root := os.Getenv("GOROOT"); root != "" {
		if p := filepath.Join(root, "bin", "go"); fileExists(p) {
			return p
		}
	}
	return "go"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
