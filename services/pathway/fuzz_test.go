package pathway_test

import (
	"testing"

	"github.com/segmentio/kafka-go"

	"github.com/percorsi/percorsi/pkg/endpointtest"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/events/eventstest"
	"github.com/percorsi/percorsi/pkg/httpkit/httpkittest"
	"github.com/percorsi/percorsi/services/pathway"
)

// FuzzHTTPDecoders fuzzes the decoder of every documented route, the plan's
// goals, the transfer decision and the monitoring query included.
func FuzzHTTPDecoders(f *testing.F) {
	c := endpointtest.NewCapture[pathway.Endpoints]()
	httpkittest.FuzzRoutes(f, c, pathway.NewHTTPHandler(c.Endpoints),
		`{"display_name":"A","programme":"art18","referral":"police","personal":{"legal_name":"x"}}`,
		`{"goals":[{"domain":"work","title":"t","target":"2027-01-01","follow_by":"cw","status":"open"}]}`,
		`{"goals":[{"target":"never"}]}`, `{"reason":"r"}`, `{"scope":"data_processing","given":true}`,
		`[]`, ``, `{"a.b":1}`, `{"reason":{"$gt":""}}`)
}

// FuzzDecodeEventPayload: an envelope of every event type around any
// payload bytes is a RecordRequest or an Invalid naming the field at fault
// (dead-lettered with it); an entry always names its event and person.
func FuzzDecodeEventPayload(f *testing.F) {
	types := eventstest.PayloadTypes()
	for i := range types {
		f.Add(uint8(i), "e1", "ps-1", int64(1790000000), []byte{})
	}
	f.Fuzz(func(t *testing.T, typ uint8, id, person string, secs int64, payload []byte) {
		b := eventstest.Envelope(types, eventstest.Fields{Type: typ, ID: id, Person: person, OccurredAtSeconds: secs, Payload: payload})
		req, err := pathway.DecodeEvent(t.Context(), kafka.Message{Value: b})
		if err != nil {
			if e := errcode.As(err); e == nil || e.Code != errcode.Invalid || e.Field == "" {
				t.Fatalf("refusal %v is not Invalid naming a field", err)
			}
			return
		}
		if e := req.(pathway.RecordRequest).Entry; e != nil && (e.EventID == "" || e.Person == "") {
			t.Fatalf("an entry without event id or person: %+v", e)
		}
	})
}
