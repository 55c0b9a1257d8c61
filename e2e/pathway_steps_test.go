package e2e

import (
	"fmt"
	"net/url"
)

// italian enrols the person in an Italian A2 class of the CPIA and marks
// five registers (present, three absences in a row, present), then the
// final assessment at A2.
func (j *journey) italian(ps string) {
	j.t.Helper()
	c := j.sys.CoursesURL
	j.must("PUT", c+"/v1/courses/it-a2", "cpia coordinator", map[string]any{"kind": "italian_l2", "title": "Italiano A2", "total_hours": 100, "target_level": "a2"}, nil)
	j.must("PUT", c+"/v1/classes/cl-it-a2", "cpia coordinator", map[string]any{
		"course_id": "it-a2", "title": "Italiano A2 mattina", "site": "Sede centrale", "teachers": []string{"teacher-cpia"},
		"schedule":   []map[string]any{{"weekday": "monday", "start": "09:00", "minutes": 120}},
		"start_date": j.day(-40), "end_date": j.day(60), "capacity": 20,
	}, nil)
	j.must("POST", c+"/v1/classes/cl-it-a2/enrolments", "cpia coordinator", map[string]any{"person": ps, "display_name": journeyName}, nil)
	for i, m := range []struct {
		day, minutes int
		status       string
	}{{-25, 120, "present"}, {-23, 0, "absent"}, {-21, 0, "absent"}, {-18, 0, "absent"}, {-16, 120, "present"}} {
		var lesson struct{ ID string }
		j.must("POST", c+"/v1/classes/cl-it-a2/lessons", "cpia coordinator", map[string]any{"start": j.at(m.day, 9), "minutes": 120}, &lesson)
		if i == 1 {
			j.streakFrom = lesson.ID
		}
		j.must("PUT", c+"/v1/lessons/"+lesson.ID+"/register", "teacher", map[string]any{
			"marks": []map[string]any{{"person": ps, "status": m.status, "minutes": m.minutes}},
		}, nil)
	}
	j.must("POST", c+"/v1/classes/cl-it-a2/assessments", "teacher", map[string]any{"person": ps, "kind": "final", "cefr_overall": "a2"}, nil)
}

// training enrols the person in a kitchen-assistant course (EQF 3): a
// theory lesson, the theory module closed, a day of internship, the exam
// passed and so the qualification.
func (j *journey) training(ps string) {
	j.t.Helper()
	tr := j.sys.TrainingURL
	j.must("PUT", tr+"/v1/courses/aiuto-cuoco", "cfp coordinator", map[string]any{
		"title": "Operatore della ristorazione - aiuto cuoco", "repertoire_code": "LAZ-RIST-AC-03", "region": "Lazio", "sector": "ristorazione",
		"provider": "cfp-lazio", "eqf_level": 3, "esco_occupation": "esco:occupation/5120", "min_attendance_bp": 7000,
		"modules": []map[string]any{
			{"id": "igiene", "title": "Igiene e HACCP", "kind": "theory", "hours": 4},
			{"id": "tirocinio", "title": "Tirocinio in ristorante", "kind": "internship", "hours": 4},
		},
		"units": []map[string]any{{"code": "UC1", "title": "Igiene alimentare", "esco_skills": []string{"esco:food-hygiene"}}},
	}, nil)
	j.must("PUT", tr+"/v1/editions/ed-ac", "cfp coordinator", map[string]any{
		"course_id": "aiuto-cuoco", "trainers": []string{"trainer-cfp"}, "start": j.at(-35, 0), "end": j.at(30, 0),
		"lessons": []map[string]any{{"id": "tl-1", "module_id": "igiene", "start": j.at(-30, 14), "minutes": 240}},
	}, nil)
	j.must("POST", tr+"/v1/editions/ed-ac/enrolments", "cfp coordinator", map[string]any{"person": ps, "display_name": journeyName}, nil)
	j.must("PUT", tr+"/v1/lessons/tl-1/register", "trainer", map[string]any{
		"marks": []map[string]any{{"person": ps, "status": "present", "minutes": 240}},
	}, nil)
	j.must("POST", tr+"/v1/editions/ed-ac/modules/igiene/close", "trainer", nil, nil)
	j.must("PUT", tr+"/v1/editions/ed-ac/enrolments/"+ps+"/internship", "trainer", map[string]any{
		"module_id": "tirocinio", "host_id": "emp-trattoria", "host_name": "Trattoria", "tutor": "Il titolare", "planned_hours": 4,
	}, nil)
	j.must("POST", tr+"/v1/editions/ed-ac/enrolments/"+ps+"/internship/days", "trainer", map[string]any{"day": j.day(-12), "minutes": 240}, nil)
	j.must("POST", tr+"/v1/editions/ed-ac/modules/tirocinio/close", "trainer", nil, nil)
	j.must("POST", tr+"/v1/editions/ed-ac/exam", "trainer", map[string]any{
		"held_on": j.day(-5), "results": []map[string]any{{"person": ps, "outcome": "passed", "score": 85}},
	}, nil)
}

