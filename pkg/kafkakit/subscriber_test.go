package kafkakit_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/percorsi/percorsi/pkg/devstack/devstacktest"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/kafkakit"
)

// The subscriber applies good messages once each, retries infrastructure
// errors in place, dead-letters undecodable and inapplicable messages with
// the reason, and a restarted subscriber resumes after what it committed.
func TestSubscriber(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	s := devstacktest.Start(t, "in", "in.dead")
	w := kafkakit.NewWriter(s.KafkaBrokers())
	defer w.Close()
	var msgs []kafka.Message
	for i := range 20 {
		v := fmt.Sprintf("ok-%02d", i)
		switch i {
		case 5:
			v = "garbage"
		case 9:
			v = "reject"
		}
		msgs = append(msgs, kafka.Message{Topic: "in", Key: []byte("person"), Value: []byte(v)})
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	var applied []string
	flaky := 3 // the store is "down" for the first three attempts
	e := func(_ context.Context, batch any) (any, error) {
		mu.Lock()
		defer mu.Unlock()
		if flaky > 0 {
			flaky--
			return nil, errors.New("store unreachable")
		}
		reqs := batch.([]any)
		for _, req := range reqs {
			if req == "reject" {
				return nil, errcode.New(errcode.Invalid, "status", "unknown status")
			}
		}
		for _, req := range reqs {
			applied = append(applied, req.(string))
		}
		return nil, nil
	}
	decode := func(_ context.Context, m kafka.Message) (any, error) {
		if string(m.Value) == "garbage" {
			return nil, errcode.New(errcode.Invalid, "envelope", "not an envelope")
		}
		return string(m.Value), nil
	}
	run := func(until func() bool) {
		sub := kafkakit.New(kafkakit.Config{
			Name: "test", Reader: kafkakit.NewReader(s.KafkaBrokers(), "g", "in"),
			DeadLetter: w, DeadTopic: "in.dead",
		}, e, decode)
		rctx, stop := context.WithCancel(ctx)
		done := make(chan error)
		go func() { done <- sub.Run(rctx) }()
		for !until() {
			if ctx.Err() != nil {
				t.Fatal("timed out")
			}
			time.Sleep(20 * time.Millisecond)
		}
		stop()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(applied) }
	run(func() bool { return count() == 18 })
	if got := fmt.Sprint(applied); got != fmt.Sprint(want()) {
		t.Fatalf("applied %s", got)
	}

	// Everything was committed on close: a new subscriber gets only new messages.
	if err := w.WriteMessages(ctx, kafka.Message{Topic: "in", Key: []byte("person"), Value: []byte("ok-20")}); err != nil {
		t.Fatal(err)
	}
	run(func() bool { return count() == 19 })
	time.Sleep(200 * time.Millisecond)
	if count() != 19 {
		t.Fatalf("redelivered after restart: %v", applied)
	}

	r := kafka.NewReader(kafka.ReaderConfig{Brokers: s.KafkaBrokers(), Topic: "in.dead", Partition: partitionOf(t, ctx, s.KafkaBrokers(), "in.dead"), MaxWait: 100 * time.Millisecond})
	defer r.Close()
	reasons := map[string]string{}
	for range 2 {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range m.Headers {
			if h.Key == "dlq-reason" {
				reasons[string(m.Value)] = string(h.Value)
			}
		}
	}
	if reasons["garbage"] != "invalid envelope: not an envelope" || reasons["reject"] != "invalid status: unknown status" {
		t.Fatalf("dead letters: %v", reasons)
	}
}

func want() []string {
	var w []string
	for i := range 20 {
		if i != 5 && i != 9 {
			w = append(w, fmt.Sprintf("ok-%02d", i))
		}
	}
	return w
}

// partitionOf finds the partition holding the dead letters (all one key).
func partitionOf(t *testing.T, ctx context.Context, brokers []string, topic string) int {
	conn, err := kafka.DialContext(ctx, "tcp", brokers[0])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	parts, err := conn.ReadPartitions(topic)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		pc, err := kafka.DialLeader(ctx, "tcp", brokers[0], topic, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		last, err := pc.ReadLastOffset()
		pc.Close()
		if err == nil && last > 0 {
			return p.ID
		}
	}
	t.Fatal("no dead letters")
	return 0
}
