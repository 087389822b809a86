package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// engine runs plays in podman.
type engine struct {
	network string
	timeout time.Duration
}

// podman runs podman with args (stdin, when given, on its standard input)
// and returns its trimmed output, or an error with it.
func podman(ctx context.Context, stdin []byte, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "podman", args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	text := strings.TrimSpace(string(out))
	if err != nil {
		return text, fmt.Errorf("podman %s: %w: %s", strings.Join(args, " "), err, text)
	}
	return text, nil
}

// up plays each play in order: its secrets, then each workload, waiting
// for the workload's readiness probes before going on. With replace, a
// pod already running is replaced by a new one (kube play --replace).
func (e engine) up(ctx context.Context, plays []play, replace bool) error {
	// Rootless podman's pods are not reachable from the host, so no
	// readiness probe could pass.
	if rootless, err := podman(ctx, nil, "info", "--format", "{{.Host.Security.Rootless}}"); err != nil || rootless == "true" {
		return fmt.Errorf("podplay needs rootful podman (run it as root: docs/deployment.md); rootless %s, %v", rootless, err)
	}
	if _, err := podman(ctx, nil, "network", "exists", e.network); err != nil {
		if _, err := podman(ctx, nil, "network", "create", e.network); err != nil {
			return err
		}
	}
	for _, p := range plays {
		for _, d := range p.Dropped {
			fmt.Printf("not in podman: %s\n", d)
		}
		for _, j := range p.Jobs {
			fmt.Printf("not scheduled in podman: CronJob %s (podplay job runs it once)\n", j.Name)
		}
		for _, s := range p.Secrets {
			// podman 4.3 has no secret create --replace.
			podman(ctx, nil, "secret", "rm", s.Name)
			if _, err := podman(ctx, s.Data, "secret", "create", s.Name, "-"); err != nil {
				return err
			}
		}
		for _, w := range p.Workloads {
			// A replacement is what kube play --replace does, with the
			// pod's own grace period rather than podman's 10 s.
			if replace {
				if err := e.remove(ctx, w, false); err != nil {
					return err
				}
			}
			start := time.Now()
			fmt.Printf("starting %s (%s)\n", w.Pod, strings.Join(w.Aliases, ", "))
			if err := e.play(ctx, w); err != nil {
				return err
			}
			if err := e.waitReady(ctx, w); err != nil {
				return fmt.Errorf("%s: %w\n%s", w.Pod, err, e.logs(ctx, w))
			}
			fmt.Printf("%s is ready (%s)\n", w.Pod, time.Since(start).Round(100*time.Millisecond))
		}
	}
	return nil
}

// job runs each play's jobs once, each to its end, and fails unless each
// container exits 0. The pod stays, with its logs, until down.
func (e engine) job(ctx context.Context, plays []play) error {
	for _, p := range plays {
		for _, w := range p.Jobs {
			if err := e.remove(ctx, w, false); err != nil {
				return err
			}
			fmt.Printf("running job %s\n", w.Pod)
			if err := e.play(ctx, w); err != nil {
				return err
			}
			wait, cancel := context.WithTimeout(ctx, e.timeout)
			defer cancel()
			for _, c := range w.Spec.Containers {
				name := w.Pod + "-" + c.Name
				code, err := podman(wait, nil, "wait", name)
				if err != nil {
					return fmt.Errorf("job %s: %w\n%s", w.Pod, err, e.logs(ctx, w))
				}
				if code != "0" {
					return fmt.Errorf("job %s: container %s exited %s\n%s", w.Pod, c.Name, code, e.logs(ctx, w))
				}
			}
			fmt.Printf("job %s is done\n", w.Pod)
		}
	}
	return nil
}

