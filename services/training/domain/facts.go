package domain

import "time"

// Fact is something that happened to a person in an edition; each becomes
// one event, written with the edition in the same single-document write.
type Fact interface {
	// Who is the pseudonym the event is keyed by.
	Who() string
}

type (
	// EnrolledFact: a person joined the roster.
	EnrolledFact struct{ Person string }
	// ModuleCompletedFact: a module closed for a person.
	ModuleCompletedFact struct {
		Person string
		Module Module
		Result ModuleResult
		// CourseMinutes is the person's minutes in the whole course so far,
		// lessons and internship.
		CourseMinutes int
	}
	// InternshipHoursFact: a day of internship recorded.
	InternshipHoursFact struct {
		Person    string
		Placement Placement
		Day       time.Time
		Minutes   int
	}
	// ExamFact: a person's final exam.
	ExamFact struct {
		Person string
		Result ExamResult
		// MinutesAttended, lessons and internship, admitted the person.
		MinutesAttended int
	}
	// QualifiedFact: the qualification awarded.
	QualifiedFact struct{ Person string }
	// CertifiedFact: some units certified without the qualification.
	CertifiedFact struct {
		Person string
		Units  []string
	}
	// WithdrawnFact: a person left before the exam.
	WithdrawnFact struct {
		Person            string
		Reason            WithdrawReason
		MinutesAttended   int
		InternshipMinutes int
	}
)

func (f EnrolledFact) Who() string        { return f.Person }
func (f ModuleCompletedFact) Who() string { return f.Person }
func (f InternshipHoursFact) Who() string { return f.Person }
func (f ExamFact) Who() string            { return f.Person }
func (f QualifiedFact) Who() string       { return f.Person }
func (f CertifiedFact) Who() string       { return f.Person }
func (f WithdrawnFact) Who() string       { return f.Person }
