package housing_test

import (
	"testing"

	"github.com/percorsi/percorsi/pkg/endpointtest"
	"github.com/percorsi/percorsi/pkg/httpkit/httpkittest"
	"github.com/percorsi/percorsi/services/housing"
)

// FuzzHTTPDecoders fuzzes the decoder of every documented route, reads
// included: FuzzDecoders covers the writing ones with fixed paths only.
func FuzzHTTPDecoders(f *testing.F) {
	c := endpointtest.NewCapture[housing.Endpoints]()
	httpkittest.FuzzRoutes(f, c, housing.NewHTTPHandler(c.Endpoints),
		`{"person":"ps-1","kind":"protected_shelter","accommodation_id":"a","start":"2026-01-01"}`,
		`{"name":"n","kind":"host_family","territory":"RM","address":"via x","capacity":2}`,
		`{"capacity":"two"}`, `{"months":1e9}`, `[]`, ``, `{"a.b":1}`, `{"person":{"$gt":""}}`)
}
