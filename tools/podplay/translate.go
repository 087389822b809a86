package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// A workload is one pod podman runs: a Deployment as the manifests give
// it, or a StatefulSet's pod as one.
type workload struct {
	Name string
	// Pod is the name podman kube play gives the pod (NAME-pod-0), and
	// POD-CONTAINER each container's.
	Pod string
	// Aliases are the Services that select the pod: its names on the
	// network, as the cluster's DNS gives them.
	Aliases []string
	// Play is the YAML podman kube play runs: the ConfigMaps and volume
	// claims the pod uses, then the Deployment.
	Play []byte
	// Volumes are the podman volumes of its claims and emptyDirs.
	Volumes []string
	// Claims are its claims' volumes: data that outlives the pod, kept by
	// a replacement, removed by down.
	Claims []string
	// Copies are the podman volumes podman 4.3 fills from a ConfigMap or
	// Secret when it makes them, named after it, and never refills: up
	// removes them first so a pod sees the data of its play.
	Copies []string
	Spec   corev1.PodSpec
}

// A secret is one podman secret the pods read.
type secret struct {
	Name string
	// Keys are the secret's keys, to show without their values.
	Keys []string
	// Data is what podman secret create stores: a JSON object of the
	// secret's keys (see encodeSecret).
	Data []byte
}

// A play is everything an overlay runs in podman, and what podman has no
// equivalent for.
type play struct {
	Workloads []workload
	// Jobs are the CronJobs' pods, run once by podplay job.
	Jobs    []workload
	Secrets []secret
	// Dropped names each object podman has no equivalent for.
	Dropped []string
}

// object is one rendered object with the fields that pick its type.
type object struct {
	Kind     string `json:"kind"`
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	raw []byte
}

// render builds the kustomization in dir as make dev-apply does (kubectl
// kustomize --load-restrictor LoadRestrictionsNone).
func render(dir string) ([]object, error) {
	opts := krusty.MakeDefaultOptions()
	opts.LoadRestrictions = types.LoadRestrictionsNone
	resMap, err := krusty.MakeKustomizer(opts).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", dir, err)
	}
	var objs []object
	for _, res := range resMap.Resources() {
		data, err := res.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("render %s: %s: %w", dir, res.CurId(), err)
		}
		var o object
		if err := json.Unmarshal(data, &o); err != nil {
			return nil, fmt.Errorf("render %s: %s: %w", dir, res.CurId(), err)
		}
		o.raw = data
		objs = append(objs, o)
	}
	return objs, nil
}

// decode decodes o strictly into v: a field the API type does not know is
// a mistake in the manifest.
func (o object) decode(v any) error {
	strict, err := kjson.UnmarshalStrict(o.raw, v)
	if err == nil && len(strict) > 0 {
		err = strict[0]
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", o.Kind, o.Metadata.Name, err)
	}
	return nil
}

// hostPorts maps a NodePort to the host address kind publishes it on
// (kind-config.yaml's extraPortMappings), so podman publishes each port
// where the Kind cluster does.
type hostPorts map[int32]hostPort

type hostPort struct {
	IP   string
	Port int32
}

// readKindConfig reads the port mappings of a kind cluster's config.
func readKindConfig(path string) (hostPorts, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("kind config: %w", err)
	}
	var cfg struct {
		Nodes []struct {
			ExtraPortMappings []struct {
				ContainerPort int32  `json:"containerPort"`
				HostPort      int32  `json:"hostPort"`
				ListenAddress string `json:"listenAddress"`
			} `json:"extraPortMappings"`
		} `json:"nodes"`
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("kind config %s: %w", path, err)
	}
	ports := hostPorts{}
	for _, n := range cfg.Nodes {
		for _, m := range n.ExtraPortMappings {
			ports[m.ContainerPort] = hostPort{IP: m.ListenAddress, Port: m.HostPort}
		}
	}
	return ports, nil
}

