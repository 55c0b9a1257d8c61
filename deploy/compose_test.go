package deploy_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

func loadCompose(t *testing.T, env ...string) (*types.Project, error) {
	t.Helper()
	opts, err := cli.NewProjectOptions([]string{"compose.yaml"}, cli.WithEnv(env), cli.WithWorkingDirectory("."))
	if err != nil {
		t.Fatal(err)
	}
	return opts.LoadProject(t.Context())
}

// The compose file is valid for the compose-spec loader and runs what
// production relies on: three KRaft brokers, every topic replicated three
// times with min.insync.replicas 2, a MongoDB replica set it initialises
// itself, Prometheus, every service as a read-only non-root container
// exporting its spans to the OpenTelemetry Collector, and the collector and
// Jaeger, the trace viewer, on pinned images.
func TestCompose(t *testing.T) {
	t.Parallel()
	const tokenKey, masterKeys = "TOKEN_KEY=0123456789abcdef0123456789abcdef", "PATHWAY_MASTER_KEYS=k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	if _, err := loadCompose(t, masterKeys); err == nil || !strings.Contains(err.Error(), "TOKEN_KEY") {
		t.Errorf("compose starts without a TOKEN_KEY: %v", err)
	}
	if _, err := loadCompose(t, tokenKey); err == nil || !strings.Contains(err.Error(), "PATHWAY_MASTER_KEYS") {
		t.Errorf("compose starts without PATHWAY_MASTER_KEYS: %v", err)
	}
	p, err := loadCompose(t, tokenKey, masterKeys)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{"kafka-1", "kafka-2", "kafka-3"} {
		s, err := p.GetService(b)
		if err != nil {
			t.Fatal(err)
		}
		env := s.Environment
		if *env["KAFKA_PROCESS_ROLES"] != "broker,controller" || *env["KAFKA_MIN_INSYNC_REPLICAS"] != "2" || *env["KAFKA_DEFAULT_REPLICATION_FACTOR"] != "3" {
			t.Errorf("%s is not a KRaft broker with replication 3 and min.insync.replicas 2", b)
		}
	}
	initKafka, err := p.GetService("kafka-init")
	if err != nil {
		t.Fatal(err)
	}
	script := strings.Join(initKafka.Command, " ")
	for _, want := range append([]string{"--replication-factor 3", "min.insync.replicas=2"}, topics...) {
		if !strings.Contains(script, want) {
			t.Errorf("kafka-init does not create %q", want)
		}
	}
	initMongo, err := p.GetService("mongo-init")
	if err != nil {
		t.Fatal(err)
	}
	if js := strings.Join(initMongo.Command, " "); !strings.Contains(js, "rs.initiate") || strings.Count(js, "host:") != 3 {
		t.Error("mongo-init does not initiate a three-member replica set")
	}
	if _, err := p.GetService("prometheus"); err != nil {
		t.Error(err)
	}
	collector, err := p.GetService("otel-collector")
	if err != nil {
		t.Fatal(err)
	}
	mounted := false
	for _, v := range collector.Volumes {
		mounted = mounted || strings.HasSuffix(v.Source, "deploy/otel/collector.yaml") && v.Target == "/etc/otelcol-contrib/config.yaml" && v.ReadOnly
	}
	if !mounted {
		t.Error("otel-collector does not run with deploy/otel/collector.yaml")
	}
	viewer, err := p.GetService("jaeger")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(viewer.Ports, func(p types.ServicePortConfig) bool { return p.Target == 16686 && p.Published == "16686" }) {
		t.Error("jaeger does not publish its UI on 16686")
	}
	for _, s := range []types.ServiceConfig{collector, viewer} {
		if name, tag, ok := strings.Cut(s.Image, ":"); !ok || tag == "latest" || !strings.Contains(tag, ".") {
			t.Errorf("%s runs %s: pin a version", s.Name, name)
		}
		if !s.ReadOnly || slices.Index(s.CapDrop, "ALL") < 0 {
			t.Errorf("%s runs with a writable root or with capabilities", s.Name)
		}
	}
	for _, name := range services {
		s, err := p.GetService(name)
		if err != nil {
			t.Error(err)
			continue
		}
		if s.Build == nil || s.Build.Args["SERVICE"] == nil || *s.Build.Args["SERVICE"] != name {
			t.Errorf("%s is not built from deploy/Dockerfile with SERVICE=%s", name, name)
		}
		if !s.ReadOnly || s.User == "" || strings.HasPrefix(s.User, "0") {
			t.Errorf("%s runs with a writable root or as root", name)
		}
		if !strings.Contains(*s.Environment["MONGODB_URI"], "replicaSet=rs0") || strings.Count(*s.Environment["KAFKA_BROKERS"], "kafka-") != 3 {
			t.Errorf("%s is not pointed at the replica set and all three brokers", name)
		}
		if e := s.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"]; e == nil || *e != otlpEndpoint {
			t.Errorf("%s does not export its spans to %s", name, otlpEndpoint)
		}
		if len(s.Ports) > 0 && name != "web" {
			t.Errorf("%s publishes a port: only web is reachable from outside", name)
		}
	}
}
