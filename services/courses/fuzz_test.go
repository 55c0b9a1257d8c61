package courses_test

import (
	"testing"

	"github.com/percorsi/percorsi/pkg/endpointtest"
	"github.com/percorsi/percorsi/pkg/httpkit/httpkittest"
	"github.com/percorsi/percorsi/services/courses"
)

// FuzzHTTPDecoders fuzzes the decoder of every documented route, the CSV
// roster (sent as text/csv) and the register lines included.
func FuzzHTTPDecoders(f *testing.F) {
	c := endpointtest.NewCapture[courses.Endpoints]()
	httpkittest.FuzzRoutes(f, c, courses.NewHTTPHandler(c.Endpoints),
		`{"marks":[{"person":"p1","status":"late","minutes":30}],"reason":"typo"}`,
		`{"course_id":"c","title":"t","teachers":["t1"],"schedule":[{"weekday":"monday","start":"09:00","minutes":120}],"start_date":"2026-09-15","end_date":"2027-06-10","capacity":20}`,
		`{"kind":"italian_l2","title":"A2","total_hours":100,"target_level":"A2"}`,
		`{"person":"p1","kind":"final","overall":"A2","by_skill":{"reading":"A2"},"by_area":{"1":3}}`,
		`{"start":"2026-11-02T09:00:00+01:00","minutes":120}`,
		"person,display_name\nps-1,Amina K.\nps-2,\"Joy, O.\"\n",
		`{"marks":[null,{"minutes":"x"}]}`, `[]`, ``, `{"a.b":1}`, `{"$gt":""}`)
}