// play runs w's pod with podman kube play, on the network under its
// Services' names, with fresh copies of its ConfigMaps and Secrets.
func (e engine) play(ctx context.Context, w workload) error {
	dir, err := os.MkdirTemp("", "podplay-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, w.Name+".yaml")
	if err := os.WriteFile(file, w.Play, 0o600); err != nil {
		return err
	}
	network := e.network
	for i, a := range w.Aliases {
		sep := ","
		if i == 0 {
			sep = ":"
		}
		network += sep + "alias=" + a
	}
	// A copy left from an earlier pod would be used as it is.
	for _, v := range w.Copies {
		if _, err := podman(ctx, nil, "volume", "exists", v); err == nil {
			if _, err := podman(ctx, nil, "volume", "rm", v); err != nil {
				return err
			}
		}
	}
	if _, err := podman(ctx, nil, "kube", "play", "--network", network, file); err != nil {
		return fmt.Errorf("%w\n%s", err, e.logs(ctx, w))
	}
	return nil
}

// down removes what up made: the pods (stopped with their grace period,
// so Postgres checkpoints), their volumes and the secrets, then the
// network. What is already gone is skipped.
func (e engine) down(ctx context.Context, plays []play) error {
	var errs []error
	for _, p := range slices.Backward(plays) {
		for _, w := range slices.Concat(p.Jobs, p.Workloads) {
			if err := e.remove(ctx, w, true); err != nil {
				errs = append(errs, err)
			}
		}
		for _, s := range p.Secrets {
			if _, err := podman(ctx, nil, "secret", "inspect", s.Name); err == nil {
				if _, err := podman(ctx, nil, "secret", "rm", s.Name); err != nil {
					errs = append(errs, err)
				}
			}
		}
	}
	// The network goes with its last pod: down of some overlays leaves the
	// others running.
	inUse, _ := podman(ctx, nil, "ps", "--all", "--quiet", "--filter", "network="+e.network)
	if _, err := podman(ctx, nil, "network", "exists", e.network); err == nil && inUse == "" {
		if _, err := podman(ctx, nil, "network", "rm", e.network); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// remove stops w's pod within its grace period (its preStop hooks, then
// SIGTERM, then SIGKILL, as the kubelet does) and removes it with the
// volumes it mounted: its emptyDirs and the copies of its ConfigMaps and
// Secrets, which in a cluster go with the pod too. Its claims stay unless
// claims is set (down).
func (e engine) remove(ctx context.Context, w workload, claims bool) error {
	grace := "30"
	if g := w.Spec.TerminationGracePeriodSeconds; g != nil {
		grace = strconv.FormatInt(*g, 10)
	}
	// Read from the pod itself: the copies' names carry their content's
	// hash, which may have changed since the pod was made.
	mounted, err := mountedVolumes(ctx, w.Pod)
	if err != nil {
		return err
	}
	e.preStop(ctx, w)
	// The containers first, within their grace: a pod stop takes its
	// infra container, and the pod's network with it, at the same moment,
	// so an API draining its requests would answer none.
	names := make([]string, 0, len(w.Spec.Containers))
	for _, c := range w.Spec.Containers {
		names = append(names, w.Pod+"-"+c.Name)
	}
	if _, err := podman(ctx, nil, append([]string{"stop", "--ignore", "--time", grace}, names...)...); err != nil {
		return err
	}
	if _, err := podman(ctx, nil, "pod", "stop", "--ignore", "--time", grace, w.Pod); err != nil {
		return err
	}
	if _, err := podman(ctx, nil, "pod", "rm", "--ignore", "--force", w.Pod); err != nil {
		return err
	}
	gone := slices.Concat(mounted, w.Copies)
	if claims {
		gone = append(gone, w.Claims...)
	} else {
		gone = slices.DeleteFunc(gone, func(v string) bool { return slices.Contains(w.Claims, v) })
	}
	var errs []error
	for _, v := range slices.Compact(slices.Sorted(slices.Values(gone))) {
		if _, err := podman(ctx, nil, "volume", "exists", v); err == nil {
			if _, err := podman(ctx, nil, "volume", "rm", v); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// mountedVolumes are the named volumes the containers of pod mount; none
// when there is no such pod.
func mountedVolumes(ctx context.Context, pod string) ([]string, error) {
	if _, err := podman(ctx, nil, "pod", "exists", pod); err != nil {
		return nil, nil
	}
	names, err := podman(ctx, nil, "ps", "--all", "--filter", "pod="+pod, "--format", "{{.Names}}")
	if err != nil {
		return nil, err
	}
	var vols []string
	for _, name := range strings.Fields(names) {
		out, err := podman(ctx, nil, "container", "inspect", "--format",
			`{{range .Mounts}}{{if eq .Type "volume"}}{{.Name}} {{end}}{{end}}`, name)
		if err != nil {
			return nil, err
		}
		vols = append(vols, strings.Fields(out)...)
	}
	return vols, nil
}

// preStop runs the preStop hook of each of w's running containers, as the
// kubelet does before SIGTERM (podman 4.3 ignores them): an exec in the
// container, or a sleep. A hook that fails is reported and the stop goes
// on, as the kubelet's does.
func (e engine) preStop(ctx context.Context, w workload) {
	for _, c := range w.Spec.Containers {
		if c.Lifecycle == nil || c.Lifecycle.PreStop == nil {
			continue
		}
		name := w.Pod + "-" + c.Name
		if state, err := podman(ctx, nil, "container", "inspect", "--format", "{{.State.Status}}", name); err != nil || state != "running" {
			continue
		}
		switch h := c.Lifecycle.PreStop; {
		case h.Exec != nil:
			_, err := podman(ctx, nil, append([]string{"exec", name}, h.Exec.Command...)...)
			// A hook that stops its own container (pg_ctl stop) loses its
			// exec session with it (exit 137): that is its success.
			if state, _ := podman(ctx, nil, "container", "inspect", "--format", "{{.State.Status}}", name); err != nil && state == "running" {
				fmt.Printf("%s: preStop hook: %v\n", name, err)
			}
		case h.Sleep != nil:
			select {
			case <-ctx.Done():
			case <-time.After(time.Duration(h.Sleep.Seconds) * time.Second):
			}
		}
	}
}

// waitReady waits until every readiness probe of w's containers passes,
// probing as the kubelet would: exec in the container, HTTP GET or a TCP
// connect to the pod's address. A container that stopped fails at once.
func (e engine) waitReady(ctx context.Context, w workload) error {
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	ip, err := podIP(ctx, w.Pod, e.network)
	if err != nil {
		return err
	}
	for _, c := range w.Spec.Containers {
		name := w.Pod + "-" + c.Name
		for {
			state, err := podman(ctx, nil, "container", "inspect", "--format", "{{.State.Status}}", name)
			if err != nil {
				return err
			}
			if state != "running" {
				return fmt.Errorf("container %s is %s", name, state)
			}
			if c.ReadinessProbe == nil {
				break
			}
			err = probe(ctx, name, ip, c)
			if err == nil {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("container %s is not ready after %s: %w", name, e.timeout, err)
			case <-time.After(time.Second):
			}
		}
	}
	return nil
}

// probe runs c's readiness probe once.
func probe(ctx context.Context, container, ip string, c corev1.Container) error {
	p := c.ReadinessProbe
	timeout := time.Duration(max(p.TimeoutSeconds, 1)) * time.Second
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	switch {
	case p.Exec != nil:
		_, err := podman(ctx, nil, append([]string{"exec", container}, p.Exec.Command...)...)
		return err
	case p.HTTPGet != nil:
		if p.HTTPGet.Scheme == corev1.URISchemeHTTPS || p.HTTPGet.Host != "" || len(p.HTTPGet.HTTPHeaders) > 0 {
			return errors.New("an HTTPS probe, or one with a host or headers: this tool runs plain HTTP GETs only")
		}
		port, err := portOf(c, p.HTTPGet.Port)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://%s%s", net.JoinHostPort(ip, port), p.HTTPGet.Path), nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode < 200 || resp.StatusCode >= 400 {
			return fmt.Errorf("GET %s: %s", p.HTTPGet.Path, resp.Status)
		}
		return nil
	case p.TCPSocket != nil:
		port, err := portOf(c, p.TCPSocket.Port)
		if err != nil {
			return err
		}
		conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", net.JoinHostPort(ip, port))
		if err == nil {
			conn.Close()
		}
		return err
	}
	return errors.New("a readiness probe this tool cannot run")
}

// portOf resolves a probe's port, by number or by the container port's
// name.
func portOf(c corev1.Container, port intstr.IntOrString) (string, error) {
	if port.Type == intstr.Int {
		return strconv.Itoa(int(port.IntVal)), nil
	}
	for _, p := range c.Ports {
		if p.Name == port.StrVal {
			return strconv.Itoa(int(p.ContainerPort)), nil
		}
	}
	return "", fmt.Errorf("container %s has no port named %s", c.Name, port.StrVal)
}

// podIP is the pod's address on network, which the host reaches (a
// rootful bridge).
func podIP(ctx context.Context, pod, network string) (string, error) {
	infra, err := podman(ctx, nil, "pod", "inspect", "--format", "{{.InfraContainerID}}", pod)
	if err != nil {
		return "", err
	}
	ip, err := podman(ctx, nil, "container", "inspect", "--format",
		fmt.Sprintf(`{{(index .NetworkSettings.Networks %q).IPAddress}}`, network), infra)
	if err != nil {
		return "", err
	}
	if ip == "" {
		return "", fmt.Errorf("pod %s has no address on network %s", pod, network)
	}
	return ip, nil
}

// logs is the end of each of w's containers' logs, for a failure.
func (e engine) logs(ctx context.Context, w workload) string {
	var b strings.Builder
	for _, c := range slices.Concat(w.Spec.InitContainers, w.Spec.Containers) {
		name := w.Pod + "-" + c.Name
		out, err := podman(context.WithoutCancel(ctx), nil, "logs", "--tail", "20", name)
		if err != nil {
			continue
		}
		fmt.Fprintf(&b, "--- %s:\n%s\n", name, out)
	}
	return b.String()
}
