package registerjson_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/register"
	"github.com/percorsi/percorsi/pkg/register/registerjson"
)

func TestDecode(t *testing.T) {
	r := httptest.NewRequest("PATCH", "/", strings.NewReader(`{"marks":[{"person":"p1","status":"late","minutes":30}],"reason":"typo"}`))
	ms, reason, err := registerjson.DecodeCorrection(r)
	if err != nil || reason != "typo" || len(ms) != 1 || ms[0] != (register.Mark{Person: "p1", Status: register.Late, Minutes: 30}) {
		t.Fatalf("correction: %+v %q %v", ms, reason, err)
	}
	for body, field := range map[string]string{
		`{"marks":[{"person":"p1"},{"person":"p2","minutes":"x"}]}`:     "marks[1].minutes",
		`{"marks":[{"person":"p1","display_name":"a name, not sent"}]}`: "marks[0].display_name",
		`{"marks":[],"reason":"a submission has none"}`:                 "reason",
	} {
		_, err := registerjson.DecodeMarks(httptest.NewRequest("PUT", "/", strings.NewReader(body)))
		if e := errcode.As(err); e == nil || e.Code != errcode.Invalid || !strings.Contains(e.Field, field) {
			t.Errorf("%s: %v, want Invalid naming %s", body, err, field)
		}
	}
}

func TestFromSheet(t *testing.T) {
	s := register.Sheet{Marks: []register.Mark{{Person: "p1", Status: register.Present, Minutes: 60}}, Revision: 2}
	got := registerjson.FromSheet(s, func(p string) string { return "name of " + p })
	if got.Revision != 2 || len(got.Marks) != 1 || got.Marks[0].DisplayName != "name of p1" || got.Marks[0].Status != "present" {
		t.Fatalf("%+v", got)
	}
	if got := registerjson.FromCorrections(nil, nil); got == nil {
		t.Fatal("no corrections: nil, want an empty list")
	}
}
