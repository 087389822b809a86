package validate

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	kjson "sigs.k8s.io/json"
	kindv1alpha4 "sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// namespace is where every object of the kit lives.
const namespace = "sales-system"

func TestOverlaysRenderStrictly(t *testing.T) {
	for _, dir := range overlays {
		t.Run(dir, func(t *testing.T) {
			objs := render(t, dir)
			if len(objs) == 0 {
				t.Fatal("renders no objects")
			}
			for _, o := range objs {
				if o.Kind != "Namespace" && o.Namespace != namespace {
					t.Errorf("%s: namespace %q, want %q", o, o.Namespace, namespace)
				}
			}
			if !strings.HasPrefix(dir, "dev/") && !strings.HasPrefix(dir, "prod/") {
				return
			}
			// What a cluster runs must be complete.
			for _, w := range workloads(objs) {
				all := append(slices.Clone(w.Pod.Spec.InitContainers), w.Pod.Spec.Containers...)
				for _, c := range all {
					if err := checkImage(c.Image); err != nil {
						t.Errorf("%s %s container %s: %v", w.Kind, w.Name, c.Name, err)
					}
					for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
						if _, ok := c.Resources.Requests[res]; !ok {
							t.Errorf("%s %s container %s: no %s request", w.Kind, w.Name, c.Name, res)
						}
						if _, ok := c.Resources.Limits[res]; !ok {
							t.Errorf("%s %s container %s: no %s limit", w.Kind, w.Name, c.Name, res)
						}
					}
				}
				for _, c := range w.Pod.Spec.Containers {
					// A job's pod serves nothing: it runs and ends.
					if c.ReadinessProbe == nil && w.Kind != "CronJob" {
						t.Errorf("%s %s container %s: no readiness probe", w.Kind, w.Name, c.Name)
					}
				}
			}
		})
	}
}

// checkImage says why an image reference is not fit for the dev cluster.
func checkImage(image string) error {
	name, _, _ := strings.Cut(image[strings.LastIndex(image, "/")+1:], ":")
	switch {
	case strings.HasSuffix(name, "-image"):
		return fmt.Errorf("image %s is a base placeholder the overlay does not replace", image)
	case !strings.Contains(image[strings.LastIndex(image, "/")+1:], ":"):
		return fmt.Errorf("image %s has no tag", image)
	case strings.HasSuffix(image, ":latest"):
		return fmt.Errorf("image %s is :latest", image)
	}
	return nil
}

