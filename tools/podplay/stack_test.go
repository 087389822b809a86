package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// A stack is a deployment of the dev overlay that TestDeploy checks: what
// differs between podman and a Kubernetes cluster.
type stack interface {
	// psql runs a query in the database's container.
	psql(ctx context.Context, query string) (string, error)
	// containers are the running containers, each with its manifest.
	containers(t *testing.T) []container
	// proc reads /proc/PID/FILE of a container's first process.
	proc(ctx context.Context, container, file string) (string, error)
	// runDump runs the dump CronJob's job once, now, to its end.
	runDump(ctx context.Context) error
	// replaceAPI replaces the API's pod with a new one.
	replaceAPI(ctx context.Context) error
	// gap reports whether a replacement leaves a moment with no pod
	// answering (podman's, unlike a rolling update's).
	gap() bool
	// stopDatabase stops the database's pod as the cluster would and
	// returns the end of its log and its exit code (-1: not known here).
	stopDatabase(ctx context.Context) (log string, exit int, err error)
	// terminateAPI has the API's pod stopped as the cluster stops a pod,
	// and returns where that pod itself answers and a check that it has
	// stopped on its own, with exit 0.
	terminateAPI(ctx context.Context, t *testing.T) (terminating, func() error, error)
}

// terminating is the API's pod being stopped.
type terminating struct {
	// api and readiness are URLs of that pod alone, not of its Service.
	api, readiness string
	// delay is how long before SIGTERM reaches it: its preStop sleep.
	delay time.Duration
}

// container is a running container and its manifest.
type container struct {
	name string
	pod  corev1.PodSpec
	spec corev1.Container
}

// podmanStack is the dev overlay in podman, deployed by the test as make
// deploy-local does and removed at its end.
type podmanStack struct {
	args, overlays []string
	plays          []play
}

func newPodmanStack(t *testing.T) *podmanStack {
	st := &podmanStack{
		args:     strings.Fields(os.Getenv("PODPLAY_ARGS")),
		overlays: strings.Fields(os.Getenv("PODPLAY_OVERLAYS")),
	}
	if len(st.overlays) == 0 {
		t.Fatal("PODPLAY_OVERLAYS names no overlay: run make test-deploy")
	}
	for _, dir := range st.overlays {
		objs, err := render(dir)
		if err != nil {
			t.Fatal(err)
		}
		p, err := translate(objs, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		st.plays = append(st.plays, p)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		if err := run(ctx, st.command("down", st.overlays...)); err != nil {
			t.Errorf("down: %v", err)
		}
	})
	// Whatever an earlier run left behind goes first.
	run(t.Context(), st.command("down", st.overlays...))
	if err := run(t.Context(), st.command("up", st.overlays...)); err != nil {
		t.Fatalf("up: %v", err)
	}
	return st
}

// command is podplay's arguments: the flags, a command and its overlays.
func (st *podmanStack) command(cmd string, overlays ...string) []string {
	return slices.Concat(st.args, []string{cmd}, overlays)
}

func (st *podmanStack) psql(ctx context.Context, query string) (string, error) {
	return podman(ctx, nil, "exec", "database-pod-0-postgres", "psql", "-h", "/tmp", "-U", "postgres", "-tAc", query)
}

func (st *podmanStack) containers(t *testing.T) []container {
	var cs []container
	for _, p := range st.plays {
		for _, w := range p.Workloads {
			for _, c := range w.Spec.Containers {
				cs = append(cs, container{name: w.Pod + "-" + c.Name, pod: w.Spec, spec: c})
			}
		}
	}
	return cs
}

func (st *podmanStack) proc(ctx context.Context, name, file string) (string, error) {
	pid, err := podman(ctx, nil, "container", "inspect", "--format", "{{.State.Pid}}", name)
	if err != nil {
		return "", err
	}
	data, err := os.ReadFile("/proc/" + pid + "/" + file)
	return string(data), err
}

func (st *podmanStack) runDump(ctx context.Context) error {
	return run(ctx, st.command("job", st.overlays[len(st.overlays)-1]))
}

func (st *podmanStack) replaceAPI(ctx context.Context) error {
	return run(ctx, st.command("replace", st.overlays[len(st.overlays)-1]))
}

func (st *podmanStack) gap() bool { return true }