// translate turns an overlay's objects into what podman kube play (4.3)
// runs. What it changes, because podman has no equivalent:
//
//   - a Service becomes names on the network (its pods' aliases) and, for
//     a NodePort, a hostPort on the container port it targets, on the host
//     address kind maps that NodePort to;
//   - a StatefulSet becomes a Deployment of its pod, its volume claim
//     templates claims of their own (named as the cluster names them);
//   - a Secret becomes a podman secret (see encodeSecret);
//   - a CronJob becomes a Pod of its job, in Jobs, which podplay job runs
//     once, as kubectl create job --from=cronjob/NAME would: podman runs
//     no schedule;
//   - Namespaces and NetworkPolicies are dropped, and named in Dropped:
//     podman has one namespace and enforces no policy.
//
// files are Secrets made from files (make dev-apply's sales-keys): each
// becomes a podman secret with the play whose pods read it.
func translate(objs []object, ports hostPorts, files []corev1.Secret) (play, error) {
	var (
		p          play
		configMaps [][]byte
		services   []corev1.Service
		secrets    []corev1.Secret
		pods       []appsv1.Deployment
		cronJobs   []batchv1.CronJob
		jobs       []appsv1.Deployment // the CronJobs' pods, for their secrets
		claims     = map[string][]corev1.PersistentVolumeClaim{}
	)
	for _, o := range objs {
		switch o.Kind {
		case "ConfigMap":
			configMaps = append(configMaps, o.raw)
		case "Secret":
			var s corev1.Secret
			if err := o.decode(&s); err != nil {
				return play{}, err
			}
			secrets = append(secrets, s)
		case "Service":
			var s corev1.Service
			if err := o.decode(&s); err != nil {
				return play{}, err
			}
			services = append(services, s)
		case "Deployment":
			var d appsv1.Deployment
			if err := o.decode(&d); err != nil {
				return play{}, err
			}
			pods = append(pods, d)
		case "StatefulSet":
			var s appsv1.StatefulSet
			if err := o.decode(&s); err != nil {
				return play{}, err
			}
			d, pvcs := deploymentOf(s)
			pods = append(pods, d)
			claims[d.Name] = pvcs
		case "CronJob":
			var c batchv1.CronJob
			if err := o.decode(&c); err != nil {
				return play{}, err
			}
			cronJobs = append(cronJobs, c)
			jobs = append(jobs, appsv1.Deployment{Spec: appsv1.DeploymentSpec{Template: c.Spec.JobTemplate.Spec.Template}})
		case "Namespace", "NetworkPolicy":
			p.Dropped = append(p.Dropped, o.Kind+" "+o.Metadata.Name)
		default:
			return play{}, fmt.Errorf("%s %s: podman kube play has no equivalent, and this tool does not know what to do with it", o.Kind, o.Metadata.Name)
		}
	}

	selected := map[string]bool{}
	for _, d := range pods {
		setOptional(&d.Spec.Template.Spec)
		// podman 4.3 gives init containers the pod's restart policy, so
		// under Always an init container that is done starts again, and
		// the pod never starts. OnFailure restarts what crashes and lets
		// what is done be.
		//
		// A container that a preStop hook stops (the database's pg_ctl
		// stop) exits before podman's stop reaches it, and under Always
		// podman starts it again at once, which the kubelet never does in
		// a pod being stopped: the stop then met a fresh Postgres and
		// waited out its grace period. OnFailure lets a clean exit be.
		if len(d.Spec.Template.Spec.InitContainers) > 0 || hasPreStopExec(d.Spec.Template.Spec) {
			d.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
		}
		w := workload{Name: d.Name, Pod: d.Name + "-pod-0"}
		w.Volumes = scopeEmptyDirs(d.Name, &d.Spec.Template.Spec)
		w.Copies = copies(d.Spec.Template.Spec)
		podLabels := labels.Set(d.Spec.Template.Labels)
		for _, s := range services {
			if len(s.Spec.Selector) == 0 || !labels.SelectorFromSet(s.Spec.Selector).Matches(podLabels) {
				continue
			}
			w.Aliases = append(w.Aliases, s.Name)
			selected[s.Name] = true
			if err := publish(&d.Spec.Template.Spec, s, ports); err != nil {
				return play{}, err
			}
		}
		loopbackOnly(&d.Spec.Template.Spec)
		var buf bytes.Buffer
		for _, cm := range configMaps {
			if err := appendYAML(&buf, cm); err != nil {
				return play{}, err
			}
		}
		for _, c := range claims[d.Name] {
			w.Volumes = append(w.Volumes, c.Name)
			w.Claims = append(w.Claims, c.Name)
			if err := appendYAML(&buf, c); err != nil {
				return play{}, err
			}
		}
		if err := appendYAML(&buf, d); err != nil {
			return play{}, err
		}
		w.Play = buf.Bytes()
		w.Spec = d.Spec.Template.Spec
		p.Workloads = append(p.Workloads, w)
	}

	for _, s := range services {
		if !selected[s.Name] {
			p.Dropped = append(p.Dropped, "Service "+s.Name+" (it selects no pod here)")
		}
	}
	for _, c := range cronJobs {
		job, err := jobPod(c, configMaps)
		if err != nil {
			return play{}, err
		}
		p.Jobs = append(p.Jobs, job)
	}

	all := slices.Concat(pods, jobs)
	for _, s := range files {
		if uses(all, s.Name) {
			secrets = append(secrets, s)
		}
	}
	for _, s := range secrets {
		data, err := encodeSecret(s, all)
		if err != nil {
			return play{}, err
		}
		keys := slices.Sorted(maps.Keys(s.Data))
		for _, k := range slices.Sorted(maps.Keys(s.StringData)) {
			if _, dup := s.Data[k]; !dup {
				keys = append(keys, k)
			}
		}
		p.Secrets = append(p.Secrets, secret{Name: s.Name, Keys: keys, Data: data})
	}
	return p, nil
}

