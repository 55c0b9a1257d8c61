package jobs_test

import (
	"testing"

	"github.com/segmentio/kafka-go"

	"github.com/percorsi/percorsi/pkg/endpointtest"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/events/eventstest"
	"github.com/percorsi/percorsi/pkg/httpkit/httpkittest"
	"github.com/percorsi/percorsi/services/jobs"
)

// FuzzHTTPDecoders fuzzes the decoder of every documented route, the
// query's limit and the employer link's token included.
func FuzzHTTPDecoders(f *testing.F) {
	c := endpointtest.NewCapture[jobs.Endpoints]()
	httpkittest.FuzzRoutes(f, c, jobs.NewHTTPHandler(c.Endpoints),
		profileBody("Amina K.", `{"code":"s1","evidence":"assessed"}`),
		`{"person":"ps-1","vacancy_id":"v1"}`, `{"skills":[null,{"code":1}]}`,
		`[]`, ``, `{"a.b":1}`, `{"person":{"$gt":""}}`)
}

// FuzzDecodeEventPayload: an envelope of every event type around any
// payload bytes is an ApplyRequest or an Invalid naming the field at
// fault (dead-lettered with it); a fact applied always names its event
// and person.
func FuzzDecodeEventPayload(f *testing.F) {
	types := eventstest.PayloadTypes()
	for i := range types {
		f.Add(uint8(i), "e1", "ps-1", int64(1790000000), []byte{})
	}
	f.Fuzz(func(t *testing.T, typ uint8, id, person string, secs int64, payload []byte) {
		b := eventstest.Envelope(types, eventstest.Fields{Type: typ, ID: id, Person: person, OccurredAtSeconds: secs, Payload: payload})
		req, err := jobs.DecodeEvent(t.Context(), kafka.Message{Value: b})
		if err != nil {
			if e := errcode.As(err); e == nil || e.Code != errcode.Invalid || e.Field == "" {
				t.Fatalf("refusal %v is not Invalid naming a field", err)
			}
			return
		}
		if fact := req.(jobs.ApplyRequest).Fact; fact != nil && (fact.EventID == "" || fact.Person == "") {
			t.Fatalf("a fact without event id or person: %+v", fact)
		}
	})
}
