package validate

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// TestProdHasNothingKnown checks the production overlay for what the dev
// cluster may have and production must not: seeded users, a published
// debug port, an unverified or superuser database connection, unpinned
// images, a single pod.
func TestProdHasNothingKnown(t *testing.T) {
	objs := render(t, "prod/sales")
	bins := builtBinaries(t)
	cms := configMaps(objs)
	d := find[*appsv1.Deployment](t, objs, "Deployment", "sales")
	pod := d.Spec.Template.Spec
	labels := d.Spec.Template.Labels

	// No seed, whatever runs it.
	for _, c := range append(slices.Clone(pod.InitContainers), pod.Containers...) {
		if slices.Contains(append(slices.Clone(c.Command), c.Args...), "seed") {
			t.Errorf("container %s seeds the database: %v", c.Name, c.Command)
		}
		if strings.HasSuffix(c.Image, ":dev") || strings.HasSuffix(c.Image, ":latest") {
			t.Errorf("container %s runs %s, not a released version", c.Name, c.Image)
		}
	}

	// The debug port is in no Service, and no policy admits it.
	var apiContainer corev1.Container
	for _, c := range pod.Containers {
		if binaryOf(t, c) == "sales-api" {
			apiContainer = c
		}
	}
	debugPort := portOf(t, settingValue(t, bins["sales-api"], containerEnv(t, apiContainer, cms), "SALES_WEB_DEBUG_HOST"))
	isDebug := func(p intstr.IntOrString) bool {
		n, ok := resolvePort(apiContainer, p)
		return ok && n == debugPort
	}
	var policies int
	for _, o := range objs {
		switch v := o.Obj.(type) {
		case *corev1.Service:
			for _, p := range v.Spec.Ports {
				if isDebug(p.TargetPort) || p.Port == debugPort {
					t.Errorf("Service %s publishes the debug port (%s)", v.Name, p.Name)
				}
			}
		case *networkingv1.NetworkPolicy:
			if !selects(v.Spec.PodSelector.MatchLabels, labels) {
				continue
			}
			policies++
			for _, rule := range v.Spec.Ingress {
				if len(rule.Ports) == 0 {
					t.Errorf("NetworkPolicy %s admits every port, the debug port too", v.Name)
				}
				for _, p := range rule.Ports {
					if p.Port != nil && isDebug(*p.Port) {
						t.Errorf("NetworkPolicy %s admits the debug port", v.Name)
					}
				}
			}
		}
	}
	if policies == 0 {
		t.Error("no NetworkPolicy selects the sales pods")
	}

	// Behind the ingress every connection is the controller's: the API
	// must read the client from its header, believe it only from trusted
	// proxies, and admit nothing else to the API port.
	apiEnv := containerEnv(t, apiContainer, cms)
	if h := settingValue(t, bins["sales-api"], apiEnv, "SALES_WEB_CLIENT_IP_HEADER"); h == "" {
		t.Error("SALES_WEB_CLIENT_IP_HEADER is not set: behind the ingress every client would share its address, and one client's failures lock out all")
	}
	if p := settingValue(t, bins["sales-api"], apiEnv, "SALES_WEB_TRUSTED_PROXIES"); p == "" {
		t.Error("SALES_WEB_TRUSTED_PROXIES is not set: the client address header needs the proxies it is believed from")
	}
	isAPI := func(p intstr.IntOrString) bool {
		n, ok := resolvePort(apiContainer, p)
		return ok && n == portOf(t, settingValue(t, bins["sales-api"], apiEnv, "SALES_WEB_API_HOST"))
	}
	for _, o := range objs {
		np, ok := o.Obj.(*networkingv1.NetworkPolicy)
		if !ok || !selects(np.Spec.PodSelector.MatchLabels, labels) {
			continue
		}
		for _, rule := range np.Spec.Ingress {
			// A rule without ports, or a port without a number, admits
			// every port, the API's too.
			covers := len(rule.Ports) == 0
			for _, p := range rule.Ports {
				covers = covers || p.Port == nil || isAPI(*p.Port)
			}
			if covers {
				if len(rule.From) == 0 {
					t.Errorf("NetworkPolicy %s admits anyone to the API port: only the ingress controller may reach it", np.Name)
				}
				for _, peer := range rule.From {
					if peer.NamespaceSelector == nil || peer.PodSelector == nil || len(peer.PodSelector.MatchLabels) == 0 {
						t.Errorf("NetworkPolicy %s admits %+v to the API port, not just the ingress controller's pods", np.Name, peer)
					}
				}
			}
		}
	}

	// The database: an application role over verified TLS, its password
	// from a Secret, the CA's file mounted where the setting says.
	env := containerEnv(t, apiContainer, cms)
	setting := func(name string) string { return settingValue(t, bins["sales-api"], env, name) }
	if u := setting("SALES_DB_USER"); u == "postgres" || u == "" {
		t.Errorf("SALES_DB_USER is %q: production connects as an application role, not the superuser", u)
	}
	if m := setting("SALES_DB_TLS_MODE"); m != "verify-full" {
		t.Errorf("SALES_DB_TLS_MODE is %q, want verify-full", m)
	}
	ca := setting("SALES_DB_TLS_ROOT_CERT")
	mounted := false
	for _, m := range apiContainer.VolumeMounts {
		if strings.HasPrefix(ca, strings.TrimSuffix(m.MountPath, "/")+"/") {
			for _, v := range pod.Volumes {
				mounted = mounted || (v.Name == m.Name && v.Secret != nil)
			}
		}
	}
	if !mounted {
		t.Errorf("SALES_DB_TLS_ROOT_CERT %s is not in a Secret volume mounted in the container", ca)
	}
	for _, e := range apiContainer.Env {
		if e.Name == "SALES_DB_PASSWORD" && (e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil) {
			t.Error("SALES_DB_PASSWORD does not come from a Secret")
		}
	}

	// Kept available and scaled, within the database's connections.
	pdb := find[*policyv1.PodDisruptionBudget](t, objs, "PodDisruptionBudget", "sales")
	if !selects(pdb.Spec.Selector.MatchLabels, labels) || pdb.Spec.MinAvailable == nil || pdb.Spec.MinAvailable.IntValue() < 1 {
		t.Errorf("the PodDisruptionBudget does not keep a sales pod: %+v", pdb.Spec)
	}
	hpa := find[*autoscalingv2.HorizontalPodAutoscaler](t, objs, "HorizontalPodAutoscaler", "sales")
	if hpa.Spec.ScaleTargetRef.Kind != "Deployment" || hpa.Spec.ScaleTargetRef.Name != "sales" {
		t.Errorf("the HPA scales %s/%s, not the sales Deployment", hpa.Spec.ScaleTargetRef.Kind, hpa.Spec.ScaleTargetRef.Name)
	}
	if hpa.Spec.MinReplicas == nil || *hpa.Spec.MinReplicas < 2 {
		t.Error("the HPA allows fewer than two pods")
	}
	if d.Spec.Replicas != nil {
		t.Error("the Deployment sets replicas, which every apply would reset under the HPA")
	}
	maxConns, err := strconv.Atoi(setting("SALES_DB_MAX_CONNS"))
	if err != nil {
		t.Fatal(err)
	}
	conns := int(hpa.Spec.MaxReplicas) * (maxConns + 2) // + readiness + listener
	if conns > 98 {
		t.Errorf("at %d pods the API may open %d connections, more than Postgres' default 100 less sales-admin's 2", hpa.Spec.MaxReplicas, conns)
	}
}