// copies are the volumes podman makes of spec's ConfigMaps and Secrets.
func copies(spec corev1.PodSpec) []string {
	var names []string
	for _, v := range spec.Volumes {
		switch {
		case v.Secret != nil:
			names = append(names, v.Secret.SecretName)
		case v.ConfigMap != nil:
			names = append(names, v.ConfigMap.Name)
		}
	}
	return names
}

// setOptional says of each secret volume what Kubernetes assumes, that it
// is not optional: podman 4.3 dereferences optional without checking that
// it is set.
func setOptional(spec *corev1.PodSpec) {
	for i := range spec.Volumes {
		if s := spec.Volumes[i].Secret; s != nil && s.Optional == nil {
			s.Optional = new(bool)
		}
	}
}

// jobPod is the Pod a CronJob's job runs, named after the CronJob, with
// the ConfigMaps before it in its play.
func jobPod(c batchv1.CronJob, configMaps [][]byte) (workload, error) {
	pod := corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: c.Name, Namespace: c.Namespace, Labels: c.Spec.JobTemplate.Spec.Template.Labels},
		Spec:       *c.Spec.JobTemplate.Spec.Template.Spec.DeepCopy(),
	}
	w := workload{Name: c.Name, Pod: c.Name}
	setOptional(&pod.Spec)
	w.Volumes = scopeEmptyDirs(c.Name, &pod.Spec)
	w.Copies = copies(pod.Spec)
	var buf bytes.Buffer
	for _, cm := range configMaps {
		if err := appendYAML(&buf, cm); err != nil {
			return workload{}, err
		}
	}
	if err := appendYAML(&buf, pod); err != nil {
		return workload{}, err
	}
	w.Play, w.Spec = buf.Bytes(), pod.Spec
	return w, nil
}

