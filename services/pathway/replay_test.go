package pathway_test

import (
	"context"
	"log/slog"
	"net"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/devstack/devstacktest"
	"github.com/percorsi/percorsi/pkg/events"
	"github.com/percorsi/percorsi/pkg/kafkakit"
	"github.com/percorsi/percorsi/pkg/process"
	trainingv1 "github.com/percorsi/percorsi/proto/percorsi/training/v1"
	"github.com/percorsi/percorsi/services/pathway"
	"github.com/percorsi/percorsi/services/pathway/domain"
)

// Replay authenticates like the service: against brokers that require
// SASL/SCRAM it rebuilds the same timelines as the live run.
func TestReplayWithSASL(t *testing.T) {
	ctx := t.Context()
	stack := devstacktest.Start(t) // its MongoDB; Kafka comes with SASL below
	kc, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-512", "pathway", "s3cret"),
		kfake.SeedTopics(2, pathway.Topics...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(kc.Close)
	brokers := kc.ListenAddrs()

	// Without credentials the brokers answer nothing: the check below
	// would fail if the replay dialled as it used to.
	if conn, err := kafka.Dial("tcp", brokers[0]); err == nil {
		_, err = conn.ReadPartitions(pathway.Topic)
		conn.Close()
		if err == nil {
			t.Fatal("the brokers answer without SASL")
		}
	}

	pc := process.Config{MongoURI: stack.MongoURI(), Database: "pathway_sasl", KafkaBrokers: brokers,
		KafkaUsername: "pathway", KafkaPassword: "s3cret", TokenKey: signingKey}
	app, err := pathway.Open(ctx, pc, pathway.Config{MasterKeys: masterKeys, AlertEvery: 50 * time.Millisecond}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan error, 1)
	go func() { done <- app.Run(runCtx, ln, app.API) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})

	cw := auth.With(ctx, auth.Principal{Subject: "cw1", Role: auth.CaseWorker, Organisation: "org1"})
	p, err := app.Service.Intake(cw, pathway.IntakeRequest{DisplayName: "Iris", Programme: domain.Art18, Referral: "hotline",
		Personal: domain.PersonalData{LegalName: "Iris legal"}})
	if err != nil {
		t.Fatal(err)
	}
	cluster, err := kafkakit.NewCluster(brokers, "pathway", "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	w := cluster.NewWriter()
	t.Cleanup(func() { _ = w.Close() })
	at := time.Now().UTC()
	b, err := events.Marshal(events.Meta{ID: "t1", Person: p.Pseudonym, Organisation: "org1", Producer: "training", OccurredAt: at, RecordedAt: at},
		&trainingv1.EnrolledInTraining{EditionId: "ed1", EqfLevel: 3, RepertoireCode: "LZ-1", EditionStart: timestamppb.New(at)})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteMessages(ctx, kafka.Message{Topic: pathway.TrainingTopic, Key: []byte(p.Pseudonym), Value: b}); err != nil {
		t.Fatal(err)
	}

	var live []domain.Entry
	for deadline := time.Now().Add(30 * time.Second); len(live) < 2; time.Sleep(50 * time.Millisecond) {
		if live, err = app.Timeline.List(ctx, p.Pseudonym); err != nil || time.Now().After(deadline) {
			t.Fatalf("live timeline: %d entries, %v", len(live), err)
		}
	}
	var last, total int64
	n, err := app.Replay(ctx, func(d, of int64) { last, total = d, of })
	if err != nil || n != 2 || last != total {
		t.Fatalf("replay: %d records, progress %d/%d, %v", n, last, total, err)
	}
	replayed, err := app.Timeline.List(ctx, p.Pseudonym)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(live, replayed) {
		t.Fatalf("replayed %v, live %v", kinds(replayed), kinds(live))
	}
	if got := kinds(replayed); !slices.Equal(got, []string{"taken_in_charge", "enrolled_in_training"}) {
		t.Fatalf("timeline %v", got)
	}
}