// TestDecodeStrictRejectsBrokenManifests renders broken manifests from
// memory through the same path as the real ones and expects each to fail:
// kustomize passes unknown fields through, so only the strict decode stands
// between a typo and a cluster that ignores it.
func TestDecodeStrictRejectsBrokenManifests(t *testing.T) {
	const good = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  namespace: sales-system
spec:
  replicas: 1
  selector:
    matchLabels:
      app: app
  template:
    metadata:
      labels:
        app: app
    spec:
      containers:
        - name: app
          image: garagesale/sales-api:dev
          imagePullPolicy: IfNotPresent
          ports:
            - containerPort: 3000
          readinessProbe:
            httpGet:
              path: /debug/readiness
              port: 3010
`
	tests := []struct {
		name    string
		old     string // replaced in good by new
		new     string
		wantErr string // "" means it must render and decode
	}{
		{name: "the good one decodes", wantErr: ""},
		{name: "misspelled field", old: "imagePullPolicy:", new: "imagePullPolcy:", wantErr: `unknown field "spec.template.spec.containers[0].imagePullPolcy"`},
		{name: "field in the wrong case", old: "containerPort:", new: "containerport:", wantErr: `unknown field "spec.template.spec.containers[0].ports[0].containerport"`},
		{name: "field at the wrong level", old: "          readinessProbe:\n            httpGet:", new: "          httpGet:\n            httpGet:", wantErr: `unknown field "spec.template.spec.containers[0].httpGet"`},
		{name: "string for a number", old: "replicas: 1", new: "replicas: one", wantErr: "cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"},
		{name: "number out of range", old: "containerPort: 3000", new: "containerPort: 3000000000000", wantErr: "containerPort"},
		{name: "unknown kind", old: "kind: Deployment", new: "kind: Deploymnet", wantErr: `kind "Deploymnet" is not a known API type`},
		{name: "wrong apiVersion", old: "apiVersion: apps/v1", new: "apiVersion: v1", wantErr: `apiVersion "v1" kind "Deployment" is not a known API type`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			manifest := good
			if tt.old != "" {
				if !strings.Contains(good, tt.old) {
					t.Fatalf("the good manifest has no %q to break", tt.old)
				}
				manifest = strings.Replace(good, tt.old, tt.new, 1)
			}

			fsys := filesys.MakeFsInMemory()
			files := map[string]string{
				"/app/kustomization.yaml": "resources:\n  - app.yaml\n",
				"/app/app.yaml":           manifest,
			}
			for name, content := range files {
				if err := fsys.WriteFile(name, []byte(content)); err != nil {
					t.Fatal(err)
				}
			}

			objs, err := renderFS(fsys, "/app")
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("renderFS: %v", err)
				}
				if len(objs) != 1 || objs[0].Name != "app" {
					t.Fatalf("renderFS = %v, want the one Deployment", objs)
				}
				return
			}
			if err == nil {
				t.Fatalf("renderFS accepted the broken manifest; want an error with %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("renderFS error = %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

// kindConfig decodes zarf/k8s/dev/kind-config.yaml strictly into kind's
// own config type.
func kindConfig(t *testing.T) kindv1alpha4.Cluster {
	t.Helper()
	js, err := yaml.YAMLToJSONStrict(readRepoFile(t, "zarf/k8s/dev/kind-config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg kindv1alpha4.Cluster
	strictErrs, err := kjson.UnmarshalStrict(js, &cfg)
	if err != nil {
		t.Fatalf("kind-config.yaml: %v", err)
	}
	for _, e := range strictErrs {
		t.Errorf("kind-config.yaml: %v", e)
	}
	if cfg.Kind != "Cluster" || cfg.APIVersion != "kind.x-k8s.io/v1alpha4" {
		t.Fatalf("kind-config.yaml is %s %s, want kind.x-k8s.io/v1alpha4 Cluster", cfg.APIVersion, cfg.Kind)
	}
	return cfg
}

// TestKindPortsAreNodePorts checks that every port kind maps to the host is
// a NodePort of a dev Service, and that every NodePort is mapped: otherwise
// localhost:PORT answers nothing.
func TestKindPortsAreNodePorts(t *testing.T) {
	cfg := kindConfig(t)

	mapped := make(map[int32]int32) // node port -> host port
	hostPorts := make(map[int32]bool)
	for _, n := range cfg.Nodes {
		for _, m := range n.ExtraPortMappings {
			mapped[m.ContainerPort] = m.HostPort
			if hostPorts[m.HostPort] {
				t.Errorf("host port %d is mapped twice", m.HostPort)
			}
			hostPorts[m.HostPort] = true
		}
	}

	nodePorts := make(map[int32]int32) // node port -> service port
	for _, o := range renderAll(t) {
		svc, ok := o.Obj.(*corev1.Service)
		if !ok {
			continue
		}
		for _, p := range svc.Spec.Ports {
			if p.NodePort != 0 {
				nodePorts[p.NodePort] = p.Port
			}
		}
	}

	if diff := cmp.Diff(sortedKeys(nodePorts), sortedKeys(mapped)); diff != "" {
		t.Errorf("kind's extraPortMappings containerPorts differ from the dev Services' nodePorts (-nodePorts +kind):\n%s", diff)
	}
}

func sortedKeys[K interface{ ~int32 | ~string }, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
