package allinone

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/services/jobs"
	jobsdomain "github.com/percorsi/percorsi/services/jobs/domain"
)

// DemoJobs is what the jobs demo holds, for the welcome text and the
// tests.
type DemoJobs struct {
	CookVacancyID string `json:"cook_vacancy_id"` // Trattoria da Gino's tirocinio, two positions
	PlacementID   string `json:"placement_id"`    // Amina K.'s, awaiting the employer's confirmation
	// FollowUpPlacementID is Mariam S.'s tirocinio, confirmed and started
	// 40 days before the demo was seeded: its one-month follow-up is due.
	FollowUpPlacementID string `json:"follow_up_placement_id"`
	// EmployerLink is the placement's start link (path and token), issued
	// afresh at every start: tokens are never stored.
	EmployerLink string `json:"-"`
}

// demoEmployers are a few employers of Rome and its province; their sites
// are located by the centroid of their district or town.
var demoEmployers = []jobsdomain.Employer{
	{ID: "emp-trattoria-gino", Name: "Trattoria da Gino", Sites: []jobsdomain.Site{{ID: "pigneto", Name: "Cucina", Municipality: "Roma (Pigneto)", Location: jobsdomain.Point{Lat: 41.888, Lon: 12.530}}}},
	{ID: "emp-pulizie-futura", Name: "Pulizie Futura Srl", Sites: []jobsdomain.Site{{ID: "tiburtina", Name: "Sede operativa", Municipality: "Roma (Tiburtino)", Location: jobsdomain.Point{Lat: 41.910, Lon: 12.545}}}},
	{ID: "emp-logistica-sud", Name: "Logistica Sud", Sites: []jobsdomain.Site{{ID: "pomezia", Name: "Magazzino", Municipality: "Pomezia", Location: jobsdomain.Point{Lat: 41.669, Lon: 12.501}}}},
	{ID: "emp-sartoria-solidale", Name: "Sartoria Solidale", Sites: []jobsdomain.Site{{ID: "esquilino", Name: "Laboratorio", Municipality: "Roma (Esquilino)", Location: jobsdomain.Point{Lat: 41.895, Lon: 12.503}}}},
}

// demoCandidates are the job profiles of the demo people, by index in
// demoPeople: skills, preferences, and the facts other services would
// have published (Italian level, permit).
var demoCandidates = []struct {
	person      int
	skills      []jobsdomain.Skill
	shifts      []jobsdomain.Shift
	maxHours    int
	italian     jobsdomain.Level
	permitMonth int // months of permit left; 0: no permit known, -1: expired
	home        jobsdomain.Point
}{
	{0, skills("esco:prepare-food/assessed", "esco:food-hygiene/assessed", "esco:haccp/declared"), nil, 36, jobsdomain.A2, 6, jobsdomain.Point{Lat: 41.892, Lon: 12.520}},
	{1, skills("esco:prepare-food/declared", "esco:clean-surfaces/assessed"), []jobsdomain.Shift{jobsdomain.Morning, jobsdomain.Afternoon}, 30, jobsdomain.B1, 12, jobsdomain.Point{Lat: 41.905, Lon: 12.540}},
	{2, skills("esco:clean-surfaces/assessed", "esco:use-cleaning-equipment/declared"), []jobsdomain.Shift{jobsdomain.Afternoon}, 20, jobsdomain.A1, 6, jobsdomain.Point{Lat: 41.915, Lon: 12.560}},
	{3, skills("esco:sew-textiles/assessed", "esco:operate-sewing-machine/assessed"), nil, 30, jobsdomain.A1, 12, jobsdomain.Point{Lat: 41.890, Lon: 12.500}},
	{4, skills("esco:stock-management/declared", "esco:operate-forklift/assessed"), nil, 40, jobsdomain.A2, 6, jobsdomain.Point{Lat: 41.700, Lon: 12.480}},
	{5, skills("esco:prepare-food/declared"), nil, 40, jobsdomain.PreA1, 6, jobsdomain.Point{Lat: 41.880, Lon: 12.510}},
	{6, skills("esco:clean-surfaces/declared", "esco:sew-textiles/declared"), nil, 25, jobsdomain.A2, 0, jobsdomain.Point{Lat: 41.900, Lon: 12.490}},
	{7, skills("esco:prepare-food/assessed", "esco:stock-management/assessed"), nil, 40, jobsdomain.B1, -1, jobsdomain.Point{Lat: 41.870, Lon: 12.530}},
}

