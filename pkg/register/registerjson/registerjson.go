// Package registerjson is the JSON form of the shared register model, for
// every service's HTTP API: the lines a client sends and the register it
// gets back.
package registerjson

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/percorsi/percorsi/pkg/httpkit"
	"github.com/percorsi/percorsi/pkg/register"
)

// Mark is one line of a register.
type Mark struct {
	Person      string `json:"person"`
	DisplayName string `json:"display_name,omitempty"` // in responses only
	Status      string `json:"status"`
	Minutes     int    `json:"minutes"`
}

// Correction is one corrected line: what it said, who changed it, when
// and why.
type Correction struct {
	Person string    `json:"person"`
	From   Mark      `json:"from"`
	To     Mark      `json:"to"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
}

// Sheet is a register.Sheet but its corrections, which each service
// writes in its own way.
type Sheet struct {
	RecordedBy string    `json:"recorded_by"`
	RecordedAt time.Time `json:"recorded_at"`
	Marks      []Mark    `json:"marks"`
	Revision   int       `json:"revision"`
}

// FromSheet returns the JSON of s.
func FromSheet(s register.Sheet, names Names) Sheet {
	return Sheet{RecordedBy: s.RecordedBy, RecordedAt: s.RecordedAt, Marks: FromMarks(s.Marks, names), Revision: s.Revision}
}

// Names gives a person's display name by pseudonym; nil names nobody.
type Names func(person string) string

func (n Names) mark(m register.Mark) Mark {
	out := Mark{Person: m.Person, Status: string(m.Status), Minutes: m.Minutes}
	if n != nil {
		out.DisplayName = n(m.Person)
	}
	return out
}

// FromMarks returns the JSON of marks, never nil.
func FromMarks(ms []register.Mark, names Names) []Mark {
	out := make([]Mark, len(ms))
	for i, m := range ms {
		out[i] = names.mark(m)
	}
	return out
}

// FromCorrections returns the JSON of cs, never nil.
func FromCorrections(cs []register.Correction, names Names) []Correction {
	out := make([]Correction, len(cs))
	for i, c := range cs {
		out[i] = Correction{Person: c.Person, From: names.mark(c.From), To: names.mark(c.To), By: c.By, At: c.At, Reason: c.Reason}
	}
	return out
}

// DecodeMarks reads a register submission, {"marks": [...]}, line by line
// so that an error names its place, e.g. "marks[2].minutes".
func DecodeMarks(r *http.Request) ([]register.Mark, error) {
	var body struct {
		Marks []json.RawMessage `json:"marks"`
	}
	if err := httpkit.Decode(r, &body); err != nil {
		return nil, err
	}
	return marks(body.Marks)
}

// DecodeCorrection reads a correction, {"marks": [...], "reason": "..."},
// as DecodeMarks does.
func DecodeCorrection(r *http.Request) (ms []register.Mark, reason string, err error) {
	var body struct {
		Marks  []json.RawMessage `json:"marks"`
		Reason string            `json:"reason"`
	}
	if err := httpkit.Decode(r, &body); err != nil {
		return nil, "", err
	}
	ms, err = marks(body.Marks)
	return ms, body.Reason, err
}

func marks(raws []json.RawMessage) ([]register.Mark, error) {
	out := make([]register.Mark, len(raws))
	for i, raw := range raws {
		var m struct { // a client sends no display name
			Person  string `json:"person"`
			Status  string `json:"status"`
			Minutes int    `json:"minutes"`
		}
		if err := httpkit.DecodeElement(raw, &m, fmt.Sprintf("marks[%d]", i)); err != nil {
			return nil, err
		}
		out[i] = register.Mark{Person: m.Person, Status: register.Status(m.Status), Minutes: m.Minutes}
	}
	return out, nil
}
