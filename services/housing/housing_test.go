package housing_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/devstack"
	"github.com/percorsi/percorsi/pkg/events"
	"github.com/percorsi/percorsi/pkg/httpkit"
	"github.com/percorsi/percorsi/pkg/process"
	"github.com/percorsi/percorsi/services/housing"
)

const key = "test-signing-key-of-at-least-32-bytes"

// users of two organisations of the network.
var users = map[string]auth.Principal{
	"aurora":     {Subject: "hw-aurora", Role: auth.HousingWorker, Organisation: "coop-aurora"},
	"aurora-cw":  {Subject: "cw-aurora", Role: auth.CaseWorker, Organisation: "coop-aurora"},
	"stella":     {Subject: "hw-stella", Role: auth.HousingWorker, Organisation: "coop-stella"},
	"stella-cw":  {Subject: "cw-stella", Role: auth.CaseWorker, Organisation: "coop-stella"},
	"monitoring": {Subject: "mon", Role: auth.Monitoring, Organisation: "regione-lazio"},
	"teacher":    {Subject: "t", Role: auth.Teacher, Organisation: "cpia1"},
}

type fixture struct {
	app    *housing.App
	stack  *devstack.Stack
	srv    *httptest.Server
	logs   *syncBuffer
	tokens map[string]string
}

// syncBuffer is a log sink the service's goroutines may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs the housing service on the embedded stack, its relay
// included, logging everything down to debug into a buffer.
func start(t testing.TB) *fixture {
	t.Helper()
	ctx := t.Context()
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// The embedded Kafka and MongoDB log into the same buffer: a secret must
	// not reach their logs either.
	startCtx, cancelStart := context.WithTimeout(ctx, 30*time.Second)
	defer cancelStart()
	stack, err := devstack.Start(startCtx, devstack.Config{Dir: t.TempDir(), Topics: []string{housing.Topic}, Partitions: 4, Logger: log, NoTableScan: true})
	if err != nil {
		t.Fatalf("start embedded stack: %v", err)
	}
	t.Cleanup(stack.Close)
	app, err := housing.Open(ctx, process.Config{MongoURI: stack.MongoURI(), KafkaBrokers: stack.KafkaBrokers(), TokenKey: key}, 0, log)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := app.Relay.Run(runCtx); err != nil {
			t.Error(err)
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		_ = app.Client.Disconnect(context.WithoutCancel(ctx))
	})
	issuer, err := auth.NewHMAC([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	for name, p := range users {
		if tokens[name], err = issuer.Issue(p, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(app.Handler(app.API))
	t.Cleanup(srv.Close)
	return &fixture{app: app, stack: stack, srv: srv, logs: logs, tokens: tokens}
}

// call sends body (JSON, or nothing when empty) as user and returns the
// status and the raw response.
func (f *fixture) call(t testing.TB, user, method, path, body string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, f.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[user])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, raw
}

// must calls and decodes the response into out, failing on another status.
func (f *fixture) must(t testing.TB, want int, user, method, path, body string, out any) {
	t.Helper()
	status, raw := f.call(t, user, method, path, body)
	if status != want {
		t.Fatalf("%s %s: got %d %s, want %d", method, path, status, raw, want)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
}

func errorOf(t testing.TB, raw []byte) httpkit.ErrorBody {
	t.Helper()
	var e httpkit.ErrorBody
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatalf("not an error body: %s", raw)
	}
	return e
}

// accommodation creates one as user and returns its id.
func (f *fixture) accommodation(t testing.TB, user, name, kind, territory, address string, capacity int) string {
	t.Helper()
	var resp housing.AccommodationResponse
	body, _ := json.Marshal(housing.AccommodationRequest{Name: name, Kind: kind, Territory: territory, Address: address, Capacity: capacity})
	f.must(t, http.StatusCreated, user, http.MethodPost, "/v1/accommodations", string(body), &resp)
	return resp.Accommodation.ID
}

func stepBody(person, kind, acc, start string) string {
	b, _ := json.Marshal(housing.StepRequest{Person: person, Kind: kind, AccommodationID: acc, Start: start})
	return string(b)
}

// readTopic returns every message on topic so far, from every partition.
func readTopic(t testing.TB, brokers []string, topic string) []kafka.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	conn, err := kafka.DialContext(ctx, "tcp", brokers[0])
	if err != nil {
		t.Fatal(err)
	}
	parts, err := conn.ReadPartitions(topic)
	conn.Close()
	if err != nil {
		t.Fatal(err)
	}
	var out []kafka.Message
	for _, p := range parts {
		leader, err := kafka.DialLeader(ctx, "tcp", brokers[0], topic, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		first, last, err := leader.ReadOffsets()
		leader.Close()
		if err != nil {
			t.Fatal(err)
		}
		if first == last {
			continue
		}
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: topic, Partition: p.ID, MaxWait: 100 * time.Millisecond})
		if err := r.SetOffset(first); err != nil {
			t.Fatal(err)
		}
		for range last - first {
			m, err := r.ReadMessage(ctx)
			if err != nil {
				t.Fatalf("read partition %d: %v", p.ID, err)
			}
			out = append(out, m)
		}
		r.Close()
	}
	return out
}

// published waits until the relay has published everything stored and
// returns the topic's events by person, each once: delivery is at least
// once (the running relay and the passes here may both publish an event),
// and consumers deduplicate by event id, as this does.
func (f *fixture) published(t testing.TB) map[string][]*events.Event {
	t.Helper()
	// A pass of our own leaves nothing pending once it publishes nothing.
	for {
		n, err := f.app.Relay.Drain(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	byPerson := map[string][]*events.Event{}
	seen := map[string]bool{}
	for _, m := range readTopic(t, f.stack.KafkaBrokers(), housing.Topic) {
		e, err := events.Unmarshal(m.Value)
		if err != nil {
			t.Fatal(err)
		}
		if seen[e.ID] {
			continue
		}
		seen[e.ID] = true
		if string(m.Key) != e.Person {
			t.Fatalf("message keyed %q carries person %q", m.Key, e.Person)
		}
		byPerson[e.Person] = append(byPerson[e.Person], e)
	}
	return byPerson
}

func types(es []*events.Event) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = strings.TrimPrefix(e.Type, "percorsi.housing.v1.")
	}
	return out
}
