package events_test

import (
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/events"
	coursesv1 "github.com/percorsi/percorsi/proto/percorsi/courses/v1"
	eventsv1 "github.com/percorsi/percorsi/proto/percorsi/events/v1"
	registerv1 "github.com/percorsi/percorsi/proto/percorsi/register/v1"
)

func sample() (events.Meta, *coursesv1.AttendanceRecorded) {
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	return events.Meta{
			ID: events.NewID(), Person: "p-7f3a", Organisation: "cpia1-roma", Producer: "courses",
			OccurredAt: at, RecordedAt: at.Add(3 * time.Hour),
		}, &coursesv1.AttendanceRecorded{
			LessonId: "l-1", ClassId: "c-1", Status: registerv1.AttendanceStatus_ATTENDANCE_STATUS_LATE,
			LessonMinutes: 120, MinutesAttended: 90,
		}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	meta, payload := sample()
	b, err := events.Marshal(meta, payload)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := events.Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	meta.SchemaVersion = 1
	if ev.Meta != meta {
		t.Errorf("meta = %+v, want %+v", ev.Meta, meta)
	}
	if ev.Type != "percorsi.courses.v1.AttendanceRecorded" {
		t.Errorf("type = %q", ev.Type)
	}
	if !proto.Equal(ev.Payload, payload) {
		t.Errorf("payload = %v, want %v", ev.Payload, payload)
	}
}

func TestUnmarshalRejects(t *testing.T) {
	t.Parallel()
	meta, payload := sample()
	good := func() *eventsv1.Envelope {
		a, _ := anypb.New(payload)
		return &eventsv1.Envelope{
			EventId: meta.ID, Type: "percorsi.courses.v1.AttendanceRecorded", PersonPseudonym: meta.Person,
			Producer: "courses", SchemaVersion: 1, OccurredAt: timestamppb.New(meta.OccurredAt), RecordedAt: timestamppb.New(meta.RecordedAt),
			Payload: a,
		}
	}
	cases := []struct {
		name  string
		edit  func(*eventsv1.Envelope)
		field string
	}{
		{"no id", func(e *eventsv1.Envelope) { e.EventId = "" }, "event_id"},
		{"no person", func(e *eventsv1.Envelope) { e.PersonPseudonym = "" }, "person_pseudonym"},
		{"no producer", func(e *eventsv1.Envelope) { e.Producer = "" }, "producer"},
		{"no occurred_at", func(e *eventsv1.Envelope) { e.OccurredAt = nil }, "occurred_at"},
		{"no payload", func(e *eventsv1.Envelope) { e.Payload = nil }, "payload"},
		{"type mismatch", func(e *eventsv1.Envelope) { e.Type = "percorsi.courses.v1.Other" }, "type"},
		{"unknown payload type", func(e *eventsv1.Envelope) {
			e.Type = "percorsi.nowhere.v1.Thing"
			e.Payload.TypeUrl = "type.googleapis.com/percorsi.nowhere.v1.Thing"
		}, "payload"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := good()
			tc.edit(env)
			b, err := proto.Marshal(env)
			if err != nil {
				t.Fatal(err)
			}
			_, err = events.Unmarshal(b)
			if e := errcode.As(err); e == nil || e.Code != errcode.Invalid || e.Field != tc.field {
				t.Fatalf("err = %v, want invalid %s", err, tc.field)
			}
		})
	}
	if _, err := events.Unmarshal([]byte{0xff, 0xff, 0xff}); errcode.Of(err) != errcode.Invalid {
		t.Fatalf("garbage: err = %v", err)
	}
}

func FuzzUnmarshal(f *testing.F) {
	meta, payload := sample()
	b, err := events.Marshal(meta, payload)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := events.Unmarshal(b)
		if err != nil {
			if errcode.Of(err) != errcode.Invalid {
				t.Fatalf("decode error not coded invalid: %v", err)
			}
			return
		}
		// Whatever decodes must carry what consumers rely on, and survive
		// a second trip unchanged.
		if ev.ID == "" || ev.Person == "" || ev.Payload == nil {
			t.Fatalf("accepted an incomplete event: %+v", ev)
		}
		again, err := events.Marshal(ev.Meta, ev.Payload)
		if err != nil {
			t.Fatalf("re-marshal: %v", err)
		}
		ev2, err := events.Unmarshal(again)
		if err != nil || ev2.Meta != ev.Meta || !proto.Equal(ev2.Payload, ev.Payload) {
			t.Fatalf("second trip changed the event: %v", err)
		}
	})
}

func BenchmarkMarshal(b *testing.B) {
	meta, payload := sample()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := events.Marshal(meta, payload); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshal(b *testing.B) {
	meta, payload := sample()
	buf, err := events.Marshal(meta, payload)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := events.Unmarshal(buf); err != nil {
			b.Fatal(err)
		}
	}
}
