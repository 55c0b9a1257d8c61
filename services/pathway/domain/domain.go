// Package domain holds the pathway service's entities: the people followed
// (by pseudonym) with their encrypted personal data, legal status, plan,
// alerts, transfers and closing, the timeline of what happened along their
// pathway, and the rules that read autonomy and alerts out of it.
package domain

import (
	"context"
	"slices"
	"time"
)

// Person is someone taken in charge, known by a random pseudonym. The
// display name is the one their organisation chose, never the legal name;
// the personal data is only ever stored sealed, field by field.
type Person struct {
	Pseudonym    string
	Organisation string // the organisation in charge
	Territory    string // of the organisation in charge, e.g. a region code
	DisplayName  string
	CaseWorker   string    // user subject
	Since        time.Time // the programme's start, as the case worker tells
	RecordedAt   time.Time // when the intake was recorded
	Programme    Programme
	Referral     Referral
	// Sealed holds each personal field's ciphertext by field name.
	Sealed    map[string][]byte
	Consents  []Consent
	Permits   []Permit // in the order recorded; the last is the current one
	Plan      Plan
	Alerts    []Alert
	Transfers []Transfer
	Closed    *Closing
	ErasedAt  time.Time // zero until the personal data was crypto-shredded
	// Stage and LastActivity summarise the timeline for the caseload; the
	// alert pass keeps them, so listing a caseload reads no timeline.
	Stage        Stage
	LastActivity time.Time
}

// Programme is the legal frame of the pathway.
type Programme string

const (
	Art18          Programme = "art18" // art. 18 D.lgs. 286/1998, social integration
	Art13          Programme = "art13" // art. 13 L. 228/2003, emersion and first assistance
	OtherProgramme Programme = "other"
)

// Programmes lists the valid programmes.
var Programmes = []Programme{Art18, Art13, OtherProgramme}

// Referral says who sent the person.
type Referral string

// Referrals lists the valid referral sources.
var Referrals = []Referral{"hotline", "contact_unit", "police", "territorial_commission", "social_services", "self"}

// PersonalData is what identifies a person; it exists in clear only in
// memory, on its way to or from the sealed fields.
type PersonalData struct {
	LegalName   string     `json:"legal_name,omitempty"`
	BirthDate   string     `json:"birth_date,omitempty"` // YYYY-MM-DD
	Nationality string     `json:"nationality,omitempty"`
	Languages   []string   `json:"languages,omitempty"`
	Phone       string     `json:"phone,omitempty"`
	Email       string     `json:"email,omitempty"`
	Documents   []Document `json:"documents,omitempty"`
}

// Document is an identity document.
type Document struct {
	Kind      string `json:"kind"`
	Number    string `json:"number"`
	ExpiresOn string `json:"expires_on,omitempty"`
}

// PersonalFields names the sealed fields, in the order they are shown.
var PersonalFields = []string{"legal_name", "birth_date", "nationality", "languages", "phone", "email", "documents"}

// Consent is one consent record; withdrawing keeps the record.
type Consent struct {
	Scope       string // e.g. data_processing, data_sharing_employers
	GivenAt     time.Time
	WithdrawnAt time.Time
}

// Permit is a residence permit as known: never its document number.
type Permit struct {
	Kind          PermitKind
	ValidFrom     time.Time
	ValidUntil    time.Time
	MayWork       bool
	ConvertedFrom PermitKind // set when this permit converts the previous one
	RecordedAt    time.Time
}

// PermitKind names the kind of residence permit.
type PermitKind string

const (
	PermitSpecialCases PermitKind = "special_cases_art18"
	PermitIntlProt     PermitKind = "international_protection"
	PermitAsylum       PermitKind = "asylum_applicant"
	PermitWork         PermitKind = "work_employed"
	PermitSelfEmployed PermitKind = "work_self_employed"
	PermitStudy        PermitKind = "study"
	PermitEULongTerm   PermitKind = "eu_long_term"
	PermitNotRequired  PermitKind = "not_required"
	PermitOther        PermitKind = "other"
)

// PermitKinds lists the valid permit kinds.
var PermitKinds = []PermitKind{PermitSpecialCases, PermitIntlProt, PermitAsylum, PermitWork, PermitSelfEmployed, PermitStudy, PermitEULongTerm, PermitNotRequired, PermitOther}

