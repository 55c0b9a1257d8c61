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
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8slabels "k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// services are every Percorsi service; each must be deployed.
var services = []string{"courses", "training", "jobs", "housing", "pathway", "web"}

// otlpEndpoint is where every service sends its spans: the OpenTelemetry
// Collector, which forwards them to Jaeger.
const otlpEndpoint = "http://otel-collector:4318"

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
	deployments := map[string]*appsv1.Deployment{}
	configMaps := map[string]map[string]string{}
	ports := map[string][]int32{} // by Service
	var policies []*networkingv1.NetworkPolicy
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
		case *corev1.ConfigMap:
			configMaps[m.name] = o.Data
		case *corev1.Service:
			for _, p := range o.Spec.Ports {
				ports[m.name] = append(ports[m.name], p.Port)
			}
		case *appsv1.Deployment:
			deployments[m.name] = o
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
			policies = append(policies, o)
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
		case deployments[s] == nil:
			t.Errorf("service %s has no Deployment", s)
		case envOf(deployments[s].Spec.Template.Spec.Containers[0], configMaps)["OTEL_EXPORTER_OTLP_ENDPOINT"] != otlpEndpoint:
			t.Errorf("service %s does not export its spans to %s", s, otlpEndpoint)
		case !probedApart(deployments[s].Spec.Template.Spec.Containers[0], configMaps):
			t.Errorf("service %s serves its probes and metrics beside the API (ADMIN_ADDR on the port named admin, probed there)", s)
		case hpas[s] == 0:
			t.Errorf("service %s has no HorizontalPodAutoscaler", s)
		case hpas[s] > partitions:
			t.Errorf("service %s scales to %d replicas, beyond the %d partitions its consumers can share", s, hpas[s], partitions)
		case !pdbs[s]:
			t.Errorf("service %s has no PodDisruptionBudget", s)
		}
	}
	if web := deployments["web"]; web != nil && envOf(web.Spec.Template.Spec.Containers[0], configMaps)["TRUSTED_PROXIES"] == "" {
		t.Error("web behind the ingress trusts no proxy: sign-in throttling would count every client as the ingress")
	}
	checkTracing(t, deployments, configMaps, ports, policies)
	checkWebCalls(t, deployments, configMaps, ports, policies)
	for _, topic := range topics {
		if !topicSeen[topic] {
			t.Errorf("topic %s is not declared", topic)
		}
	}
	if ingresses != 1 || denyAll != 1 {
		t.Errorf("%d ingresses and %d default-deny policies; want one of each", ingresses, denyAll)
	}
}

// checkTracing finds the collector running deploy/otel/collector.yaml
// behind a Service on 4318, Jaeger behind one on 4317 (spans in) and 16686
// (the UI), and network policies that let every service reach the collector
// and the collector reach Jaeger.
func checkTracing(t *testing.T, deployments map[string]*appsv1.Deployment, configMaps map[string]map[string]string, ports map[string][]int32, policies []*networkingv1.NetworkPolicy) {
	t.Helper()
	collector, viewer := deployments["otel-collector"], deployments["jaeger"]
	if collector == nil || viewer == nil {
		t.Error("no otel-collector or jaeger Deployment")
		return
	}
	want, err := os.ReadFile("otel/collector.yaml")
	if err != nil {
		t.Fatal(err)
	}
	configured := false
	for _, v := range collector.Spec.Template.Spec.Volumes {
		if v.ConfigMap != nil {
			configured = configured || configMaps[v.ConfigMap.Name]["collector.yaml"] == string(want)
		}
	}
	if !configured {
		t.Error("otel-collector does not mount deploy/otel/collector.yaml")
	}
	if !slices.Contains(ports["otel-collector"], 4318) || !slices.Contains(ports["jaeger"], 4317) || !slices.Contains(ports["jaeger"], 16686) {
		t.Errorf("Services: otel-collector on %v, jaeger on %v; want 4318, and 4317 and 16686", ports["otel-collector"], ports["jaeger"])
	}
	labels := func(d *appsv1.Deployment) map[string]string { return d.Spec.Template.Labels }
	for _, s := range services {
		if d := deployments[s]; d != nil && !admits(t, policies, labels(collector), labels(d), 4318) {
			t.Errorf("no network policy lets %s reach otel-collector on 4318", s)
		}
	}
	if !admits(t, policies, labels(viewer), labels(collector), 4317) {
		t.Error("no network policy lets otel-collector reach jaeger on 4317")
	}
}

// checkWebCalls finds each gRPC service web is pointed at (COURSES_GRPC,
// TRAINING_GRPC, JOBS_GRPC, HOUSING_GRPC, PATHWAY_GRPC: "service:port")
// behind a Service on that port, which a network policy lets web reach.
func checkWebCalls(t *testing.T, deployments map[string]*appsv1.Deployment, configMaps map[string]map[string]string, ports map[string][]int32, policies []*networkingv1.NetworkPolicy) {
	t.Helper()
	web := deployments["web"]
	if web == nil {
		return // reported with the services
	}
	env := envOf(web.Spec.Template.Spec.Containers[0], configMaps)
	for _, key := range []string{"COURSES_GRPC", "TRAINING_GRPC", "JOBS_GRPC", "HOUSING_GRPC", "PATHWAY_GRPC"} {
		host, port, _ := strings.Cut(env[key], ":")
		n, err := strconv.Atoi(port)
		switch {
		case err != nil || deployments[host] == nil:
			t.Errorf("web's %s is %q: not a service and its port", key, env[key])
		case !slices.Contains(ports[host], int32(n)):
			t.Errorf("web's %s: the Service %s is on %v, not on %d", key, host, ports[host], n)
		case !admits(t, policies, deployments[host].Spec.Template.Labels, web.Spec.Template.Labels, n):
			t.Errorf("no network policy lets web reach %s on %d", host, n)
		}
	}
}

