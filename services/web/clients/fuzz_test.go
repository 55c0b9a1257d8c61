package clients

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/percorsi/percorsi/pkg/errcode"
)

// FuzzDecodeResponse: whatever a service answers, web's response decoder
// returns the value or a coded error, Internal or Unavailable for what a
// page cannot explain; it never panics.
func FuzzDecodeResponse(f *testing.F) {
	f.Add(200, `{"person":"p1","entries":[{"event_id":"e1","occurred_at":"2026-11-26T09:00:00Z"}]}`)
	f.Add(400, `{"error":{"code":"invalid","field":"goals[0].title","message":"m"}}`)
	f.Add(503, `<html>`)
	f.Add(200, `{"entries":[{"occurred_at":"yesterday"}]}`)
	f.Fuzz(func(t *testing.T, status int, body string) {
		resp := &http.Response{StatusCode: status, Body: io.NopCloser(strings.NewReader(body))}
		v, err := decodeJSON[Timeline](t.Context(), resp)
		if err == nil {
			if status >= 400 || v.(*Timeline) == nil {
				t.Fatalf("status %d decoded to %v", status, v)
			}
			return
		}
		if errcode.As(err) == nil {
			t.Fatalf("status %d: uncoded error %v", status, err)
		}
	})
}