// Stable reports whether a permit kind no longer depends on the programme:
// what a conversion of the art. 18 permit leads to.
func (k PermitKind) Stable() bool {
	switch k {
	case PermitWork, PermitSelfEmployed, PermitStudy, PermitEULongTerm, PermitNotRequired:
		return true
	}
	return false
}

// LastRecorded is when the case worker last recorded a fact of the
// pathway on p (intake, plan, permit, transfer): known here before its
// event is back on the timeline.
func (p *Person) LastRecorded() time.Time {
	last := p.RecordedAt
	later := func(t time.Time) {
		if t.After(last) {
			last = t
		}
	}
	later(p.Plan.UpdatedAt)
	for _, x := range p.Permits {
		later(x.RecordedAt)
	}
	for _, t := range p.Transfers {
		later(t.RequestedAt)
		later(t.DecidedAt)
	}
	return last
}

// AssessedAt is the moment p's pathway is assessed at when asked at now:
// now, or for a closed pathway the end of its closing day, so that the
// facts of that day count.
func (p *Person) AssessedAt(now time.Time) time.Time {
	if p.Closed == nil {
		return now
	}
	if end := p.Closed.On.Truncate(24*time.Hour).AddDate(0, 0, 1).Add(-time.Nanosecond); end.Before(now) {
		return end
	}
	return now
}

// Current returns the permit recorded last, or nil.
func (p *Person) Current() *Permit {
	if len(p.Permits) == 0 {
		return nil
	}
	return &p.Permits[len(p.Permits)-1]
}

// Plan is the individual plan; every revision is kept.
type Plan struct {
	Revision  int
	Goals     []Goal
	UpdatedAt time.Time
	UpdatedBy string
	History   []PlanRevision // earlier revisions, oldest first
}

// PlanRevision is a plan as it was.
type PlanRevision struct {
	Revision  int
	Goals     []Goal
	UpdatedAt time.Time
	UpdatedBy string
}

// Goal is one goal of the plan.
type Goal struct {
	ID       string
	Domain   Area
	Title    string // the case worker's words; stays in pathway, never in events
	Target   time.Time
	FollowBy string // who follows it (a user or a service)
	Status   string // open, achieved, dropped
}

// GoalStatuses lists the valid goal statuses.
var GoalStatuses = []string{"open", "achieved", "dropped"}

// Area is a domain of the pathway toward autonomy.
type Area string

const (
	Italian  Area = "italian"
	Digital  Area = "digital"
	Training Area = "training"
	Work     Area = "work"
	Housing  Area = "housing"
	Legal    Area = "legal"
)

// Areas lists the domains, in the order shown.
var Areas = []Area{Italian, Digital, Training, Work, Housing, Legal}

// Alert asks the case worker to act.
type Alert struct {
	ID             string // kind:key, deterministic so that a condition raises one alert
	Kind           AlertKind
	RaisedAt       time.Time
	Due            time.Time
	AcknowledgedAt time.Time
	AcknowledgedBy string
	ResolvedAt     time.Time
	ResolvedBy     string // a user, or "system" when later facts cleared it
	Note           string
}

// Open reports whether the alert still waits for resolution.
func (a Alert) Open() bool { return a.ResolvedAt.IsZero() }

// MostUrgent returns how many of alerts are open and the kind of the most
// urgent of them ("" when none is).
func MostUrgent(alerts []Alert) (open int, kind AlertKind) {
	for _, a := range alerts {
		if !a.Open() {
			continue
		}
		open++
		if kind == "" || a.Kind.Urgency() < kind.Urgency() {
			kind = a.Kind
		}
	}
	return open, kind
}

// AlertKind names what an alert is about.
type AlertKind string

const (
	AlertAbsenceStreak        AlertKind = "absence_streak"
	AlertPermitWithoutGrounds AlertKind = "permit_without_grounds"
	AlertPlacementUnconfirmed AlertKind = "placement_unconfirmed"
	AlertHousingExit          AlertKind = "housing_exit_without_destination"
	AlertInactivity           AlertKind = "inactivity"
)