// deploymentOf is the Deployment podman runs for a StatefulSet: its one
// pod, with each volume claim template a claim named TEMPLATE-NAME-0, as
// the cluster names the first pod's.
func deploymentOf(s appsv1.StatefulSet) (appsv1.Deployment, []corev1.PersistentVolumeClaim) {
	d := appsv1.Deployment{
		TypeMeta:   s.TypeMeta,
		ObjectMeta: s.ObjectMeta,
		Spec: appsv1.DeploymentSpec{
			Replicas: s.Spec.Replicas,
			Selector: s.Spec.Selector,
			Template: *s.Spec.Template.DeepCopy(),
		},
	}
	d.Kind = "Deployment"
	var pvcs []corev1.PersistentVolumeClaim
	for _, t := range s.Spec.VolumeClaimTemplates {
		claim := t.DeepCopy()
		claim.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"}
		claim.Name = fmt.Sprintf("%s-%s-0", t.Name, s.Name)
		claim.Namespace = s.Namespace
		pvcs = append(pvcs, *claim)
		d.Spec.Template.Spec.Volumes = append(d.Spec.Template.Spec.Volumes, corev1.Volume{
			Name: t.Name,
			VolumeSource: corev1.VolumeSource{
				PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: claim.Name},
			},
		})
	}
	return d, pvcs
}

// scopeEmptyDirs names each emptyDir volume of spec after its workload and
// returns the names. podman 4.3 makes an emptyDir a named volume of the
// volume's name, which every pod with an emptyDir of that name would
// share (tempo's and prometheus's "data"), owned by whoever came first.
func scopeEmptyDirs(workload string, spec *corev1.PodSpec) []string {
	renamed := map[string]string{}
	for i := range spec.Volumes {
		v := &spec.Volumes[i]
		if v.EmptyDir == nil {
			continue
		}
		renamed[v.Name] = workload + "-" + v.Name
		v.Name = renamed[v.Name]
	}
	for _, list := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
		for i := range list {
			for j := range list[i].VolumeMounts {
				if name, ok := renamed[list[i].VolumeMounts[j].Name]; ok {
					list[i].VolumeMounts[j].Name = name
				}
			}
		}
	}
	return slices.Sorted(maps.Values(renamed))
}

// publish checks that each port of s reaches its pods on the same number,
// since in podman the Service's name leads to the pod itself, and gives
// the container port each NodePort targets the host port kind maps that
// NodePort to. With no kind config (ports nil) it publishes nothing.
func publish(spec *corev1.PodSpec, s corev1.Service, ports hostPorts) error {
	for _, sp := range s.Spec.Ports {
		target := sp.TargetPort
		if target == (intstr.IntOrString{}) {
			target = intstr.FromInt32(sp.Port)
		}
		var matched []*corev1.ContainerPort
		for i := range spec.Containers {
			for j := range spec.Containers[i].Ports {
				cp := &spec.Containers[i].Ports[j]
				if (target.Type == intstr.String && cp.Name == target.StrVal) ||
					(target.Type == intstr.Int && cp.ContainerPort == target.IntVal) {
					matched = append(matched, cp)
				}
			}
		}
		if len(matched) == 0 {
			return fmt.Errorf("service %s: port %s targets no container port of the pods it selects", s.Name, target.String())
		}
		for _, cp := range matched {
			if cp.ContainerPort != sp.Port {
				return fmt.Errorf("service %s: port %d leads to container port %d, which podman cannot do (its name leads to the pod): make them equal", s.Name, sp.Port, cp.ContainerPort)
			}
		}
		if sp.NodePort == 0 || ports == nil {
			continue
		}
		host, ok := ports[sp.NodePort]
		if !ok {
			return fmt.Errorf("service %s: NodePort %d is not mapped to the host in the kind config", s.Name, sp.NodePort)
		}
		for _, cp := range matched {
			cp.HostPort, cp.HostIP = host.Port, host.IP
		}
	}
	return nil
}

