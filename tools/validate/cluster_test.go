package validate

import (
	"fmt"
	"github.com/google/go-cmp/cmp"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

// TestProdClusterIsLockedDown renders the production overlay offline and
// checks the namespace and its workloads: Pod Security "restricted"
// enforced and met by every pod (as the admission check would judge it),
// no service-account token mounted, a default deny of all traffic both
// ways, and each workload allowed DNS plus what its work needs: the API
// Postgres and OTLP, the dump Postgres and HTTPS, neither any ingress it
// does not need.
func TestProdClusterIsLockedDown(t *testing.T) {
	objs := render(t, "prod/sales")

	ns := find[*corev1.Namespace](t, objs, "Namespace", "sales-system")
	if got := ns.Labels["pod-security.kubernetes.io/enforce"]; got != "restricted" {
		t.Errorf("namespace enforces Pod Security %q, want restricted", got)
	}

	for _, w := range workloads(objs) {
		for _, problem := range restrictedProblems(w.Pod.Spec) {
			t.Errorf("%s %s: %s", w.Kind, w.Name, problem)
		}
		if a := w.Pod.Spec.AutomountServiceAccountToken; a == nil || *a {
			t.Errorf("%s %s mounts a service-account token: set automountServiceAccountToken: false", w.Kind, w.Name)
		}
	}

	var policies []*networkingv1.NetworkPolicy
	for _, o := range objs {
		if np, ok := o.Obj.(*networkingv1.NetworkPolicy); ok {
			policies = append(policies, np)
		}
	}
	denyAll := slices.ContainsFunc(policies, func(np *networkingv1.NetworkPolicy) bool {
		return len(np.Spec.PodSelector.MatchLabels) == 0 && len(np.Spec.PodSelector.MatchExpressions) == 0 &&
			slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeIngress) &&
			slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeEgress) &&
			len(np.Spec.Ingress) == 0 && len(np.Spec.Egress) == 0
	})
	if !denyAll {
		t.Error("no default-deny NetworkPolicy (every pod, ingress and egress, no rules)")
	}

	// The egress ports each workload is allowed, by the policies selecting
	// it: exactly what it needs. A rule without ports, or a port without a
	// number, allows every port: "any".
	for _, w := range workloads(objs) {
		var allowed []string
		for _, np := range policies {
			if everyPod := len(np.Spec.PodSelector.MatchLabels) == 0; !everyPod && !selects(np.Spec.PodSelector.MatchLabels, w.Pod.Labels) {
				continue
			}
			for _, rule := range np.Spec.Egress {
				if len(rule.Ports) == 0 {
					allowed = append(allowed, "any")
				}
				for _, p := range rule.Ports {
					proto := "TCP"
					if p.Protocol != nil {
						proto = string(*p.Protocol)
					}
					port := "any"
					if p.Port != nil {
						port = p.Port.String()
					}
					allowed = append(allowed, fmt.Sprintf("%s/%s", port, proto))
				}
			}
		}
		want, ok := map[string][]string{
			"sales":      {"53/UDP", "53/TCP", "5432/TCP", "4317/TCP"},
			"sales-dump": {"53/UDP", "53/TCP", "5432/TCP", "443/TCP"},
		}[w.Name]
		if !ok {
			t.Errorf("%s %s: no egress expectations; say what it needs", w.Kind, w.Name)
			continue
		}
		if diff := cmp.Diff(sortedStrings(want), slices.Compact(sortedStrings(allowed))); diff != "" {
			t.Errorf("%s %s: the egress allowed (-needed +allowed):\n%s", w.Kind, w.Name, diff)
		}
	}
	if !slices.ContainsFunc(policies, func(np *networkingv1.NetworkPolicy) bool {
		return np.Spec.PodSelector.MatchLabels["app"] == "sales-dump"
	}) {
		t.Error("no NetworkPolicy of the dump CronJob's own")
	}
}

// restrictedProblems lists what keeps pod from Pod Security "restricted":
// https://kubernetes.io/docs/concepts/security/pod-security-standards/.
func restrictedProblems(pod corev1.PodSpec) []string {
	var out []string
	if pod.HostNetwork || pod.HostPID || pod.HostIPC {
		out = append(out, "shares a host namespace")
	}
	for _, v := range pod.Volumes {
		if v.HostPath != nil {
			out = append(out, "mounts a hostPath volume "+v.Name)
		}
	}
	psc := pod.SecurityContext
	podNonRoot := psc != nil && psc.RunAsNonRoot != nil && *psc.RunAsNonRoot
	podSeccomp := psc != nil && psc.SeccompProfile != nil && psc.SeccompProfile.Type == corev1.SeccompProfileTypeRuntimeDefault
	for _, c := range append(slices.Clone(pod.InitContainers), pod.Containers...) {
		sc := c.SecurityContext
		if sc == nil {
			out = append(out, c.Name+": no securityContext")
			continue
		}
		if sc.Privileged != nil && *sc.Privileged {
			out = append(out, c.Name+": privileged")
		}
		if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			out = append(out, c.Name+": allowPrivilegeEscalation is not false")
		}
		if sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
			out = append(out, c.Name+": capabilities do not drop ALL")
		}
		if sc.Capabilities != nil {
			for _, add := range sc.Capabilities.Add {
				if add != "NET_BIND_SERVICE" {
					out = append(out, c.Name+": adds capability "+string(add))
				}
			}
		}
		if !podNonRoot && (sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot) {
			out = append(out, c.Name+": may run as root (runAsNonRoot)")
		}
		if sc.RunAsUser != nil && *sc.RunAsUser == 0 {
			out = append(out, c.Name+": runs as uid 0")
		}
		if !podSeccomp && (sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault) {
			out = append(out, c.Name+": no RuntimeDefault seccomp profile")
		}
	}
	return out
}