// urgency ranks the alert kinds, most urgent first: a person who left
// their home for nowhere may be in danger tonight; a permit that ends
// without grounds for conversion costs the right to stay; absences and an
// unconfirmed placement threaten a course or a job; silence comes last.
var urgency = []AlertKind{AlertHousingExit, AlertPermitWithoutGrounds, AlertAbsenceStreak, AlertPlacementUnconfirmed, AlertInactivity}

// Urgency is the kind's rank, 0 the most urgent; unknown kinds rank last.
func (k AlertKind) Urgency() int {
	if i := slices.Index(urgency, k); i >= 0 {
		return i
	}
	return len(urgency)
}

// Transfer is a hand-over to another organisation or territory.
type Transfer struct {
	ID               string
	FromOrganisation string
	ToOrganisation   string
	ToTerritory      string
	Reason           string
	RequestedAt      time.Time
	RequestedBy      string
	Status           string // requested, accepted, refused
	DecidedAt        time.Time
	DecidedBy        string
}

// Pending returns the transfer waiting for an answer, or nil.
func (p *Person) Pending() *Transfer {
	for i := range p.Transfers {
		if p.Transfers[i].Status == "requested" {
			return &p.Transfers[i]
		}
	}
	return nil
}

// Closing is how and when a pathway ended.
type Closing struct {
	Reason ClosingReason
	On     time.Time
	Note   string
	By     string
}

// ClosingReason says why a pathway ended.
type ClosingReason string

// ClosingReasons lists the valid reasons.
var ClosingReasons = []ClosingReason{"autonomy_reached", "assisted_voluntary_return", "dropped_out", "transferred"}

// Entry is one fact on a person's timeline, from any service.
type Entry struct {
	EventID      string // unique: an entry is stored once whatever the deliveries
	Person       string
	Type         string // full event type, e.g. percorsi.courses.v1.AttendanceRecorded
	Producer     string
	Organisation string
	OccurredAt   time.Time
	RecordedAt   time.Time
	Attendance   *Attendance // set for attendance facts
	Fact         *Fact       // set for every other fact pathway reads
}

// Attendance is a person's mark in one lesson.
type Attendance struct {
	CourseKind    string // italian_l2, digital (courses), vocational (training)
	ClassID       string // a class of courses, an edition of training
	LessonID      string
	Status        string // present, absent, late, excused
	Minutes       int
	LessonMinutes int
	// Correction marks a register line corrected: this mark replaces the
	// lesson's earlier one, which was PreviousStatus, PreviousMinutes.
	Correction      bool
	PreviousStatus  string
	PreviousMinutes int
}

// Fact is what pathway keeps of a non-attendance event, normalised.
type Fact struct {
	Kind   FactKind
	Ref    string    // the thing it is about: placement, step, alert, transfer, edition id
	Level  string    // a CEFR level, an EQF level, a step or permit kind, a score
	Detail string    // a reason, destination, contract or course kind, an outcome
	On     time.Time // the date the fact is about, when not OccurredAt
	Until  time.Time
	Flag   bool // may_work, confirmed by employer, converted, attendance reached
	// Minutes done (in a day of internship, in a module), Total so far and
	// Planned, for the facts that count time.
	Minutes, Total, Planned int
}

// FactKind names a fact: what happened, whichever service said it.
type FactKind string

// The facts of courses, training, jobs and housing, then pathway's own,
// which it also publishes (Event).
const (
	FactLevelAssessed        FactKind = "level_assessed"
	FactEnrolledInCourse     FactKind = "enrolled_in_course"
	FactCourseCompleted      FactKind = "course_completed"
	FactCertificateIssued    FactKind = "certificate_issued"
	FactCourseWithdrawn      FactKind = "course_withdrawn"
	FactEnrolledInTraining   FactKind = "enrolled_in_training"
	FactModuleCompleted      FactKind = "module_completed"
	FactInternshipHours      FactKind = "internship_hours"
	FactExamTaken            FactKind = "exam_taken"
	FactQualificationAwarded FactKind = "qualification_awarded"
	FactCompetencesCertified FactKind = "competences_certified"
	FactTrainingWithdrawn    FactKind = "training_withdrawn"
	FactMatchProposed        FactKind = "match_proposed"
	FactInterviewHeld        FactKind = "interview_held"
	FactPlacementFollowUp    FactKind = "placement_follow_up"
	FactPlacementStarted     FactKind = "placement_started"
	FactPlacementConfirmed   FactKind = "placement_confirmed"
	FactPlacementUnconfirmed FactKind = "placement_unconfirmed"
	FactPlacementEnded       FactKind = "placement_ended"
	FactHousingStepStarted   FactKind = "housing_step_started"
	FactHousingStepEnded     FactKind = "housing_step_ended"
	FactRentSupportGranted   FactKind = "rent_support_granted"
	FactHousingOfferProposed FactKind = "housing_offer_proposed"
	FactLeaseSigned          FactKind = "lease_signed"
	FactHousingExited        FactKind = "housing_exited"

	FactTakenInCharge     FactKind = "taken_in_charge"
	FactPermitRecorded    FactKind = "permit_recorded"
	FactPlanUpdated       FactKind = "plan_updated"
	FactAlertRaised       FactKind = "alert_raised"
	FactAlertResolved     FactKind = "alert_resolved"
	FactTransferRequested FactKind = "transfer_requested"
	FactPersonTransferred FactKind = "person_transferred"
	FactPathwayClosed     FactKind = "pathway_closed"
)