// loopbackOnly binds every container port that no NodePort maps to the
// loopback address: podman 4.3's kube play publishes a containerPort
// without a hostPort on the host's port of that number, on every
// interface, where a cluster publishes nothing (the dev database's
// superuser password is public).
func loopbackOnly(spec *corev1.PodSpec) {
	for i := range spec.Containers {
		for j := range spec.Containers[i].Ports {
			if cp := &spec.Containers[i].Ports[j]; cp.HostIP == "" {
				cp.HostIP = "127.0.0.1"
			}
		}
	}
}

// uses reports whether a pod of pods mounts secret name as a volume.
func uses(pods []appsv1.Deployment, name string) bool {
	for _, d := range pods {
		for _, v := range d.Spec.Template.Spec.Volumes {
			if v.Secret != nil && v.Secret.SecretName == name {
				return true
			}
		}
	}
	return false
}

// encodeSecret is s as podman 4.3's kube play reads a secret, which
// differs by use: for env vars (secretKeyRef) a JSON object of the keys
// with base64 values; for a secret volume an object whose "data" holds
// the keys with their plain values. A secret used both ways cannot be
// given.
func encodeSecret(s corev1.Secret, pods []appsv1.Deployment) ([]byte, error) {
	asEnv, asVolume := false, uses(pods, s.Name)
	for _, d := range pods {
		spec := d.Spec.Template.Spec
		for _, c := range slices.Concat(spec.InitContainers, spec.Containers) {
			for _, e := range c.Env {
				if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil && e.ValueFrom.SecretKeyRef.Name == s.Name {
					asEnv = true
				}
			}
		}
	}
	if asEnv && asVolume {
		return nil, fmt.Errorf("secret %s is read both as env vars and as a volume, which podman 4.3 cannot both serve", s.Name)
	}
	// stringData is written over data, as the API server does.
	values := map[string]string{}
	for k, v := range s.Data {
		values[k] = string(v)
	}
	for k, v := range s.StringData {
		values[k] = v
	}
	if asVolume {
		return json.Marshal(map[string]any{"data": values})
	}
	for k, v := range values {
		values[k] = base64.StdEncoding.EncodeToString([]byte(v))
	}
	return json.Marshal(values)
}

// secretFromFiles is the Secret kubectl create secret generic
// --from-file=DIR makes: a key per regular file.
func secretFromFiles(name, dir string) (corev1.Secret, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return corev1.Secret{}, fmt.Errorf("secret %s: %w", name, err)
	}
	s := corev1.Secret{ObjectMeta: objectMeta(name), Data: map[string][]byte{}}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		data, err := os.ReadFile(dir + "/" + e.Name())
		if err != nil {
			return corev1.Secret{}, fmt.Errorf("secret %s: %w", name, err)
		}
		s.Data[e.Name()] = data
	}
	if len(s.Data) == 0 {
		return corev1.Secret{}, fmt.Errorf("secret %s: no files in %s", name, dir)
	}
	return s, nil
}

func objectMeta(name string) metav1.ObjectMeta { return metav1.ObjectMeta{Name: name} }

// appendYAML appends v (an API object, or JSON) to buf as a YAML document.
func appendYAML(buf *bytes.Buffer, v any) error {
	var data []byte
	var err error
	if raw, ok := v.([]byte); ok {
		data, err = yaml.JSONToYAML(raw)
	} else {
		data, err = yaml.Marshal(v)
	}
	if err != nil {
		return err
	}
	if buf.Len() > 0 {
		buf.WriteString("---\n")
	}
	buf.Write(data)
	return nil
}

// hasPreStopExec reports whether a container of spec has a preStop hook
// that runs a command, which may stop the container by itself.
func hasPreStopExec(spec corev1.PodSpec) bool {
	for _, c := range spec.Containers {
		if c.Lifecycle != nil && c.Lifecycle.PreStop != nil && c.Lifecycle.PreStop.Exec != nil {
			return true
		}
	}
	return false
}
