package events_test

import (
	"testing"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/events"
	"github.com/percorsi/percorsi/pkg/events/eventstest"
)

// FuzzUnmarshalPayload reaches past the envelope: every event type with any
// payload bytes and any meta. What opens carries what consumers rely on and
// survives a second trip unchanged; what does not is Invalid naming a field.
func FuzzUnmarshalPayload(f *testing.F) {
	types := eventstest.PayloadTypes()
	meta, payload := sample()
	good, err := proto.Marshal(payload)
	if err != nil {
		f.Fatal(err)
	}
	for i := range types {
		f.Add(uint8(i), meta.ID, meta.Person, meta.Organisation, meta.OccurredAt.Unix(), int32(0), good)
	}
	f.Add(uint8(0), "", "", "", int64(-1<<62), int32(-1), []byte{0xff})
	f.Fuzz(func(t *testing.T, typ uint8, id, person, org string, secs int64, nanos int32, p []byte) {
		b := eventstest.Envelope(types, eventstest.Fields{
			Type: typ, ID: id, Person: person, Org: org, OccurredAtSeconds: secs, OccurredAtNanos: nanos, Payload: p,
		})
		ev, err := events.Unmarshal(b)
		if err != nil {
			if e := errcode.As(err); e == nil || e.Code != errcode.Invalid || e.Field == "" {
				t.Fatalf("refusal %v is not Invalid naming a field", err)
			}
			return
		}
		if ev.ID == "" || len(ev.ID) > 64 || ev.Person == "" || len(ev.Person) > 64 || ev.Payload == nil {
			t.Fatalf("opened an event consumers cannot rely on: %+v", ev.Meta)
		}
		if string(ev.Payload.ProtoReflect().Descriptor().FullName()) != ev.Type {
			t.Fatalf("type %q opened as %T", ev.Type, ev.Payload)
		}
		if !utf8.ValidString(ev.ID) || !utf8.ValidString(ev.Person) {
			t.Fatalf("opened invalid UTF-8 in id or pseudonym: %q %q", ev.ID, ev.Person)
		}
		again, err := events.Marshal(ev.Meta, ev.Payload)
		if err != nil {
			t.Fatalf("an opened event does not seal again: %v", err)
		}
		ev2, err := events.Unmarshal(again)
		if err != nil || ev2.Meta != ev.Meta || !proto.Equal(ev2.Payload, ev.Payload) {
			t.Fatalf("second trip changed the event: %v", err)
		}
	})
}
