package supervisor

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/garagesale/service/tools/fleet/fleetfile"
)

// build makes the service's program: go build for a Go service (into
// .fleet/bin), the build command for another. A failure's output is in
// the error and in the fleet log.
func (s *Supervisor) build(ctx context.Context, spec *fleetfile.Service) error {
	if spec.Go != "" {
		bin := s.binPath(spec)
		if err := s.goBuild(ctx, spec, bin+".new"); err != nil {
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
	s.log.Fleet("building %s: %s", spec.Name, spec.Build)
	start := time.Now()
	cmd := exec.CommandContext(ctx, "sh", "-c", spec.Build)
	cmd.Dir = s.root
	out, err := cmd.CombinedOutput()
	if err != nil {
		s.log.Block(string(out))
		return fmt.Errorf("build %s (%s): %w\n%s", spec.Name, spec.Build, err, strings.TrimSpace(string(out)))
	}
	s.log.Fleet("built %s in %s", spec.Name, time.Since(start).Round(time.Millisecond))
	return nil
}

// binPath is where the service's Go binary lives.
func (s *Supervisor) binPath(spec *fleetfile.Service) string {
	return filepath.Join(s.root, fleetfile.BinDir, spec.Binary)
}

// goBuild compiles the service's main package into out. -trimpath keeps
// the build cache shared with copies of the repository elsewhere.
func (s *Supervisor) goBuild(ctx context.Context, spec *fleetfile.Service, out string) error {
	start := time.Now()
	args := []string{"build", "-trimpath", "-ldflags", "-X main.version=fleet", "-o", out}
	if spec.Tags != "" {
		args = append(args, "-tags", spec.Tags)
	}
	args = append(args, spec.Go)
	cmd := exec.CommandContext(ctx, goTool(), args...)
	cmd.Dir = s.root
	output, err := cmd.CombinedOutput()
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
