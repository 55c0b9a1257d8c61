package jobs_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/segmentio/kafka-go"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/events"
	pathwayv1 "github.com/percorsi/percorsi/proto/percorsi/pathway/v1"
	"github.com/percorsi/percorsi/services/jobs"
)

// FuzzDecodePutProfile: whatever the body, the decoder returns a request
// or an Invalid error naming a field; it never panics.
func FuzzDecodePutProfile(f *testing.F) {
	f.Add(profileBody("Amina K.", `{"code":"s1","evidence":"assessed"}`))
	f.Add(`{"skills":[null,{"code":1}]}`)
	f.Add(`{"experience":[{"months":"six"}]}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest(http.MethodPut, "/v1/profiles/ps-1", strings.NewReader(body))
		r.SetPathValue("id", "ps-1")
		req, err := jobs.DecodePutProfile(t.Context(), r)
		if err != nil {
			if e := errcode.As(err); e == nil || e.Code != errcode.Invalid || e.Field == "" {
				t.Fatalf("decode error %v is not Invalid naming a field", err)
			}
			return
		}
		if req.(jobs.PutProfileRequest).Person != "ps-1" {
			t.Fatal("person lost")
		}
	})
}

// FuzzDecodeEvent: whatever arrives on a followed topic is a request or an
// Invalid error (dead-lettered); it never panics.
func FuzzDecodeEvent(f *testing.F) {
	good, err := events.Marshal(events.Meta{ID: "e1", Person: "ps-1", Producer: "pathway", OccurredAt: today, RecordedAt: today},
		&pathwayv1.PermitRecorded{MayWork: true, ValidUntil: timestamppb.New(today)})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte{})
	f.Add([]byte("not protobuf"))
	f.Fuzz(func(t *testing.T, value []byte) {
		_, err := jobs.DecodeEvent(t.Context(), kafka.Message{Value: value})
		if err != nil && errcode.Of(err) != errcode.Invalid {
			t.Fatalf("decode error %v is not Invalid", err)
		}
	})
}
