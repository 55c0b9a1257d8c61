package domain

import (
	"slices"
	"time"

	"github.com/percorsi/percorsi/pkg/errcode"
)

// ProposalStatus is where a proposal stands.
type ProposalStatus string

const (
	Proposed  ProposalStatus = "proposed"
	Accepted  ProposalStatus = "accepted" // after the interview, by the employer
	Rejected  ProposalStatus = "rejected"
	Withdrawn ProposalStatus = "withdrawn" // by the person or the counsellor
)

// Proposal is a counsellor putting a person forward for a vacancy.
type Proposal struct {
	ID           string
	Person       string
	Organisation string
	VacancyID    string
	EmployerID   string
	Score        int
	Status       ProposalStatus
	ProposedBy   string
	ProposedAt   time.Time
	InterviewOn  time.Time // zero until held
	Version      int64
}

// RecordInterview records the interview and its outcome.
func (p *Proposal) RecordInterview(on time.Time, outcome ProposalStatus, now time.Time) error {
	switch {
	case p.Status != Proposed:
		return errcode.New(errcode.Conflict, "outcome", "the interview outcome was already recorded (%s)", p.Status)
	case outcome != Accepted && outcome != Rejected && outcome != Withdrawn:
		return errcode.New(errcode.Invalid, "outcome", "must be accepted, rejected or withdrawn")
	case on.IsZero() || on.After(now):
		return errcode.New(errcode.Invalid, "held_on", "is required and must not be in the future")
	case on.Before(p.ProposedAt.Truncate(24 * time.Hour)):
		return errcode.New(errcode.Invalid, "held_on", "is before the proposal")
	}
	p.Status, p.InterviewOn = outcome, on
	return nil
}

// PlacementStatus is where a placement stands.
type PlacementStatus string

const (
	AwaitingConfirmation PlacementStatus = "awaiting_confirmation" // started, employer not yet confirmed
	Confirmed            PlacementStatus = "confirmed"
	Ended                PlacementStatus = "ended"
)

// LinkPurpose is what an employer link lets the employer confirm.
type LinkPurpose string

const (
	ConfirmStart LinkPurpose = "start"
	ConfirmEnd   LinkPurpose = "end"
)

// Link is the one employer link currently valid for a placement. Only its
// id is stored: the signed token itself is never kept.
type Link struct {
	ID      string
	Purpose LinkPurpose
	Expires time.Time
	Used    bool
}

// EndReason says why a placement ended.
type EndReason string

const (
	Completed EndReason = "completed" // reached its planned end
	Resigned  EndReason = "resigned"
	Dismissed EndReason = "dismissed"
	Hired     EndReason = "hired" // an internship turned into a contract
	OtherEnd  EndReason = "other"
)

// Valid reports whether r is a known reason.
func (r EndReason) Valid() bool {
	return r == Completed || r == Resigned || r == Dismissed || r == Hired || r == OtherEnd
}

// FollowUpMonths are when a placement is followed up, in months after the
// start.
var FollowUpMonths = []int{1, 3, 6, 12}

// FollowUp is the check some months after the start.
type FollowUp struct {
	Month        int
	StillWorking bool
	WeeklyHours  int
	RecordedBy   string
	RecordedAt   time.Time
}

// Placement is a person at work (or in a tirocinio) with an employer.
type Placement struct {
	ID             string
	Person         string
	Organisation   string
	ProposalID     string
	VacancyID      string
	EmployerID     string
	Contract       ContractKind
	StartsOn       time.Time
	EndsOn         time.Time // planned; zero for a permanent contract
	WeeklyHours    int
	AllowanceCents int // internship: monthly allowance
	DurationMonths int // internship: planned duration
	Status         PlacementStatus
	// ConfirmDue is when a start still unconfirmed is reported.
	ConfirmDue        time.Time
	UnconfirmedRaised bool
	StartConfirmedAt  time.Time
	EndedOn           time.Time
	EndReason         EndReason
	EndConfirmed      bool
	Link              Link
	FollowUps         []FollowUp
	Version           int64
}

// PlacementTerms are what a counsellor states when a placement starts.
type PlacementTerms struct {
	StartsOn       time.Time
	EndsOn         time.Time
	WeeklyHours    int
	AllowanceCents int
	DurationMonths int
}

// Check validates terms for contract, naming the field at fault. Region
// rules for tirocini vary: the allowance floor is the caller's setting.
func (t PlacementTerms) Check(contract ContractKind, minAllowanceCents int) error {
	switch {
	case t.StartsOn.IsZero():
		return errcode.New(errcode.Invalid, "starts_on", "is required")
	case t.WeeklyHours < 1 || t.WeeklyHours > 48:
		return errcode.New(errcode.Invalid, "weekly_hours", "must be between 1 and 48")
	case !t.EndsOn.IsZero() && !t.EndsOn.After(t.StartsOn):
		return errcode.New(errcode.Invalid, "ends_on", "must be after starts_on")
	}
	switch contract {
	case Internship:
		switch {
		case t.DurationMonths < 1 || t.DurationMonths > 24:
			return errcode.New(errcode.Invalid, "duration_months", "a tirocinio lasts 1 to 24 months")
		case t.AllowanceCents < minAllowanceCents:
			return errcode.New(errcode.Invalid, "monthly_allowance_cents", "is below the regional minimum of %d cents", minAllowanceCents)
		}
	case Permanent:
		if !t.EndsOn.IsZero() {
			return errcode.New(errcode.Invalid, "ends_on", "a permanent contract has no planned end")
		}
	default:
		if t.AllowanceCents != 0 || t.DurationMonths != 0 {
			return errcode.New(errcode.Invalid, "monthly_allowance_cents", "only a tirocinio has an allowance and a duration")
		}
	}
	return nil
}