func skills(specs ...string) []jobsdomain.Skill {
	out := make([]jobsdomain.Skill, len(specs))
	for i, s := range specs {
		code, ev, _ := strings.Cut(s, "/")
		e, _ := jobsdomain.ParseEvidence(ev)
		out[i] = jobsdomain.Skill{Code: code, Evidence: e}
	}
	return out
}

// seedJobsDemo writes employers, vacancies and the candidate profiles of
// the demo people through the jobs use cases, with the facts courses and
// pathway would publish applied as events, and starts Amina K.'s
// tirocinio, left awaiting the employer's confirmation. What it made is
// kept in dir, so that a restart only issues a fresh employer link.
func seedJobsDemo(ctx context.Context, s *System, dir string) (*DemoJobs, error) {
	counsellor := auth.With(ctx, demoUsers["elena.ferri"])
	svc := s.Jobs.Service
	path := filepath.Join(dir, "jobs-demo.json")
	var d DemoJobs
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &d); err != nil {
			return nil, fmt.Errorf("demo jobs: %s: %w", path, err)
		}
		link, err := svc.IssueLink(counsellor, d.PlacementID, jobsdomain.ConfirmStart)
		if err != nil && errcode.Of(err) != errcode.Conflict { // Conflict: confirmed already
			return nil, fmt.Errorf("demo jobs: %w", err)
		}
		if link != "" {
			d.EmployerLink = "/v1/employer-links/" + d.PlacementID + "?token=" + link
		}
		return &d, nil
	case !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("demo jobs: %w", err)
	}

	now := time.Now().UTC()
	today := now.Truncate(24 * time.Hour)
	for _, e := range demoEmployers {
		if err := svc.PutEmployer(counsellor, &e); err != nil {
			return nil, fmt.Errorf("demo jobs: %w", err)
		}
	}
	for _, c := range demoCandidates {
		p := demoPeople[c.person]
		facts := []*jobs.ProfileFact{{
			EventID: "demo-level-" + p.Pseudonym, Person: p.Pseudonym, Type: "percorsi.courses.v1.LevelAssessed",
			OccurredAt: today.AddDate(0, -1, 0), Italian: c.italian,
		}}
		if c.permitMonth != 0 {
			facts = append(facts, &jobs.ProfileFact{
				EventID: "demo-permit-" + p.Pseudonym, Person: p.Pseudonym, Type: "percorsi.pathway.v1.PermitRecorded",
				OccurredAt: today.AddDate(0, -2, 0),
				Permit:     &jobsdomain.Permit{Known: true, MayWork: true, ValidUntil: today.AddDate(0, c.permitMonth, 0), At: today.AddDate(0, -2, 0)},
			})
		}
		for _, f := range facts {
			if err := svc.ApplyFact(ctx, f); err != nil {
				return nil, fmt.Errorf("demo jobs: %w", err)
			}
		}
		in := jobs.ProfileInput{
			DisplayName: p.DisplayName, Skills: c.skills, Home: c.home, AvailableFrom: today,
			Prefs: jobsdomain.Preferences{Shifts: c.shifts, MaxWeeklyHours: c.maxHours, MaxCommuteKm: 25},
		}
		if _, err := svc.PutProfile(counsellor, p.Pseudonym, in); err != nil {
			return nil, fmt.Errorf("demo jobs: %w", err)
		}
	}

	vacancy := func(emp, site, title, occupation, sector string, required, desirable []string, italian jobsdomain.Level,
		hours int, shift jobsdomain.Shift, contract jobsdomain.ContractKind, positions int) (string, error) {
		v, err := svc.PublishVacancy(counsellor, &jobsdomain.Vacancy{
			EmployerID: emp, SiteID: site, Title: title, Occupation: occupation, Sector: sector,
			Required: required, Desirable: desirable, MinItalian: italian, WeeklyHours: hours, Shift: shift,
			Contract: contract, Positions: positions, StartsOn: today.AddDate(0, 0, 14), ClosesOn: today.AddDate(0, 0, 10),
		})
		if err != nil {
			return "", fmt.Errorf("demo jobs: vacancy %q: %w", title, err)
		}
		return v.ID, nil
	}
	if d.CookVacancyID, err = vacancy("emp-trattoria-gino", "pigneto", "Aiuto cuoco/a (tirocinio extracurricolare)", "esco:occupation/5120", "ristorazione",
		[]string{"esco:prepare-food", "esco:food-hygiene"}, []string{"esco:haccp"}, jobsdomain.A2, 30, jobsdomain.Morning, jobsdomain.Internship, 2); err != nil {
		return nil, err
	}
	vacancies := map[string]string{} // ids by employer
	for _, v := range []struct {
		emp, site, title, occ, sector string
		req, des                      []string
		it                            jobsdomain.Level
		hours                         int
		shift                         jobsdomain.Shift
		contract                      jobsdomain.ContractKind
		positions                     int
	}{
		{"emp-pulizie-futura", "tiburtina", "Addetto/a pulizie uffici", "esco:occupation/9112", "pulizie", []string{"esco:clean-surfaces"}, []string{"esco:use-cleaning-equipment"}, jobsdomain.A1, 20, jobsdomain.Afternoon, jobsdomain.FixedTerm, 3},
		{"emp-logistica-sud", "pomezia", "Magazziniere/a", "esco:occupation/4321", "logistica", []string{"esco:stock-management"}, []string{"esco:operate-forklift"}, jobsdomain.A2, 40, jobsdomain.Morning, jobsdomain.Apprenticeship, 1},
		{"emp-sartoria-solidale", "esquilino", "Sarta/o (tirocinio extracurricolare)", "esco:occupation/7531", "tessile", []string{"esco:sew-textiles"}, []string{"esco:operate-sewing-machine"}, jobsdomain.A1, 25, jobsdomain.Morning, jobsdomain.Internship, 1},
	} {
		if vacancies[v.emp], err = vacancy(v.emp, v.site, v.title, v.occ, v.sector, v.req, v.des, v.it, v.hours, v.shift, v.contract, v.positions); err != nil {
			return nil, err
		}
	}

	// Amina K. was proposed to the trattoria, passed the interview and
	// starts her tirocinio today; the employer has yet to confirm it.
	amina := demoPeople[0].Pseudonym
	prop, err := svc.Propose(counsellor, amina, d.CookVacancyID)
	if err != nil {
		return nil, fmt.Errorf("demo jobs: %w", err)
	}
	if _, err := svc.RecordInterview(counsellor, prop.ID, today, jobsdomain.Accepted); err != nil {
		return nil, fmt.Errorf("demo jobs: %w", err)
	}
	st, err := svc.StartPlacement(counsellor, prop.ID, jobsdomain.PlacementTerms{
		StartsOn: today, EndsOn: today.AddDate(0, 6, 0), WeeklyHours: 30, AllowanceCents: 80000, DurationMonths: 6,
	})
	if err != nil {
		return nil, fmt.Errorf("demo jobs: %w", err)
	}
	d.PlacementID = st.Placement.ID
	d.EmployerLink = "/v1/employer-links/" + st.Placement.ID + "?token=" + st.Token
	if d.FollowUpPlacementID, err = seedFollowUpDue(ctx, counsellor, svc, vacancies["emp-sartoria-solidale"], today); err != nil {
		return nil, err
	}
	b, err = json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("demo jobs: %w", err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return nil, fmt.Errorf("demo jobs: %w", err)
	}
	return &d, nil
}