// work: the counsellor proposes the person for a kitchen job and starts
// the placement a hundred days ago, once jobs knows her permit from
// pathway; the employer confirms it through the single-use link.
func (j *journey) work(ps string) {
	j.t.Helper()
	jb := j.sys.JobsURL
	j.must("PUT", jb+"/v1/employers/emp-trattoria", "counsellor", map[string]any{
		"name": "Trattoria", "sites": []map[string]any{{"id": "cucina", "name": "Cucina", "municipality": "Roma (Pigneto)", "location": map[string]any{"lat": 41.888, "lon": 12.53}}},
	}, nil)
	j.must("PUT", jb+"/v1/profiles/"+ps, "counsellor", map[string]any{
		"display_name": journeyName, "skills": []map[string]any{{"code": "esco:prepare-food", "evidence": "declared"}},
		"preferences": map[string]any{"max_weekly_hours": 40, "max_commute_km": 30}, "home": map[string]any{"lat": 41.89, "lon": 12.52},
		"available_from": j.day(-120),
	}, nil)
	var vacancy struct{ ID string }
	j.must("POST", jb+"/v1/vacancies", "counsellor", map[string]any{
		"employer_id": "emp-trattoria", "site_id": "cucina", "title": "Aiuto cuoco/a", "occupation": "esco:occupation/5120", "sector": "ristorazione",
		"required_skills": []string{"esco:prepare-food"}, "weekly_hours": 30, "shift": "morning", "contract": "fixed_term", "positions": 1,
		"starts_on": j.day(7), "closes_on": j.day(5),
	}, &vacancy)
	var proposal struct{ ID string }
	j.must("POST", jb+"/v1/proposals", "counsellor", map[string]any{"person": ps, "vacancy_id": vacancy.ID}, &proposal)
	j.must("POST", jb+"/v1/proposals/"+proposal.ID+"/interview", "counsellor", map[string]any{"held_on": j.day(0), "outcome": "accepted"}, nil)
	j.eventually("jobs to know the permit recorded in pathway", func() (bool, string) {
		var profile struct {
			Permit struct{ Known bool } `json:"permit"`
		}
		j.must("GET", jb+"/v1/profiles/"+ps, "counsellor", nil, &profile)
		return profile.Permit.Known, fmt.Sprint(profile)
	})
	var started struct {
		Placement struct{ ID string } `json:"placement"`
		Link      string              `json:"employer_link"`
	}
	j.must("POST", jb+"/v1/proposals/"+proposal.ID+"/placement", "counsellor", map[string]any{
		"starts_on": j.day(-100), "ends_on": j.day(265), "weekly_hours": 30,
	}, &started)
	token := started.Link
	if u, err := url.Parse(started.Link); err == nil && u.Query().Get("token") != "" {
		token = u.Query().Get("token")
	}
	j.must("POST", jb+"/v1/employer-links/"+started.Placement.ID, "", map[string]any{"token": token, "on": j.day(-100), "weekly_hours": 30}, nil)
}

// housing: a semi-autonomy flat 150 days ago, then an offer on the market
// accepted and a lease of her own.
func (j *journey) housing(ps string) {
	j.t.Helper()
	h := j.sys.HousingURL
	var flat struct{ Accommodation struct{ ID string } }
	j.must("POST", h+"/v1/accommodations", "housing worker", map[string]any{
		"name": "Appartamento Pigneto", "kind": "semi_autonomy_flat", "territory": "RM", "address": "Via Fittizia 8, Roma", "capacity": 3,
	}, &flat)
	j.must("POST", h+"/v1/steps", "housing worker", map[string]any{"person": ps, "kind": "semi_autonomy_flat", "accommodation_id": flat.Accommodation.ID, "start": j.day(-150)}, nil)
	j.must("PUT", h+"/v1/persons/"+ps+"/profile", "housing worker", map[string]any{
		"monthly_income_cents": 120000, "household_size": 1, "work_territory": "RM", "work_area": "Roma - Pigneto",
	}, nil)
	var offer struct{ Offer struct{ ID string } }
	j.must("POST", h+"/v1/offers", "housing worker", map[string]any{
		"source": "landlord", "monthly_rent_cents": 45000, "territory": "RM", "area": "Roma - Pigneto", "places": 1,
		"conditions": "monolocale, contratto 4+4", "available_from": j.day(-10),
	}, &offer)
	var proposal struct{ Proposal struct{ ID string } }
	j.must("POST", h+"/v1/offers/"+offer.Offer.ID+"/proposals", "housing worker", map[string]any{"person": ps}, &proposal)
	j.must("POST", h+"/v1/proposals/"+proposal.Proposal.ID+"/outcome", "housing worker", map[string]any{"outcome": "accepted"}, nil)
	j.must("POST", h+"/v1/proposals/"+proposal.Proposal.ID+"/lease", "housing worker", map[string]any{
		"signed_on": j.day(-3), "start": j.day(-2), "monthly_rent_cents": 45000, "duration_months": 48,
	}, nil)
}
