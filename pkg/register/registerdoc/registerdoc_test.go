package registerdoc_test

import (
	"reflect"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/percorsi/percorsi/pkg/register"
	"github.com/percorsi/percorsi/pkg/register/registerdoc"
)

// A sheet stored and read back is the sheet, at the revision the document
// holds, under the field names stored registers already have.
func TestSheetRoundTrip(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	from := register.Mark{Person: "p1", Status: register.Absent}
	to := register.Mark{Person: "p1", Status: register.Late, Minutes: 40}
	s := register.Sheet{
		LessonStart: at, LessonMinutes: 60, Marks: []register.Mark{to}, RecordedBy: "t", RecordedAt: at,
		Corrections: []register.Correction{{Person: "p1", From: from, To: to, By: "c", At: at.Add(time.Hour), Reason: "typo"}},
		Revision:    2,
	}
	b, err := bson.Marshal(registerdoc.FromSheet(s))
	if err != nil {
		t.Fatal(err)
	}
	var raw bson.M
	if err := bson.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"lesson_start", "lesson_minutes", "marks", "recorded_by", "recorded_at", "corrections"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("stored without %s: %v", k, raw)
		}
	}
	var f registerdoc.Fields
	if err := bson.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if got := f.Sheet(2); !reflect.DeepEqual(got, s) {
		t.Fatalf("read back %+v, want %+v", got, s)
	}
}