func (st *podmanStack) stopDatabase(ctx context.Context) (string, int, error) {
	for _, p := range st.plays {
		for _, w := range p.Workloads {
			if w.Name != "database" {
				continue
			}
			if _, err := podman(ctx, nil, "pod", "stop", "--ignore", "--time", "0", "sales-pod-0"); err != nil {
				return "", 0, err
			}
			// Stopped with the kubelet's steps, not removed.
			e := engine{timeout: time.Minute}
			e.preStop(ctx, w)
			if _, err := podman(ctx, nil, "pod", "stop", "--time", "60", w.Pod); err != nil {
				return "", 0, err
			}
			name := w.Pod + "-postgres"
			log, err := podman(ctx, nil, "logs", "--tail", "5", name)
			if err != nil {
				return "", 0, err
			}
			code, err := podman(ctx, nil, "container", "inspect", "--format", "{{.State.ExitCode}}", name)
			if err != nil {
				return "", 0, err
			}
			n, err := strconv.Atoi(code)
			return log, n, err
		}
	}
	return "", 0, fmt.Errorf("no database workload")
}

func (st *podmanStack) terminateAPI(ctx context.Context, t *testing.T) (terminating, func() error, error) {
	// SIGTERM straight away: podman runs no preStop hook, so none is
	// waited for here.
	const ctr = "sales-pod-0-sales-api"
	if _, err := podman(ctx, nil, "kill", "--signal", "TERM", ctr); err != nil {
		return terminating{}, nil, err
	}
	exited := func() error {
		state, err := podman(ctx, nil, "container", "inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", ctr)
		if err != nil {
			return err
		}
		if state != "exited 0" {
			return fmt.Errorf("sales-api is %q, want exited 0", state)
		}
		return nil
	}
	return terminating{api: "http://127.0.0.1:3000", readiness: "http://127.0.0.1:3010/debug/readiness"}, exited, nil
}

// kindStack is the dev overlay in the Kind cluster make dev-up made and
// make dev-apply deployed, read with kubectl and, for a container's
// processes, crictl on the node.
type kindStack struct {
	node string
}

const namespace = "sales-system"

func newKindStack(t *testing.T) *kindStack {
	return &kindStack{node: os.Getenv("KIND_CLUSTER") + "-control-plane"}
}