// envOf is a container's environment: its ConfigMaps, then its own values.
// probedApart says whether c serves /healthz, /readyz and /metrics on the
// port named admin (ADMIN_ADDR), apart from the API's, which the ingress
// routes, and is probed there.
func probedApart(c corev1.Container, configMaps map[string]map[string]string) bool {
	var admin int32
	for _, p := range c.Ports {
		if p.Name == "admin" {
			admin = p.ContainerPort
		}
	}
	probed := func(p *corev1.Probe) bool {
		return p != nil && p.HTTPGet != nil && p.HTTPGet.Port.String() == "admin"
	}
	return admin != 0 && envOf(c, configMaps)["ADMIN_ADDR"] == fmt.Sprintf(":%d", admin) &&
		probed(c.ReadinessProbe) && probed(c.LivenessProbe)
}

func envOf(c corev1.Container, configMaps map[string]map[string]string) map[string]string {
	env := map[string]string{}
	for _, from := range c.EnvFrom {
		if from.ConfigMapRef != nil {
			for k, v := range configMaps[from.ConfigMapRef.Name] {
				env[from.Prefix+k] = v
			}
		}
	}
	for _, e := range c.Env {
		if e.ValueFrom == nil {
			env[e.Name] = e.Value
		}
	}
	return env
}

// admits reports whether a policy lets pods labelled from, in the same
// namespace, reach pods labelled to on port.
func admits(t *testing.T, policies []*networkingv1.NetworkPolicy, to, from map[string]string, port int) bool {
	t.Helper()
	selects := func(s metav1.LabelSelector, l map[string]string) bool {
		sel, err := metav1.LabelSelectorAsSelector(&s)
		if err != nil {
			t.Fatal(err)
		}
		return sel.Matches(k8slabels.Set(l))
	}
	for _, p := range policies {
		if !selects(p.Spec.PodSelector, to) {
			continue
		}
		for _, rule := range p.Spec.Ingress {
			onPort := len(rule.Ports) == 0
			for _, rp := range rule.Ports {
				onPort = onPort || rp.Port == nil || rp.Port.IntValue() == port
			}
			for _, peer := range rule.From {
				if onPort && peer.PodSelector != nil && peer.NamespaceSelector == nil && peer.IPBlock == nil && selects(*peer.PodSelector, from) {
					return true
				}
			}
		}
	}
	return false
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
// and the dashboard and the collector's config are the same in both places.
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
	c1, err1 := os.ReadFile("otel/collector.yaml")
	c2, err2 := os.ReadFile("../k8s/base/observability/otel/collector.yaml")
	if err1 != nil || err2 != nil || !bytes.Equal(c1, c2) {
		t.Errorf("k8s/base/observability/otel/collector.yaml and deploy/otel/collector.yaml differ (%v, %v)", err1, err2)
	}
	alerts := string(a)
	for _, metric := range []string{"percorsi_consumer_lag", "percorsi_outbox_backlog", "percorsi_outbox_failures_total",
		"percorsi_consumer_messages_total", "percorsi_breaker_state", "percorsi_endpoint_requests_total", "percorsi_endpoint_duration_seconds_bucket"} {
		if !strings.Contains(alerts, metric) {
			t.Errorf("no alert rule watches %s", metric)
		}
	}
}

// The collector's one pipeline takes OTLP/HTTP on 4318, where the services
// send their spans, limits its memory and batches, and exports everything to
// Jaeger.
func TestObservabilityTraces(t *testing.T) {
	t.Parallel()
	var cfg struct {
		Receivers map[string]struct {
			Protocols map[string]struct {
				Endpoint string `json:"endpoint"`
			} `json:"protocols"`
		} `json:"receivers"`
		Exporters map[string]struct {
			Endpoint string `json:"endpoint"`
		} `json:"exporters"`
		Service struct {
			Pipelines map[string]struct {
				Receivers  []string `json:"receivers"`
				Processors []string `json:"processors"`
				Exporters  []string `json:"exporters"`
			} `json:"pipelines"`
		} `json:"service"`
	}
	b, err := os.ReadFile("otel/collector.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	traces, ok := cfg.Service.Pipelines["traces"]
	if !ok || len(cfg.Service.Pipelines) != 1 {
		t.Fatalf("pipelines %v; want traces only", cfg.Service.Pipelines)
	}
	if !slices.Contains(traces.Receivers, "otlp") || !strings.HasSuffix(cfg.Receivers["otlp"].Protocols["http"].Endpoint, ":4318") {
		t.Error("the traces pipeline does not receive OTLP/HTTP on 4318")
	}
	if !strings.HasSuffix(otlpEndpoint, ":4318") {
		t.Errorf("the services export to %s, not to the collector's port", otlpEndpoint)
	}
	if !slices.Equal(traces.Processors, []string{"memory_limiter", "batch"}) {
		t.Errorf("processors %v; want memory_limiter then batch", traces.Processors)
	}
	if len(traces.Exporters) == 0 {
		t.Error("the traces pipeline exports nowhere")
	}
	for _, e := range traces.Exporters {
		if cfg.Exporters[e].Endpoint != "jaeger:4317" {
			t.Errorf("exporter %s sends to %q, not to Jaeger", e, cfg.Exporters[e].Endpoint)
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
