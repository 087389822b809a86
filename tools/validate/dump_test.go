package validate

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// dumpSchemes are the bucket URL schemes sales-admin dump has drivers
// for (foundation/blobstore).
var dumpSchemes = []string{"file", "mem", "s3"}

// TestDumpCronJob checks the daily public dump of sales in the dev and
// prod clusters: sales-admin dump for yesterday, one run at a time, into
// a bucket it has a driver for (in production, not the pod's own disk),
// reaching the database as the API does: the same password, and the CA
// that its settings name mounted where they say.
func TestDumpCronJob(t *testing.T) {
	for name, dir := range map[string]string{"dev": "dev/sales", "prod": "prod/sales"} {
		t.Run(name, func(t *testing.T) {
			objs := render(t, dir)
			cms := configMaps(objs)
			cj := find[*batchv1.CronJob](t, objs, "CronJob", "sales-dump")
			if cj.Spec.ConcurrencyPolicy != batchv1.ForbidConcurrent {
				t.Errorf("concurrencyPolicy %q: two dumps of a day could race for its object", cj.Spec.ConcurrencyPolicy)
			}
			if tz := cj.Spec.TimeZone; tz == nil || *tz != "Etc/UTC" {
				t.Errorf("timeZone %v: yesterday is a UTC day, the schedule should be in UTC too", tz)
			}
			pod := cj.Spec.JobTemplate.Spec.Template.Spec
			if len(pod.Containers) != 1 {
				t.Fatalf("%d containers, want the dump's one", len(pod.Containers))
			}
			c := pod.Containers[0]
			if want := []string{salesAdmin, "dump", "--date", "yesterday"}; !slices.Equal(c.Command, want) {
				t.Errorf("command %q, want %q", c.Command, want)
			}

			env := containerEnv(t, c, cms)
			u, err := url.Parse(env["SALES_DUMP_TO"])
			if err != nil || !slices.Contains(dumpSchemes, u.Scheme) {
				t.Errorf("SALES_DUMP_TO %q is no bucket URL of %v", env["SALES_DUMP_TO"], dumpSchemes)
			}
			if name == "prod" && u != nil && (u.Scheme == "file" || u.Scheme == "mem") {
				t.Errorf("SALES_DUMP_TO %q: a production dump must outlive its pod", env["SALES_DUMP_TO"])
			}

			d := find[*appsv1.Deployment](t, objs, "Deployment", "sales")
			var api corev1.Container
			for _, dc := range d.Spec.Template.Spec.Containers {
				if binaryOf(t, dc) == "sales-api" {
					api = dc
				}
			}
			if got, want := passwordSecret(c), passwordSecret(api); got != want {
				t.Errorf("SALES_DB_PASSWORD from Secret %q, the API's from %q", got, want)
			}
			if ca := env["SALES_DB_TLS_ROOT_CERT"]; ca != "" && !mountedFromSecret(pod, c, ca) {
				t.Errorf("SALES_DB_TLS_ROOT_CERT %s is not in a Secret volume mounted in the container", ca)
			}
		})
	}
}

// passwordSecret is the Secret a container's SALES_DB_PASSWORD comes from.
func passwordSecret(c corev1.Container) string {
	for _, e := range c.Env {
		if e.Name == "SALES_DB_PASSWORD" && e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			return e.ValueFrom.SecretKeyRef.Name
		}
	}
	return ""
}

// mountedFromSecret reports whether file is under a mount of c of a
// Secret volume of pod.
func mountedFromSecret(pod corev1.PodSpec, c corev1.Container, file string) bool {
	for _, m := range c.VolumeMounts {
		if !strings.HasPrefix(file, strings.TrimSuffix(m.MountPath, "/")+"/") {
			continue
		}
		for _, v := range pod.Volumes {
			if v.Name == m.Name && v.Secret != nil {
				return true
			}
		}
	}
	return false
}
