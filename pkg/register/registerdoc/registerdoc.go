// Package registerdoc is the stored (bson) form of the shared register
// model's marks and corrections, for every service that keeps registers.
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

// FromMarks returns the stored form of marks.
func FromMarks(marks []register.Mark) []Mark {
	out := make([]Mark, len(marks))
	for i, m := range marks {
		out[i] = fromMark(m)
	}
	return out
}

// Marks returns the marks stored as ms.
func Marks(ms []Mark) []register.Mark {
	out := make([]register.Mark, len(ms))
	for i, m := range ms {
		out[i] = m.domain()
	}
	return out
}

// FromCorrections returns the stored form of corrections.
func FromCorrections(cs []register.Correction) []Correction {
	out := make([]Correction, len(cs))
	for i, c := range cs {
		out[i] = Correction{Person: c.Person, From: fromMark(c.From), To: fromMark(c.To), By: c.By, At: c.At, Reason: c.Reason}
	}
	return out
}

// Corrections returns the corrections stored as cs, or nil when none.
func Corrections(cs []Correction) []register.Correction {
	var out []register.Correction
	for _, c := range cs {
		out = append(out, register.Correction{Person: c.Person, From: c.From.domain(), To: c.To.domain(), By: c.By, At: c.At.UTC(), Reason: c.Reason})
	}
	return out
}