func kubectl(ctx context.Context, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, "kubectl", append([]string{"--namespace", namespace}, args...)...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("kubectl %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

func (st *kindStack) psql(ctx context.Context, query string) (string, error) {
	return kubectl(ctx, "exec", "database-0", "-c", "postgres", "--", "psql", "-U", "postgres", "-tAc", query)
}

func (st *kindStack) containers(t *testing.T) []container {
	out, err := kubectl(t.Context(), "get", "pods", "--field-selector=status.phase=Running", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var pods corev1.PodList
	if err := json.Unmarshal([]byte(out), &pods); err != nil {
		t.Fatal(err)
	}
	var cs []container
	for _, p := range pods.Items {
		for _, c := range p.Spec.Containers {
			cs = append(cs, container{name: p.Name + "/" + c.Name, pod: p.Spec, spec: c})
		}
	}
	return cs
}

func (st *kindStack) proc(ctx context.Context, name, file string) (string, error) {
	pod, ctr, _ := strings.Cut(name, "/")
	id, err := kubectl(ctx, "get", "pod", pod, "-o", `jsonpath={.status.containerStatuses[?(@.name=="`+ctr+`")].containerID}`)
	if err != nil {
		return "", err
	}
	_, id, _ = strings.Cut(id, "://")
	pid, err := exec.CommandContext(ctx, "docker", "exec", st.node, "crictl", "inspect", "--output", "go-template", "--template", "{{.info.pid}}", id).Output()
	if err != nil {
		return "", fmt.Errorf("crictl inspect %s: %w", id, err)
	}
	out, err := exec.CommandContext(ctx, "docker", "exec", st.node, "cat", "/proc/"+strings.TrimSpace(string(pid))+"/"+file).Output()
	return string(out), err
}

func (st *kindStack) runDump(ctx context.Context) error {
	job := fmt.Sprintf("sales-dump-e2e-%d", time.Now().Unix())
	if _, err := kubectl(ctx, "create", "job", "--from=cronjob/sales-dump", job); err != nil {
		return err
	}
	defer kubectl(context.WithoutCancel(ctx), "delete", "job", job, "--wait=false")
	if _, err := kubectl(ctx, "wait", "--for=condition=complete", "--timeout=180s", "job/"+job); err != nil {
		logs, _ := kubectl(ctx, "logs", "job/"+job)
		return fmt.Errorf("%w\n%s", err, logs)
	}
	return nil
}

func (st *kindStack) replaceAPI(ctx context.Context) error {
	if _, err := kubectl(ctx, "rollout", "restart", "deployment/sales"); err != nil {
		return err
	}
	_, err := kubectl(ctx, "rollout", "status", "--timeout=180s", "deployment/sales")
	return err
}

func (st *kindStack) gap() bool { return false }

func (st *kindStack) stopDatabase(ctx context.Context) (string, int, error) {
	// Deleting the pod: the StatefulSet makes it again; the old one's log
	// goes with it, so the shutdown is read from the new one's start.
	if _, err := kubectl(ctx, "delete", "pod", "database-0", "--wait=true", "--timeout=90s"); err != nil {
		return "", 0, err
	}
	if _, err := kubectl(ctx, "wait", "--for=condition=Ready", "--timeout=120s", "pod/database-0"); err != nil {
		return "", 0, err
	}
	log, err := kubectl(ctx, "logs", "database-0", "-c", "postgres")
	return log, -1, err
}

func (st *kindStack) terminateAPI(ctx context.Context, t *testing.T) (terminating, func() error, error) {
	// A pod that is Ready and not already going: right after a rollout
	// the old one may still be terminating.
	out, err := kubectl(ctx, "get", "pods", "--selector=app=sales", "-o", "json")
	if err != nil {
		return terminating{}, nil, err
	}
	var pods corev1.PodList
	if err := json.Unmarshal([]byte(out), &pods); err != nil {
		return terminating{}, nil, err
	}
	var pod corev1.Pod
	for _, p := range pods.Items {
		if p.DeletionTimestamp == nil && slices.ContainsFunc(p.Status.Conditions, func(c corev1.PodCondition) bool {
			return c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue
		}) {
			pod = p
		}
	}
	if pod.Name == "" {
		return terminating{}, nil, fmt.Errorf("no ready sales pod")
	}
	var delay time.Duration
	for _, c := range pod.Spec.Containers {
		if c.Name == "sales-api" && c.Lifecycle != nil && c.Lifecycle.PreStop != nil && c.Lifecycle.PreStop.Sleep != nil {
			delay = time.Duration(c.Lifecycle.PreStop.Sleep.Seconds) * time.Second
		}
	}
	// The pod's own ports: its Services would route to its replacement.
	api, debug, err := portForward(ctx, t, pod.Name, 3000, 3010)
	if err != nil {
		return terminating{}, nil, err
	}
	deleted := time.Now()
	if _, err := kubectl(ctx, "delete", "pod", pod.Name, "--wait=false"); err != nil {
		return terminating{}, nil, err
	}
	grace := time.Duration(*pod.Spec.TerminationGracePeriodSeconds) * time.Second
	exited := func() error {
		code, err := kubectl(ctx, "get", "pod", pod.Name, "-o", `jsonpath={.status.containerStatuses[?(@.name=="sales-api")].state.terminated.exitCode}`)
		switch {
		case err != nil && time.Since(deleted) < grace-5*time.Second:
			// Gone well before the kubelet would have killed it.
			return nil
		case err != nil:
			return fmt.Errorf("pod %s went only after %s, near its grace period (%s)", pod.Name, time.Since(deleted).Round(time.Second), grace)
		case code == "":
			return fmt.Errorf("sales-api in %s is still running", pod.Name)
		case code != "0":
			return fmt.Errorf("sales-api in %s exited %s, want 0", pod.Name, code)
		}
		return nil
	}
	return terminating{api: api, readiness: debug + "/debug/readiness", delay: delay}, exited, nil
}

// portForward forwards free local ports to ports of pod until the test
// ends, and returns their URLs once they answer.
func portForward(ctx context.Context, t *testing.T, pod string, ports ...int) (string, string, error) {
	args := []string{"--namespace", namespace, "port-forward", "pod/" + pod}
	for _, p := range ports {
		args = append(args, fmt.Sprintf(":%d", p))
	}
	cmd := exec.CommandContext(ctx, "kubectl", args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", "", err
	}
	if err := cmd.Start(); err != nil {
		return "", "", err
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	// "Forwarding from 127.0.0.1:41234 -> 3000", one line per port.
	local := map[string]string{}
	lines := bufio.NewScanner(stdout)
	for len(local) < len(ports) && lines.Scan() {
		var addr, remote string
		if _, err := fmt.Sscanf(lines.Text(), "Forwarding from %s -> %s", &addr, &remote); err == nil && strings.HasPrefix(addr, "127.0.0.1:") {
			local[remote] = "http://" + addr
		}
	}
	api, debug := local[strconv.Itoa(ports[0])], local[strconv.Itoa(ports[1])]
	if api == "" || debug == "" {
		return "", "", fmt.Errorf("kubectl port-forward %s: no forwarding reported", pod)
	}
	go io.Copy(io.Discard, stdout)
	return api, debug, nil
}