// NewPlacement starts a placement from an accepted proposal. The start
// awaits the employer's confirmation until confirmAfter has passed.
func NewPlacement(id string, prop *Proposal, v *Vacancy, t PlacementTerms, confirmAfter time.Duration) *Placement {
	return &Placement{
		ID: id, Person: prop.Person, Organisation: prop.Organisation, ProposalID: prop.ID,
		VacancyID: v.ID, EmployerID: v.EmployerID, Contract: v.Contract,
		StartsOn: t.StartsOn, EndsOn: t.EndsOn, WeeklyHours: t.WeeklyHours,
		AllowanceCents: t.AllowanceCents, DurationMonths: t.DurationMonths,
		Status: AwaitingConfirmation, ConfirmDue: t.StartsOn.Add(confirmAfter),
	}
}

// IssueLink replaces the placement's employer link with a new one: any
// link issued before stops working.
func (p *Placement) IssueLink(id string, purpose LinkPurpose, expires time.Time) error {
	switch {
	case purpose == ConfirmStart && p.Status != AwaitingConfirmation:
		return errcode.New(errcode.Conflict, "purpose", "the start is already confirmed")
	case purpose == ConfirmEnd && p.Status == Ended && p.EndConfirmed:
		return errcode.New(errcode.Conflict, "purpose", "the end is already confirmed")
	case purpose == ConfirmEnd && p.Status == AwaitingConfirmation:
		return errcode.New(errcode.Conflict, "purpose", "the start is not confirmed yet")
	case purpose != ConfirmStart && purpose != ConfirmEnd:
		return errcode.New(errcode.Invalid, "purpose", "must be start or end")
	}
	p.Link = Link{ID: id, Purpose: purpose, Expires: expires}
	return nil
}

// UseLink spends the placement's link linkID for purpose at now. Any
// failure leaves the placement unchanged.
func (p *Placement) UseLink(linkID string, purpose LinkPurpose, now time.Time) error {
	switch {
	case p.Link.ID == "" || p.Link.ID != linkID || p.Link.Purpose != purpose:
		return errcode.New(errcode.Forbidden, "token", "this link is not valid for this placement")
	case p.Link.Used:
		return errcode.New(errcode.Conflict, "token", "this link was already used")
	case !now.Before(p.Link.Expires):
		return errcode.New(errcode.Forbidden, "token", "this link has expired")
	}
	p.Link.Used = true
	return nil
}

// ConfirmStart records the employer's confirmation of the start, with the
// actual start day and weekly hours if they differ from what was planned.
func (p *Placement) ConfirmStart(on time.Time, weeklyHours int, now time.Time) error {
	switch {
	case p.Status != AwaitingConfirmation:
		return errcode.New(errcode.Conflict, "token", "the start is already confirmed")
	case on.IsZero() || on.After(now):
		return errcode.New(errcode.Invalid, "started_on", "is required and must not be in the future")
	case weeklyHours < 1 || weeklyHours > 48:
		return errcode.New(errcode.Invalid, "weekly_hours", "must be between 1 and 48")
	}
	p.Status, p.StartsOn, p.WeeklyHours, p.StartConfirmedAt = Confirmed, on, weeklyHours, now
	return nil
}

// End records the end of the placement, by the counsellor or, confirmed,
// by the employer's link.
func (p *Placement) End(on time.Time, reason EndReason, byEmployer bool, now time.Time) error {
	switch {
	case p.Status == Ended && (p.EndConfirmed || !byEmployer):
		return errcode.New(errcode.Conflict, "ended_on", "the placement already ended")
	case !reason.Valid():
		return errcode.New(errcode.Invalid, "reason", "must be completed, resigned, dismissed, hired or other")
	case on.IsZero() || on.After(now):
		return errcode.New(errcode.Invalid, "ended_on", "is required and must not be in the future")
	case on.Before(p.StartsOn):
		return errcode.New(errcode.Invalid, "ended_on", "is before the start")
	}
	p.Status, p.EndedOn, p.EndReason, p.EndConfirmed = Ended, on, reason, byEmployer
	return nil
}

// RecordFollowUp records the follow-up of month (1, 3, 6 or 12), once.
func (p *Placement) RecordFollowUp(f FollowUp, now time.Time) error {
	switch {
	case !slices.Contains(FollowUpMonths, f.Month):
		return errcode.New(errcode.Invalid, "month", "must be 1, 3, 6 or 12")
	case now.Before(p.StartsOn.AddDate(0, f.Month, 0)):
		return errcode.New(errcode.Invalid, "month", "is not due until %s", p.StartsOn.AddDate(0, f.Month, 0).Format(time.DateOnly))
	case f.WeeklyHours < 0 || f.WeeklyHours > 48 || (!f.StillWorking && f.WeeklyHours != 0):
		return errcode.New(errcode.Invalid, "weekly_hours", "must be 0-48, and 0 when no longer working")
	case f.StillWorking && f.WeeklyHours == 0:
		return errcode.New(errcode.Invalid, "weekly_hours", "is required when still working")
	}
	for _, old := range p.FollowUps {
		if old.Month == f.Month {
			return errcode.New(errcode.Conflict, "month", "the %d-month follow-up was already recorded", f.Month)
		}
	}
	f.RecordedAt = now
	p.FollowUps = append(p.FollowUps, f)
	return nil
}

// DueFollowUps returns the follow-up months due by now and not recorded.
func (p *Placement) DueFollowUps(now time.Time) []int {
	var due []int
	for _, m := range FollowUpMonths {
		if now.Before(p.StartsOn.AddDate(0, m, 0)) {
			break
		}
		if !slices.ContainsFunc(p.FollowUps, func(f FollowUp) bool { return f.Month == m }) {
			due = append(due, m)
		}
	}
	return due
}