// Effective returns entries with every lesson's mark as last corrected: the
// final mark takes the place of the lesson's first one, where its lesson
// stands in the order, and the corrections themselves are left out. Rules
// and counts read marks through it; the timeline shows every entry.
func Effective(entries []Entry) []Entry {
	key := func(a *Attendance) string { return a.CourseKind + "/" + a.ClassID + "/" + a.LessonID }
	final := map[string]*Attendance{}
	corrected := false
	for _, e := range entries {
		if a := e.Attendance; a != nil {
			final[key(a)] = a
			corrected = corrected || a.Correction
		}
	}
	if !corrected {
		return entries
	}
	out := make([]Entry, 0, len(entries))
	placed := map[string]bool{}
	for _, e := range entries {
		if a := e.Attendance; a != nil {
			k := key(a)
			if placed[k] {
				continue
			}
			placed[k] = true
			e.Attendance = final[k]
		}
		out = append(out, e)
	}
	return out
}

// Event is a fact pathway publishes; events.go turns each into a message.
type Event struct {
	Kind     FactKind // one of pathway's own
	At       time.Time
	Ref      string // alert, transfer id
	Person   *Person
	Alert    *Alert
	How      string // alert_resolved: resolved or cleared
	Permit   *Permit
	Transfer *Transfer
}

// WrappedKey is a person's data key as stored, sealed by a master key.
type WrappedKey struct {
	KeyID string
	Key   []byte
}

// Keys stores the wrapped data keys apart from the data they open, so that
// deleting one crypto-shreds a person's fields in every copy.
type Keys interface {
	Put(ctx context.Context, pseudonym string, k WrappedKey) error
	// Get returns NotFound once the key was deleted.
	Get(ctx context.Context, pseudonym string) (WrappedKey, error)
	Delete(ctx context.Context, pseudonym string) error
	// All returns every stored key by pseudonym (key rotation).
	All(ctx context.Context) (map[string]WrappedKey, error)
}

// AuditEntry records one access to personal data, granted or not.
type AuditEntry struct {
	ID           string
	At           time.Time
	Subject      string // who
	Role         string
	Organisation string
	Person       string   // whose data
	Action       string   // read_personal, erase, transfer_request, transfer_accept...
	Fields       []string // which fields
	Reason       string   // why, as the caller gave it
	Outcome      string   // granted, denied
}

// Audit is the append-only access log.
type Audit interface {
	Add(ctx context.Context, e AuditEntry) error
	// List returns a person's entries, oldest first.
	List(ctx context.Context, person string) ([]AuditEntry, error)
}

// Timeline stores entries.
type Timeline interface {
	// Add stores each entry once: adding an entry with a known EventID
	// changes nothing and is not an error.
	Add(ctx context.Context, entries ...*Entry) error
	// List returns a person's entries by OccurredAt, then RecordedAt.
	List(ctx context.Context, person string) ([]Entry, error)
	// ListEach returns the entries of each of the people named, in the
	// order of List, by person.
	ListEach(ctx context.Context, persons []string) (map[string][]Entry, error)
	// All returns every entry of every person, in no set order (monitoring).
	All(ctx context.Context) ([]Entry, error)
	// Reset removes every entry (before a replay).
	Reset(ctx context.Context) error
}
