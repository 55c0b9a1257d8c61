// Package registerdoc is the stored (bson) form of the shared register
// model, for every service that keeps registers.
package registerdoc

import (
	"time"

	"github.com/percorsi/percorsi/pkg/register"
)

// Mark is a stored register.Mark.
type Mark struct {
	Person  string `bson:"person"`
	Status  string `bson:"status"`
	Minutes int    `bson:"minutes"`
}

// Correction is a stored register.Correction.
type Correction struct {
	Person string    `bson:"person"`
	From   Mark      `bson:"from"`
	To     Mark      `bson:"to"`
	By     string    `bson:"by"`
	At     time.Time `bson:"at"`
	Reason string    `bson:"reason"`
}

func fromMark(m register.Mark) Mark {
	return Mark{Person: m.Person, Status: string(m.Status), Minutes: m.Minutes}
}

func (m Mark) domain() register.Mark {
	return register.Mark{Person: m.Person, Status: register.Status(m.Status), Minutes: m.Minutes}
}

// Fields are a stored register.Sheet but its revision, which is the
// document's version.
type Fields struct {
	LessonStart   time.Time    `bson:"lesson_start"`
	LessonMinutes int          `bson:"lesson_minutes"`
	Marks         []Mark       `bson:"marks"`
	RecordedBy    string       `bson:"recorded_by"`
	RecordedAt    time.Time    `bson:"recorded_at"`
	Corrections   []Correction `bson:"corrections"`
}

// FromSheet returns the stored form of s.
func FromSheet(s register.Sheet) Fields {
	return Fields{
		LessonStart: s.LessonStart, LessonMinutes: s.LessonMinutes, Marks: fromMarks(s.Marks),
		RecordedBy: s.RecordedBy, RecordedAt: s.RecordedAt, Corrections: fromCorrections(s.Corrections),
	}
}

// Sheet returns the sheet stored as f at revision.
func (f *Fields) Sheet(revision int) register.Sheet {
	return register.Sheet{
		LessonStart: f.LessonStart.UTC(), LessonMinutes: f.LessonMinutes, Marks: marks(f.Marks),
		RecordedBy: f.RecordedBy, RecordedAt: f.RecordedAt.UTC(), Corrections: corrections(f.Corrections), Revision: revision,
	}
}

func fromMarks(marks []register.Mark) []Mark {
	out := make([]Mark, len(marks))
	for i, m := range marks {
		out[i] = fromMark(m)
	}
	return out
}

func marks(ms []Mark) []register.Mark {
	out := make([]register.Mark, len(ms))
	for i, m := range ms {
		out[i] = m.domain()
	}
	return out
}

func fromCorrections(cs []register.Correction) []Correction {
	out := make([]Correction, len(cs))
	for i, c := range cs {
		out[i] = Correction{Person: c.Person, From: fromMark(c.From), To: fromMark(c.To), By: c.By, At: c.At, Reason: c.Reason}
	}
	return out
}

// corrections returns the corrections stored as cs, or nil when none.
func corrections(cs []Correction) []register.Correction {
	var out []register.Correction
	for _, c := range cs {
		out = append(out, register.Correction{Person: c.Person, From: c.From.domain(), To: c.To.domain(), By: c.By, At: c.At.UTC(), Reason: c.Reason})
	}
	return out
}
