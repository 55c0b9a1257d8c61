package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/percorsi/percorsi/pkg/events"
	coursesv1 "github.com/percorsi/percorsi/proto/percorsi/courses/v1"
	"github.com/percorsi/percorsi/services/courses"
)

// Registers for many people go in over HTTP; every AttendanceRecorded
// reaches the timeline exactly once, and each person's events travel Kafka
// in the order their registers were acknowledged.
func TestRegistersReachTimelinesExactlyOnceInOrder(t *testing.T) {
	r := newRig(t, shape{classes: 10, people: 10, lessons: 12})
	relay := startWorker(r.courses.Relay.Run)
	defer relay.stop(t)
	sub := startWorker(r.pathway.Subscriber().Run)
	defer sub.stop(t)

	t0 := time.Now()
	acked := r.submitAll(t, 5)
	t.Logf("submitted in %s", time.Since(t0))
	want := r.classes * r.people * r.lessons
	if acked != r.classes*r.lessons {
		t.Fatalf("%d registers acknowledged, want %d", acked, r.classes*r.lessons)
	}
	r.waitTimeline(t, int64(want), 3*time.Minute)
	t.Logf("timeline complete after %s", time.Since(t0))
	r.checkTimelines(t)

	// Read the topic as an auditor: per person, the lessons in order, once.
	seen := readTopic(t, r.stack.KafkaBrokers(), want)
	for c := range r.classes {
		for p := range r.people {
			got := seen[r.person(c, p)]
			if len(got) != r.lessons {
				t.Fatalf("%s: %d events on Kafka, want %d", r.person(c, p), len(got), r.lessons)
			}
			for l, lesson := range got {
				if lesson != r.lessonID(c, l) {
					t.Fatalf("%s: event %d is for %s, want %s (out of order)", r.person(c, p), l, lesson, r.lessonID(c, l))
				}
			}
		}
	}
}

// readTopic reads n records of the courses topic from the start and returns
// the lesson ids of each person's AttendanceRecorded, in arrival order.
func readTopic(t *testing.T, brokers []string, n int) map[string][]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	rd := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, GroupID: "e2e-audit", Topic: courses.Topic, StartOffset: kafka.FirstOffset, MaxWait: 100 * time.Millisecond})
	defer rd.Close()
	seen := map[string][]string{}
	for range n {
		m, err := rd.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("audit read: %v", err)
		}
		ev, err := events.Unmarshal(m.Value)
		if err != nil {
			t.Fatal(err)
		}
		if string(m.Key) != ev.Person {
			t.Fatalf("message keyed %q for person %q", m.Key, ev.Person)
		}
		seen[ev.Person] = append(seen[ev.Person], ev.Payload.(*coursesv1.AttendanceRecorded).LessonId)
	}
	return seen
}
