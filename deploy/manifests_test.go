// Package deploy_test checks what runs Percorsi on real clusters, offline:
// every kustomize overlay renders and each object decodes strictly into its
// Kubernetes Go type (or, for operator resources, into the fields this
// project uses: an unknown field fails); the compose file loads with the
// compose-spec loader; and the invariants production relies on hold.
package deploy_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// services are every Percorsi service; each must be deployed.
var services = []string{"courses", "training", "jobs", "housing", "pathway", "web"}

// topics are every Kafka topic the services use.
var topics = []string{
	"percorsi.courses.events", "percorsi.training.events", "percorsi.jobs.events", "percorsi.housing.events",
	"percorsi.pathway.events", "percorsi.pathway.deadletter", "percorsi.jobs.deadletter",
}

// manifest is one rendered object, decoded.
type manifest struct {
	kind, name string
	obj        any
}

func render(t *testing.T, overlay string) []manifest {
	t.Helper()
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	res, err := k.Run(filesys.MakeFsOnDisk(), "../k8s/overlays/"+overlay)
	if err != nil {
		t.Fatalf("kustomize %s: %v", overlay, err)
	}
	var out []manifest
	for _, r := range res.Resources() {
		raw, err := r.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		m := manifest{kind: r.GetKind(), name: r.GetName()}
		m.obj = newObject(t, m.kind)
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(m.obj); err != nil {
			t.Errorf("%s %s/%s does not decode strictly: %v", overlay, m.kind, m.name, err)
		}
		out = append(out, m)
	}
	return out
}

func newObject(t *testing.T, kind string) any {
	switch kind {
	case "Namespace":
		return &corev1.Namespace{}
	case "ConfigMap":
		return &corev1.ConfigMap{}
	case "ServiceAccount":
		return &corev1.ServiceAccount{}
	case "Service":
		return &corev1.Service{}
	case "Secret":
		return &corev1.Secret{}
	case "Deployment":
		return &appsv1.Deployment{}
	case "StatefulSet":
		return &appsv1.StatefulSet{}
	case "Job":
		return &batchv1.Job{}
	case "HorizontalPodAutoscaler":
		return &autoscalingv2.HorizontalPodAutoscaler{}
	case "PodDisruptionBudget":
		return &policyv1.PodDisruptionBudget{}
	case "NetworkPolicy":
		return &networkingv1.NetworkPolicy{}
	case "Ingress":
		return &networkingv1.Ingress{}
	case "Kafka":
		return &kafka{}
	case "KafkaNodePool":
		return &kafkaNodePool{}
	case "KafkaTopic":
		return &kafkaTopic{}
	case "KafkaUser":
		return &kafkaUser{}
	case "PrometheusRule":
		return &prometheusRule{}
	case "ServiceMonitor":
		return &serviceMonitor{}
	}
	t.Fatalf("no Go type to check kind %s against", kind)
	return nil
}

func TestOverlays(t *testing.T) {
	t.Parallel()
	for _, overlay := range []string{"dev", "prod"} {
		t.Run(overlay, func(t *testing.T) {
			t.Parallel()
			checkInvariants(t, render(t, overlay))
		})
	}
}

func checkInvariants(t *testing.T, ms []manifest) {
	deployments := map[string]bool{}
	hpas := map[string]int32{}
	pdbs := map[string]bool{}
	topicSeen := map[string]bool{}
	partitions := int32(0)
	var ingresses, denyAll int
	for _, m := range ms {
		switch o := m.obj.(type) {
		case *corev1.Secret:
			t.Errorf("Secret %s is committed: secrets must be created in the cluster and only referenced", m.name)
		case *corev1.ServiceAccount:
			if o.AutomountServiceAccountToken == nil || *o.AutomountServiceAccountToken {
				t.Errorf("ServiceAccount %s mounts its token", m.name)
			}
		case *appsv1.Deployment:
			deployments[m.name] = true
			checkPod(t, "Deployment "+m.name, o.Spec.Template.Spec, true)
		case *appsv1.StatefulSet:
			checkPod(t, "StatefulSet "+m.name, o.Spec.Template.Spec, true)
		case *batchv1.Job:
			checkPod(t, "Job "+m.name, o.Spec.Template.Spec, false)
		case *autoscalingv2.HorizontalPodAutoscaler:
			hpas[o.Spec.ScaleTargetRef.Name] = o.Spec.MaxReplicas
		case *policyv1.PodDisruptionBudget:
			pdbs[m.name] = true
		case *networkingv1.NetworkPolicy:
			if len(o.Spec.PodSelector.MatchLabels) == 0 && len(o.Spec.PodSelector.MatchExpressions) == 0 && len(o.Spec.Ingress) == 0 {
				denyAll++
			}
		case *networkingv1.Ingress:
			ingresses++
			for _, r := range o.Spec.Rules {
				for _, p := range r.HTTP.Paths {
					if p.Backend.Service.Name != "web" {
						t.Errorf("Ingress %s exposes %s: only web may be reachable from outside", m.name, p.Backend.Service.Name)
					}
				}
			}
			if len(o.Spec.TLS) == 0 {
				t.Errorf("Ingress %s has no TLS", m.name)
			}
		case *kafka:
			cfg := o.Spec.Kafka.Config
			if fmt.Sprint(cfg["default.replication.factor"]) != "3" || fmt.Sprint(cfg["min.insync.replicas"]) != "2" {
				t.Errorf("Kafka %s: default.replication.factor %v, min.insync.replicas %v; want 3 and 2", m.name, cfg["default.replication.factor"], cfg["min.insync.replicas"])
			}
		case *kafkaTopic:
			topicSeen[m.name] = true
			if o.Spec.Replicas != 3 || fmt.Sprint(o.Spec.Config["min.insync.replicas"]) != "2" {
				t.Errorf("KafkaTopic %s: replicas %d, min.insync.replicas %v; want 3 and 2", m.name, o.Spec.Replicas, o.Spec.Config["min.insync.replicas"])
			}
			if partitions == 0 || o.Spec.Partitions < partitions {
				partitions = o.Spec.Partitions
			}
		}
	}
	for _, s := range services {
		switch {
		case !deployments[s]:
			t.Errorf("service %s has no Deployment", s)
		case hpas[s] == 0:
			t.Errorf("service %s has no HorizontalPodAutoscaler", s)
		case hpas[s] > partitions:
			t.Errorf("service %s scales to %d replicas, beyond the %d partitions its consumers can share", s, hpas[s], partitions)
		case !pdbs[s]:
			t.Errorf("service %s has no PodDisruptionBudget", s)
		}
	}
	for _, topic := range topics {
		if !topicSeen[topic] {
			t.Errorf("topic %s is not declared", topic)
		}
	}
	if ingresses != 1 || denyAll != 1 {
		t.Errorf("%d ingresses and %d default-deny policies; want one of each", ingresses, denyAll)
	}
}

