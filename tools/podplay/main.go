// Command podplay runs the kit's Kubernetes overlays in podman, with no
// cluster: each kustomization is rendered as make dev-apply renders it,
// translated where podman kube play has no equivalent (see translate), and
// played in order, each workload ready before the next overlay starts, as
// dev-apply waits for each rollout. make deploy-local runs it:
//
//	podplay -network garagesale-local -kind-config zarf/k8s/dev/kind-config.yaml -secret sales-keys=zarf/keys \
//	    up zarf/k8s/local/database zarf/k8s/local/tempo zarf/k8s/local/prometheus zarf/k8s/local/sales
//	podplay ... replace zarf/k8s/local/sales   # a new pod in place of the old
//	podplay ... job zarf/k8s/local/sales       # its CronJobs, once each, now
//	podplay ... down OVERLAY...                # everything up made, volumes too
//	podplay ... render OVERLAY                 # what podman would be given
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "podplay:", err)
		os.Exit(1)
	}
}

// secretFlags are -secret NAME=DIR.
type secretFlags []string

func (s *secretFlags) String() string     { return strings.Join(*s, ",") }
func (s *secretFlags) Set(v string) error { *s = append(*s, v); return nil }

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("podplay", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: podplay [flags] up|replace|job|down|render OVERLAY...")
		fs.PrintDefaults()
	}
	var (
		e          engine
		kindConfig string
		secrets    secretFlags
	)
	fs.StringVar(&e.network, "network", "", "the podman network the pods share, its DNS giving each pod its Services' names (required: make deploy-local's is PROJECT-local)")
	fs.StringVar(&kindConfig, "kind-config", "", "the kind cluster config whose port mappings say where each NodePort is published")
	fs.Var(&secrets, "secret", "NAME=DIR: a Secret of the files in DIR, as kubectl create secret generic --from-file=DIR (repeat)")
	fs.DurationVar(&e.timeout, "timeout", 3*time.Minute, "how long each workload has to become ready")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() < 2 {
		fs.Usage()
		return errors.New("want a command and at least one overlay")
	}
	cmd, overlays := fs.Arg(0), fs.Args()[1:]
	if e.network == "" && cmd != "render" {
		// A default would make a network of its own beside the one the
		// running pods share, where they cannot be found by name.
		return errors.New("-network is required: the network the pods share (make deploy-local uses PROJECT-local; make deploy-local-update replaces the API's pod in it)")
	}

	var ports hostPorts
	if kindConfig != "" && cmd != "down" {
		var err error
		if ports, err = readKindConfig(kindConfig); err != nil {
			return err
		}
	}
	var files []corev1.Secret
	for _, s := range secrets {
		name, dir, ok := strings.Cut(s, "=")
		if !ok {
			return fmt.Errorf("-secret %q: want NAME=DIR", s)
		}
		if cmd == "down" {
			// Only the name matters; the files may be gone.
			files = append(files, corev1.Secret{ObjectMeta: objectMeta(name)})
			continue
		}
		sec, err := secretFromFiles(name, dir)
		if err != nil {
			return err
		}
		files = append(files, sec)
	}

	plays := make([]play, len(overlays))
	for i, dir := range overlays {
		objs, err := render(dir)
		if err != nil {
			return err
		}
		if plays[i], err = translate(objs, ports, files); err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
	}

	switch cmd {
	case "render":
		for i, p := range plays {
			fmt.Printf("# %s\n", overlays[i])
			for _, s := range p.Secrets {
				fmt.Printf("# podman secret %s: keys %s\n", s.Name, strings.Join(s.Keys, ", "))
			}
			for _, d := range p.Dropped {
				fmt.Printf("# dropped: %s\n", d)
			}
			for _, w := range p.Workloads {
				fmt.Printf("# pod %s, names %s\n%s", w.Pod, strings.Join(w.Aliases, ", "), w.Play)
			}
			for _, w := range p.Jobs {
				fmt.Printf("# job %s (podplay job)\n%s", w.Pod, w.Play)
			}
		}
		return nil
	case "up":
		return e.up(ctx, plays, false)
	case "replace":
		return e.up(ctx, plays, true)
	case "down":
		return e.down(ctx, plays)
	case "job":
		return e.job(ctx, plays)
	}
	fs.Usage()
	return fmt.Errorf("unknown command %q", cmd)
}
