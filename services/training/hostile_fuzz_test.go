package training_test

import (
	"testing"

	"github.com/percorsi/percorsi/pkg/endpointtest"
	"github.com/percorsi/percorsi/pkg/httpkit/httpkittest"
	"github.com/percorsi/percorsi/services/training"
)

// FuzzHTTPDecoders fuzzes the decoder of every documented route: the
// exported decoders have targets of their own, the rest only this one.
func FuzzHTTPDecoders(f *testing.F) {
	c := endpointtest.NewCapture[training.Endpoints]()
	httpkittest.FuzzRoutes(f, c, training.NewHTTPHandler(c.Endpoints),
		`{"person":"p1","display_name":"Amina K."}`,
		`{"reason":"work","note":"n","units_certified":["U1"]}`,
		`{"module_id":"m","host_id":"h","host_name":"H","tutor":"t","planned_hours":80}`,
		`{"day":"2026-03-02","minutes":240}`, `{"rating":4,"note":"ok"}`,
		`{"held_on":"2026-13-40","results":[null]}`, `[]`, ``, `{"a.b":1}`, `{"note":{"$gt":""}}`)
}
