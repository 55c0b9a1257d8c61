package domain_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/services/jobs/domain"
)

var start = time.Date(2027, 3, 8, 0, 0, 0, 0, time.UTC)

func placement() *domain.Placement {
	prop := &domain.Proposal{ID: "pr1", Person: "ps-1", Organisation: "org", Status: domain.Accepted}
	v := &domain.Vacancy{ID: "v1", EmployerID: "e1", Contract: domain.Internship}
	return domain.NewPlacement("pl1", prop, v, domain.PlacementTerms{StartsOn: start, WeeklyHours: 30, AllowanceCents: 80000, DurationMonths: 6}, 7*24*time.Hour)
}

func TestPlacementTerms(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		contract domain.ContractKind
		terms    domain.PlacementTerms
		field    string
	}{
		{"tirocinio", domain.Internship, domain.PlacementTerms{StartsOn: start, WeeklyHours: 30, AllowanceCents: 80000, DurationMonths: 6}, ""},
		{"tirocinio below the regional allowance", domain.Internship, domain.PlacementTerms{StartsOn: start, WeeklyHours: 30, AllowanceCents: 30000, DurationMonths: 6}, "monthly_allowance_cents"},
		{"tirocinio without duration", domain.Internship, domain.PlacementTerms{StartsOn: start, WeeklyHours: 30, AllowanceCents: 80000}, "duration_months"},
		{"permanent with an end", domain.Permanent, domain.PlacementTerms{StartsOn: start, EndsOn: start.AddDate(1, 0, 0), WeeklyHours: 40}, "ends_on"},
		{"contract with an allowance", domain.FixedTerm, domain.PlacementTerms{StartsOn: start, WeeklyHours: 40, AllowanceCents: 100}, "monthly_allowance_cents"},
		{"end before start", domain.FixedTerm, domain.PlacementTerms{StartsOn: start, EndsOn: start, WeeklyHours: 40}, "ends_on"},
		{"no start", domain.FixedTerm, domain.PlacementTerms{WeeklyHours: 40}, "starts_on"},
		{"too many hours", domain.FixedTerm, domain.PlacementTerms{StartsOn: start, WeeklyHours: 60}, "weekly_hours"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.terms.Check(tc.contract, 50000)
			if got := fieldOf(err); got != tc.field || (tc.field == "") != (err == nil) {
				t.Fatalf("got %v, want field %q", err, tc.field)
			}
		})
	}
}

func TestFollowUpsAreDueAt1_3_6_12Months(t *testing.T) {
	t.Parallel()
	p := placement()
	if due := p.DueFollowUps(start.AddDate(0, 0, 20)); due != nil {
		t.Fatalf("due before a month: %v", due)
	}
	if due := p.DueFollowUps(start.AddDate(0, 7, 0)); !reflect.DeepEqual(due, []int{1, 3, 6}) {
		t.Fatalf("due at 7 months: %v", due)
	}
	now := start.AddDate(0, 7, 0)
	if err := p.RecordFollowUp(domain.FollowUp{Month: 3, StillWorking: true, WeeklyHours: 30}, now); err != nil {
		t.Fatal(err)
	}
	if due := p.DueFollowUps(now); !reflect.DeepEqual(due, []int{1, 6}) {
		t.Fatalf("due after the 3-month one: %v", due)
	}
	cases := []struct {
		name string
		f    domain.FollowUp
		code errcode.Code
	}{
		{"again", domain.FollowUp{Month: 3, StillWorking: true, WeeklyHours: 30}, errcode.Conflict},
		{"not a follow-up month", domain.FollowUp{Month: 2, StillWorking: true, WeeklyHours: 30}, errcode.Invalid},
		{"not yet due", domain.FollowUp{Month: 12, StillWorking: true, WeeklyHours: 30}, errcode.Invalid},
		{"working no hours", domain.FollowUp{Month: 6, StillWorking: true}, errcode.Invalid},
		{"not working with hours", domain.FollowUp{Month: 6, WeeklyHours: 10}, errcode.Invalid},
	}
	for _, tc := range cases {
		if err := p.RecordFollowUp(tc.f, now); errcode.Of(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	if len(p.FollowUps) != 1 {
		t.Fatalf("refused follow-ups were kept: %+v", p.FollowUps)
	}
}

func TestLinkIsSpentOnceAndOnlyForItsPurpose(t *testing.T) {
	t.Parallel()
	p := placement()
	now := start.AddDate(0, 0, 1)
	if err := p.IssueLink("l1", domain.ConfirmEnd, now.Add(time.Hour)); errcode.Of(err) != errcode.Conflict {
		t.Fatalf("end link before the start is confirmed: %v", err)
	}
	if err := p.IssueLink("l1", domain.ConfirmStart, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := p.UseLink("l1", domain.ConfirmEnd, now); errcode.Of(err) != errcode.Forbidden {
		t.Fatalf("used for another purpose: %v", err)
	}
	if err := p.UseLink("l0", domain.ConfirmStart, now); errcode.Of(err) != errcode.Forbidden {
		t.Fatalf("another link id: %v", err)
	}
	if err := p.UseLink("l1", domain.ConfirmStart, now.Add(time.Hour)); errcode.Of(err) != errcode.Forbidden {
		t.Fatalf("expired: %v", err)
	}
	if err := p.UseLink("l1", domain.ConfirmStart, now); err != nil {
		t.Fatal(err)
	}
	if err := p.UseLink("l1", domain.ConfirmStart, now); errcode.Of(err) != errcode.Conflict {
		t.Fatalf("reused: %v", err)
	}
}

func TestProfileKeepsTheStrongestEvidenceAndRecentEvents(t *testing.T) {
	t.Parallel()
	var p domain.Profile
	p.AddSkill("s1", domain.Certified)
	if p.AddSkill("s1", domain.Declared) || p.Skills[0].Evidence != domain.Certified {
		t.Fatalf("weaker evidence replaced stronger: %+v", p.Skills)
	}
	for i := range domain.MaxApplied + 10 {
		if p.SeenEvent(string(rune('a' + i))) {
			t.Fatalf("event %d seen before", i)
		}
	}
	if len(p.Applied) != domain.MaxApplied || !p.SeenEvent(string(rune('a'+domain.MaxApplied+9))) {
		t.Fatalf("applied events not bounded to the most recent: %d", len(p.Applied))
	}
}

func fieldOf(err error) string {
	if e := errcode.As(err); e != nil {
		return e.Field
	}
	return ""
}

func TestVacancyStaysOpenThroughItsClosingDay(t *testing.T) {
	t.Parallel()
	v := &domain.Vacancy{Status: domain.Open, ClosesOn: time.Date(2027, 3, 5, 0, 0, 0, 0, time.UTC)}
	for _, tc := range []struct {
		at   time.Time
		open bool
	}{
		{v.ClosesOn.Add(-time.Hour), true},
		{v.ClosesOn.Add(23 * time.Hour), true},
		{v.ClosesOn.Add(24 * time.Hour), false},
	} {
		if v.OpenOn(tc.at) != tc.open {
			t.Errorf("at %s open %v, want %v", tc.at, !tc.open, tc.open)
		}
	}
	v.Status = domain.Closed
	if v.OpenOn(v.ClosesOn) {
		t.Error("a closed vacancy is open")
	}
}
