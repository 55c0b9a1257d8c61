package training_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/percorsi/percorsi/pkg/httpkit"
	"github.com/percorsi/percorsi/services/training"
)

// fuzzDecoder checks that a decoder either decodes or refuses with a 400
// naming a field: never a panic, never an unnamed refusal.
func fuzzDecoder(f *testing.F, decode func(context.Context, *http.Request) (any, error), seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.SetPathValue("id", "x")
		if _, err := decode(t.Context(), r); err != nil {
			rec := httptest.NewRecorder()
			httpkit.ErrorEncoder(t.Context(), err, rec)
			var e httpkit.ErrorBody
			_ = json.NewDecoder(rec.Body).Decode(&e)
			if rec.Code != http.StatusBadRequest || e.Error.Field == "" {
				t.Fatalf("refusal %d naming %q: %v", rec.Code, e.Error.Field, err)
			}
		}
	})
}

func FuzzDecodeRecordExam(f *testing.F) {
	fuzzDecoder(f, training.DecodeRecordExam,
		`{"held_on":"2026-03-02","results":[{"person":"p1","outcome":"passed","score":80}]}`,
		`{"held_on":"2026-13-40","results":[null]}`, `{"results":[{"units_passed":[1]}]}`, `[]`)
}

func FuzzDecodeCreateEdition(f *testing.F) {
	fuzzDecoder(f, training.DecodeCreateEdition,
		`{"course_id":"c","trainers":["t"],"start":"2026-01-01T00:00:00Z","end":"2026-06-01T00:00:00Z","lessons":[{"id":"l","module_id":"m","start":"2026-02-01T09:00:00Z","minutes":60}]}`,
		`{"lessons":[{"start":7}]}`, `{"start":"x"}`)
}

func FuzzDecodePutCourse(f *testing.F) {
	fuzzDecoder(f, training.DecodePutCourse,
		`{"title":"t","modules":[{"id":"m","title":"M","kind":"theory","hours":4}],"units":[{"code":"U","title":"u","esco_skills":["esco:x"]}]}`,
		`{"modules":[{"hours":1e9}]}`, `{"units":[{"esco_skills":"x"}]}`)
}

func FuzzDecodeRecordRegister(f *testing.F) {
	fuzzDecoder(f, training.DecodeRecordRegister,
		`{"marks":[{"person":"p1","status":"present"}]}`, `{"marks":[null]}`, `{"marks":[{"person":7}]}`)
}
