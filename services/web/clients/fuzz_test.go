package clients_test

import (
	"testing"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/percorsi/percorsi/pkg/errcode"
	pathwayv1 "github.com/percorsi/percorsi/proto/percorsi/pathway/v1"
	"github.com/percorsi/percorsi/services/web/clients"
)

// FuzzCounts: whatever pathway's monitoring row holds, Counts returns a
// whole number or nil (suppressed) for each indicator, or a coded
// Internal error the page can explain; it never panics. The protobuf
// decoding itself is the library's.
func FuzzCounts(f *testing.F) {
	f.Add(`{"group":"coop-aurora","counts":{"enrolled":7,"placed":null}}`)
	f.Add(`{"counts":{"enrolled":"seven"}}`)
	f.Add(`{"counts":{"enrolled":3.5,"placed":1e300}}`)
	f.Add(`{"counts":{"enrolled":true,"placed":{"n":1},"housed":[1]}}`)
	f.Fuzz(func(t *testing.T, body string) {
		var row pathwayv1.MonitoringRow
		if protojson.Unmarshal([]byte(body), &row) != nil {
			return
		}
		counts, err := clients.Counts(&row)
		if err != nil {
			if errcode.Of(err) != errcode.Internal {
				t.Fatalf("%s: %v, want an Internal error", body, err)
			}
			return
		}
		for ind, v := range row.GetCounts() {
			n, ok := counts[ind]
			switch {
			case !ok:
				t.Fatalf("%s: %s lost", body, ind)
			case (n == nil) != (v.GetKind() == nil || v.AsInterface() == nil):
				t.Fatalf("%s: %s read as %v", body, ind, n)
			case n != nil && float64(*n) != v.GetNumberValue():
				t.Fatalf("%s: %s read as %d", body, ind, *n)
			}
		}
	})
}