// checkPod holds every container to the rules: limits and requests, non-root,
// read-only root filesystem, no privilege escalation; long-running ones
// have probes; no service account token unless needed.
func checkPod(t *testing.T, what string, pod corev1.PodSpec, longRunning bool) {
	t.Helper()
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Errorf("%s mounts a service account token", what)
	}
	podNonRoot := pod.SecurityContext != nil && pod.SecurityContext.RunAsNonRoot != nil && *pod.SecurityContext.RunAsNonRoot
	for _, c := range append(slices.Clone(pod.InitContainers), pod.Containers...) {
		name := what + " container " + c.Name
		for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			if _, ok := c.Resources.Limits[r]; !ok {
				t.Errorf("%s has no %s limit", name, r)
			}
			if _, ok := c.Resources.Requests[r]; !ok {
				t.Errorf("%s has no %s request", name, r)
			}
		}
		sc := c.SecurityContext
		switch {
		case sc == nil:
			t.Errorf("%s has no security context", name)
			continue
		case !podNonRoot && (sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot):
			t.Errorf("%s may run as root", name)
		case sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem:
			t.Errorf("%s has a writable root filesystem", name)
		case sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation:
			t.Errorf("%s may escalate privileges", name)
		}
	}
	if longRunning {
		for _, c := range pod.Containers {
			if c.ReadinessProbe == nil || c.LivenessProbe == nil {
				t.Errorf("%s container %s lacks a readiness or liveness probe", what, c.Name)
			}
		}
	}
}

// The alert rules for the Prometheus Operator are the compose file's rules,
// and the dashboard is the same in both places.
func TestObservabilityCopiesAgree(t *testing.T) {
	t.Parallel()
	var plain struct {
		Groups []any `json:"groups"`
	}
	var rule prometheusRule
	readYAML(t, "prometheus/alerts.yml", &plain)
	readYAML(t, "../k8s/base/observability/prometheus-rule.yaml", &rule)
	a, _ := json.Marshal(plain.Groups)
	b, _ := json.Marshal(rule.Spec.Groups)
	if !bytes.Equal(a, b) {
		t.Error("k8s/base/observability/prometheus-rule.yaml and deploy/prometheus/alerts.yml differ")
	}
	d1, err1 := os.ReadFile("grafana/dashboards/percorsi.json")
	d2, err2 := os.ReadFile("../k8s/base/observability/percorsi.json")
	if err1 != nil || err2 != nil || !bytes.Equal(d1, d2) {
		t.Errorf("the Grafana dashboards differ (%v, %v)", err1, err2)
	}
	alerts := string(a)
	for _, metric := range []string{"percorsi_consumer_lag", "percorsi_outbox_backlog", "percorsi_outbox_failures_total",
		"percorsi_consumer_messages_total", "percorsi_breaker_state", "percorsi_endpoint_requests_total", "percorsi_endpoint_duration_seconds_bucket"} {
		if !strings.Contains(alerts, metric) {
			t.Errorf("no alert rule watches %s", metric)
		}
	}
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// The image build bakes version and commit into a static binary that runs
// as a non-root user.
func TestDockerfile(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	for _, want := range []string{"AS build", "CGO_ENABLED=0", "buildinfo.Version=${VERSION}", "buildinfo.Commit=${COMMIT}", "USER 65532:65532", "./services/${SERVICE}/cmd/${SERVICE}"} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	if strings.Count(df, "\nFROM ") < 1 || !strings.HasPrefix(strings.TrimSpace(df[strings.LastIndex(df, "\nFROM "):]), "FROM gcr.io/distroless/static") {
		t.Error("the final stage is not a distroless static image")
	}
	for _, s := range services {
		if _, err := os.Stat("../services/" + s + "/cmd/" + s); err != nil {
			t.Errorf("no main package for %s: %v", s, err)
		}
	}
}
