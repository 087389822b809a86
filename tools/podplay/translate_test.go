package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
)

// TestTranslate renders the local overlays, offline, and checks what
// podman is given for each: the pod's names on the network and the ports
// published where kind publishes them, the StatefulSet's claim, the
// secrets in the form podman 4.3 reads, and what has no equivalent.
func TestTranslate(t *testing.T) {
	root := filepath.Join("..", "..")
	ports, err := readKindConfig(filepath.Join(root, "zarf/k8s/dev/kind-config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	keys := corev1.Secret{Data: map[string][]byte{"kid.pem": []byte("-----BEGIN PRIVATE KEY-----\n")}}
	keys.Name = "sales-keys"

	type published struct {
		Container string
		Port      int32
		HostIP    string
		HostPort  int32
	}
	type want struct {
		Pods      []string
		Aliases   [][]string
		Published []published
		Volumes   [][]string
		Secrets   map[string]string
		Jobs      []string
		Dropped   []string
	}
	tests := []struct {
		overlay string
		want    want
	}{
		{"database", want{
			Pods:    []string{"database-pod-0"},
			Aliases: [][]string{{"database"}},
			Volumes: [][]string{{"data-database-0"}},
			// Read into env vars: base64 values.
			Secrets: map[string]string{"database": `{"password":"cG9zdGdyZXM="}`},
			Dropped: []string{"Namespace sales-system"},
		}},
		{"tempo", want{
			Pods:      []string{"tempo-pod-0"},
			Aliases:   [][]string{{"tempo"}},
			Published: []published{{"tempo", 3200, "127.0.0.1", 3200}},
			Volumes:   [][]string{{"tempo-data"}},
			Secrets:   map[string]string{},
			Dropped:   []string{"Namespace sales-system"},
		}},
		{"prometheus", want{
			Pods:      []string{"prometheus-pod-0"},
			Aliases:   [][]string{{"prometheus"}},
			Published: []published{{"prometheus", 9090, "127.0.0.1", 9090}},
			Volumes:   [][]string{{"prometheus-data"}},
			Secrets:   map[string]string{},
			Dropped:   []string{"Namespace sales-system"},
		}},
		{"sales", want{
			Pods:    []string{"sales-pod-0"},
			Aliases: [][]string{{"sales-service", "sales-debug"}},
			Published: []published{
				{"sales-api", 3000, "127.0.0.1", 3000},
				{"sales-api", 3010, "127.0.0.1", 3010},
				{"metrics", 4000, "127.0.0.1", 4000},
			},
			Volumes: [][]string{nil},
			// Mounted as a volume: plain values under "data".
			Secrets: map[string]string{"sales-keys": `{"data":{"kid.pem":"-----BEGIN PRIVATE KEY-----\n"}}`},
			Jobs:    []string{"sales-dump"},
			Dropped: []string{"Namespace sales-system", "NetworkPolicy sales", "NetworkPolicy sales-debug"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.overlay, func(t *testing.T) {
			objs, err := render(filepath.Join(root, "zarf/k8s/local", tt.overlay))
			if err != nil {
				t.Fatal(err)
			}
			p, err := translate(objs, ports, []corev1.Secret{keys})
			if err != nil {
				t.Fatal(err)
			}
			got := want{Secrets: map[string]string{}, Dropped: p.Dropped}
			for _, w := range p.Workloads {
				got.Pods = append(got.Pods, w.Pod)
				got.Aliases = append(got.Aliases, w.Aliases)
				got.Volumes = append(got.Volumes, w.Volumes)
				for _, c := range w.Spec.Containers {
					for _, cp := range c.Ports {
						// podman 4.3 publishes a containerPort without a
						// hostPort: on loopback, never every interface.
						if cp.HostIP != "127.0.0.1" {
							t.Errorf("%s: container port %d binds %q, want 127.0.0.1", c.Name, cp.ContainerPort, cp.HostIP)
						}
						if cp.HostPort != 0 {
							got.Published = append(got.Published, published{c.Name, cp.ContainerPort, cp.HostIP, cp.HostPort})
						}
					}
				}
				// podman 4.3 would restart a finished init container under
				// Always.
				if len(w.Spec.InitContainers) > 0 && w.Spec.RestartPolicy != corev1.RestartPolicyOnFailure {
					t.Errorf("%s has init containers and restart policy %q, want OnFailure", w.Pod, w.Spec.RestartPolicy)
				}
				// Nor may podman start again what a preStop hook stopped.
				if hasPreStopExec(w.Spec) && w.Spec.RestartPolicy != corev1.RestartPolicyOnFailure {
					t.Errorf("%s has a preStop command and restart policy %q, want OnFailure", w.Pod, w.Spec.RestartPolicy)
				}
				// podman 4.3 panics on a secret volume whose optional is unset.
				for _, v := range w.Spec.Volumes {
					if v.Secret != nil && v.Secret.Optional == nil {
						t.Errorf("%s: secret volume %s has no optional", w.Pod, v.Name)
					}
				}
			}
			for _, s := range p.Secrets {
				got.Secrets[s.Name] = string(s.Data)
			}
			for _, j := range p.Jobs {
				got.Jobs = append(got.Jobs, j.Pod)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("what podman is given (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTranslateRefuses checks what podman cannot be given is refused with
// a reason rather than half run.
func TestTranslateRefuses(t *testing.T) {
	deployment := func(spec string) object {
		raw := `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"api"},"spec":{"selector":{"matchLabels":{"app":"api"}},"template":{"metadata":{"labels":{"app":"api"}},"spec":` + spec + `}}}`
		o := object{Kind: "Deployment", raw: []byte(raw)}
		o.Metadata.Name = "api"
		return o
	}
	service := func(nodePort int) object {
		raw, _ := json.Marshal(map[string]any{
			"apiVersion": "v1", "kind": "Service", "metadata": map[string]any{"name": "api"},
			"spec": map[string]any{"selector": map[string]any{"app": "api"}, "type": "NodePort",
				"ports": []any{map[string]any{"port": 80, "targetPort": "http", "nodePort": nodePort}}},
		})
		o := object{Kind: "Service", raw: raw}
		o.Metadata.Name = "api"
		return o
	}
	secret := object{Kind: "Secret", raw: []byte(`{"apiVersion":"v1","kind":"Secret","metadata":{"name":"pw"},"data":{"p":"eA=="}}`)}
	secret.Metadata.Name = "pw"
	ports := hostPorts{30000: {IP: "127.0.0.1", Port: 3000}}

	tests := []struct {
		name string
		objs []object
		want string // in the error
	}{
		{"a kind it does not know", []object{{Kind: "Ingress"}}, "no equivalent"},
		{"a field the API type does not know", []object{deployment(`{"containerz":[]}`)}, `unknown field "spec.template.spec.containerz"`},
		{"a NodePort kind does not map", []object{service(31111), deployment(`{"containers":[{"name":"a","image":"x","ports":[{"name":"http","containerPort":80}]}]}`)}, "NodePort 31111 is not mapped"},
		{"a Service port no container has", []object{service(30000), deployment(`{"containers":[{"name":"a","image":"x","ports":[{"name":"web","containerPort":80}]}]}`)}, "targets no container port"},
		{"a Service port that differs from its container port", []object{service(30000), deployment(`{"containers":[{"name":"a","image":"x","ports":[{"name":"http","containerPort":8080}]}]}`)}, "leads to container port 8080"},
		{"a secret read as env and mounted", []object{secret, deployment(`{"volumes":[{"name":"v","secret":{"secretName":"pw"}}],"containers":[{"name":"a","image":"x","env":[{"name":"P","valueFrom":{"secretKeyRef":{"name":"pw","key":"p"}}}]}]}`)}, "both as env vars and as a volume"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := translate(tt.objs, ports, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("translate = %d workloads, %v; want an error with %q", len(p.Workloads), err, tt.want)
			}
		})
	}
}
