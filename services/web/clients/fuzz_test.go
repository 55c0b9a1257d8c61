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
	f.Add(200, `{"lesson":{"id":"l1","start":"2026-11-26T09:00:00Z"},"class":{"roster":[{"person":"p1"}]}}`)
	f.Add(400, `{"error":{"code":"invalid","field":"marks[0].minutes","message":"m"}}`)
	f.Add(503, `<html>`)
	f.Add(200, `{"lesson":{"start":"yesterday"}}`)
	f.Fuzz(func(t *testing.T, status int, body string) {
		resp := &http.Response{StatusCode: status, Body: io.NopCloser(strings.NewReader(body))}
		v, err := decodeJSON[Lesson](t.Context(), resp)
		if err == nil {
			if status >= 400 || v.(*Lesson) == nil {
				t.Fatalf("status %d decoded to %v", status, v)
			}
			return
		}
		if errcode.As(err) == nil {
			t.Fatalf("status %d: uncoded error %v", status, err)
		}
	})
}
