package validate

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// overlays are the kustomizations `make dev-apply` renders, in its order,
// plus the bases they build on: a base must render on its own too.
var overlays = []string{
	"dev/database",
	"dev/tempo",
	"dev/prometheus",
	"dev/grafana",
	"dev/sales",
	"base/namespace",
	"base/database",
	"base/tempo",
	"base/prometheus",
	"base/grafana",
	"base/sales",
	"prod/sales",
}

// typeMeta is the part of every object that picks its Go type.
type typeMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
}

// apiTypes are the Kubernetes types the manifests may use, by
// apiVersion/kind. A kind not listed here fails the test: add its type
// rather than letting it through unchecked.
var apiTypes = map[typeMeta]func() any{
	{"v1", "Namespace"}:        func() any { return new(corev1.Namespace) },
	{"v1", "Service"}:          func() any { return new(corev1.Service) },
	{"v1", "ConfigMap"}:        func() any { return new(corev1.ConfigMap) },
	{"v1", "Secret"}:           func() any { return new(corev1.Secret) },
	{"apps/v1", "Deployment"}:  func() any { return new(appsv1.Deployment) },
	{"apps/v1", "StatefulSet"}: func() any { return new(appsv1.StatefulSet) },
	{"batch/v1", "CronJob"}:    func() any { return new(batchv1.CronJob) },

	{"networking.k8s.io/v1", "NetworkPolicy"}:     func() any { return new(networkingv1.NetworkPolicy) },
	{"policy/v1", "PodDisruptionBudget"}:          func() any { return new(policyv1.PodDisruptionBudget) },
	{"autoscaling/v2", "HorizontalPodAutoscaler"}: func() any { return new(autoscalingv2.HorizontalPodAutoscaler) },
}

// object is one rendered object, decoded into its API type.
type object struct {
	typeMeta
	Name      string
	Namespace string
	// Obj is a pointer to the API type: *corev1.Service, *appsv1.Deployment, ...
	Obj any
}

func (o object) String() string { return fmt.Sprintf("%s %s/%s", o.Kind, o.Namespace, o.Name) }

// render builds the kustomization in dir (relative to zarf/k8s) from disk,
// the way `make dev-apply` does (kubectl kustomize --load-restrictor
// LoadRestrictionsNone), and decodes every object strictly.
func render(t *testing.T, dir string) []object {
	t.Helper()
	path := filepath.Join(repoRoot(t), "zarf", "k8s", filepath.FromSlash(dir))
	objs, err := renderFS(filesys.MakeFsOnDisk(), path)
	if err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	return objs
}

// renderFS builds the kustomization at path in fsys and decodes every
// object with decodeStrict.
//
// The load restrictor is off because the ConfigMap generators read the
// canonical config files under zarf/grafana, zarf/prometheus and zarf/tempo,
// which compose mounts too: one copy of each, outside zarf/k8s.
func renderFS(fsys filesys.FileSystem, path string) ([]object, error) {
	opts := krusty.MakeDefaultOptions()
	opts.LoadRestrictions = types.LoadRestrictionsNone
	resMap, err := krusty.MakeKustomizer(opts).Run(fsys, path)
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}

	var objs []object
	for _, res := range resMap.Resources() {
		data, err := res.AsYAML()
		if err != nil {
			return nil, fmt.Errorf("render %s: %w", res.CurId(), err)
		}
		obj, err := decodeStrict(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", res.CurId(), err)
		}
		objs = append(objs, obj)
	}
	return objs, nil
}

// decodeStrict decodes one YAML object into the Go type of its
// apiVersion/kind the way an API server with strict field validation does:
// field names are case-sensitive, and an unknown field, a duplicate field
// or a value of the wrong type is an error.
func decodeStrict(data []byte) (object, error) {
	js, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		return object{}, fmt.Errorf("yaml: %w", err)
	}

	var tm typeMeta
	if err := kjson.UnmarshalCaseSensitivePreserveInts(js, &tm); err != nil {
		return object{}, fmt.Errorf("type of object: %w", err)
	}
	newObj, ok := apiTypes[tm]
	if !ok {
		return object{}, fmt.Errorf("apiVersion %q kind %q is not a known API type", tm.APIVersion, tm.Kind)
	}

	obj := newObj()
	strictErrs, err := kjson.UnmarshalStrict(js, obj)
	if err != nil {
		return object{}, fmt.Errorf("decode %s: %w", tm.Kind, err)
	}
	if len(strictErrs) > 0 {
		msgs := make([]string, len(strictErrs))
		for i, e := range strictErrs {
			msgs[i] = e.Error()
		}
		return object{}, fmt.Errorf("decode %s strictly: %s", tm.Kind, strings.Join(msgs, "; "))
	}

	// Every one of the apiTypes embeds ObjectMeta.
	meta := obj.(metav1.Object)
	return object{typeMeta: tm, Name: meta.GetName(), Namespace: meta.GetNamespace(), Obj: obj}, nil
}

// =============================================================================
// Views of rendered objects

// renderAll renders every dev overlay: together they are what runs in the
// dev cluster.
func renderAll(t *testing.T) []object {
	t.Helper()
	var all []object
	for _, dir := range overlays {
		if strings.HasPrefix(dir, "dev/") {
			all = append(all, render(t, dir)...)
		}
	}
	return all
}

// workload is a Deployment's, StatefulSet's or CronJob's pod template.
type workload struct {
	Kind, Name string
	Pod        *corev1.PodTemplateSpec
}

func workloads(objs []object) []workload {
	var ws []workload
	for _, o := range objs {
		switch w := o.Obj.(type) {
		case *appsv1.Deployment:
			ws = append(ws, workload{o.Kind, o.Name, &w.Spec.Template})
		case *appsv1.StatefulSet:
			ws = append(ws, workload{o.Kind, o.Name, &w.Spec.Template})
		case *batchv1.CronJob:
			ws = append(ws, workload{o.Kind, o.Name, &w.Spec.JobTemplate.Spec.Template})
		}
	}
	return ws
}

// find returns the object of that kind and name.
func find[T any](t *testing.T, objs []object, kind, name string) T {
	t.Helper()
	for _, o := range objs {
		if o.Kind == kind && o.Name == name {
			return o.Obj.(T)
		}
	}
	t.Fatalf("no %s %q in the rendered manifests", kind, name)
	var zero T
	return zero
}

// configMaps returns the ConfigMaps by their rendered (hashed) name.
func configMaps(objs []object) map[string]*corev1.ConfigMap {
	cms := make(map[string]*corev1.ConfigMap)
	for _, o := range objs {
		if cm, ok := o.Obj.(*corev1.ConfigMap); ok {
			cms[cm.Name] = cm
		}
	}
	return cms
}

// containerEnv returns every environment variable a container sees, from
// env and from envFrom ConfigMaps (Secrets in envFrom are not used here),
// with its literal value when it has one.
func containerEnv(t *testing.T, c corev1.Container, cms map[string]*corev1.ConfigMap) map[string]string {
	t.Helper()
	env := make(map[string]string)
	for _, from := range c.EnvFrom {
		switch {
		case from.ConfigMapRef != nil:
			cm, ok := cms[from.ConfigMapRef.Name]
			if !ok {
				t.Fatalf("container %s: envFrom ConfigMap %q is not rendered with it", c.Name, from.ConfigMapRef.Name)
			}
			for k, v := range cm.Data {
				env[from.Prefix+k] = v
			}
		default:
			t.Fatalf("container %s: envFrom other than a ConfigMap: add it to containerEnv", c.Name)
		}
	}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	return env
}