// seedFollowUpDue gives the counsellor a follow-up to do: Mariam S.'s
// tirocinio at the sartoria began 40 days ago, and the counsellor records
// it only now, as happens with a placement found before Percorsi was in
// use. The use cases take a past start; the proposal and interview are
// today's, as they cannot be dated back. The employer confirms the start
// through its link, as it would. It returns the placement's id.
func seedFollowUpDue(ctx, counsellor context.Context, svc *jobs.Service, vacancyID string, today time.Time) (string, error) {
	mariam := demoPeople[3].Pseudonym
	prop, err := svc.Propose(counsellor, mariam, vacancyID)
	if err != nil {
		return "", fmt.Errorf("demo jobs: follow-up due: %w", err)
	}
	if _, err := svc.RecordInterview(counsellor, prop.ID, today, jobsdomain.Accepted); err != nil {
		return "", fmt.Errorf("demo jobs: follow-up due: %w", err)
	}
	start := today.AddDate(0, 0, -40)
	st, err := svc.StartPlacement(counsellor, prop.ID, jobsdomain.PlacementTerms{
		StartsOn: start, EndsOn: start.AddDate(0, 6, 0), WeeklyHours: 25, AllowanceCents: 60000, DurationMonths: 6,
	})
	if err != nil {
		return "", fmt.Errorf("demo jobs: follow-up due: %w", err)
	}
	if _, err := svc.ConfirmByLink(ctx, st.Placement.ID, st.Token, jobs.Confirmation{On: start, WeeklyHours: 25}); err != nil {
		return "", fmt.Errorf("demo jobs: follow-up due: confirm: %w", err)
	}
	return st.Placement.ID, nil
}
