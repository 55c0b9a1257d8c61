package clients

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/percorsi/percorsi/pkg/errcode"
)

// Jobs is a client of the jobs API (services/jobs/openapi.yaml). Its
// writes are not repeated: a proposal or a placement made twice is a
// conflict, and a link lost in a retried answer cannot be shown again.
type Jobs struct{ c *Conn }

// NewJobs returns the jobs client of c.
func NewJobs(c *Conn) *Jobs { return &Jobs{c} }

// Vacancy is a vacancy as jobs shows it.
type Vacancy struct {
	ID          string   `json:"id"`
	EmployerID  string   `json:"employer_id"`
	Title       string   `json:"title"`
	Sector      string   `json:"sector"`
	Required    []string `json:"required_skills"`
	Desirable   []string `json:"desirable_skills"`
	MinItalian  string   `json:"min_italian"`
	WeeklyHours int      `json:"weekly_hours"`
	Shift       string   `json:"shift"`
	Contract    string   `json:"contract"`
	Positions   int      `json:"positions"`
	StartsOn    string   `json:"starts_on"`
	ClosesOn    string   `json:"closes_on"`
	Status      string   `json:"status"`
}

// Explanation is a score with the reason of each of its parts, in the
// language web asked for.
type Explanation struct {
	Score int `json:"score"`
	Parts []struct {
		Part   string `json:"part"`
		Points int    `json:"points"`
		Max    int    `json:"max"`
		Reason string `json:"reason"`
	} `json:"parts"`
	Exclusions []struct {
		Constraint string `json:"constraint"`
		Reason     string `json:"reason"`
	} `json:"exclusions"`
}

// Ranking is a vacancy's candidates, best first.
type Ranking struct {
	Vacancy    Vacancy `json:"vacancy"`
	Candidates []struct {
		Person      string      `json:"person"`
		DisplayName string      `json:"display_name"`
		Match       Explanation `json:"match"`
	} `json:"candidates"`
	Considered int            `json:"considered"`
	Eligible   int            `json:"eligible"`
	ExcludedBy map[string]int `json:"excluded_by"`
}

// Proposal is a candidate put forward for a vacancy.
type Proposal struct {
	ID          string `json:"id"`
	Person      string `json:"person"`
	VacancyID   string `json:"vacancy_id"`
	Score       int    `json:"score"`
	Status      string `json:"status"`
	InterviewOn string `json:"interview_on"`
}

// Profile is a candidate's profile.
type Profile struct {
	Person      string `json:"person"`
	DisplayName string `json:"display_name"`
	Skills      []struct {
		Code     string `json:"code"`
		Evidence string `json:"evidence"`
	} `json:"skills"`
	Italian        string   `json:"italian_level"`
	Qualifications []string `json:"qualifications"`
	Permit         struct {
		Known      bool   `json:"known"`
		MayWork    bool   `json:"may_work"`
		ValidUntil string `json:"valid_until"`
	} `json:"permit"`
}

// VacancyMatch is a vacancy ranked for a candidate.
type VacancyMatch struct {
	Vacancy Vacancy     `json:"vacancy"`
	Match   Explanation `json:"match"`
}

// Placement is a placement as its counsellor, or the employer, sees it.
type Placement struct {
	ID             string `json:"id"`
	Person         string `json:"person"`
	DisplayName    string `json:"display_name"`
	VacancyID      string `json:"vacancy_id"`
	Title          string `json:"title"`
	EmployerID     string `json:"employer_id"`
	Contract       string `json:"contract"`
	StartsOn       string `json:"starts_on"`
	EndsOn         string `json:"ends_on"`
	WeeklyHours    int    `json:"weekly_hours"`
	AllowanceCents int    `json:"monthly_allowance_cents"`
	Status         string `json:"status"`
	EndedOn        string `json:"ended_on"`
	EndReason      string `json:"end_reason"`
	FollowUps      []struct {
		Month        int  `json:"month"`
		StillWorking bool `json:"still_working"`
		WeeklyHours  int  `json:"weekly_hours"`
	} `json:"follow_ups"`
	DueFollowUps []int  `json:"due_follow_ups"`
	Confirm      string `json:"confirm"` // what an employer link confirms: start or end
}

// PlacementTerms are what a counsellor agreed for a placement.
type PlacementTerms struct {
	StartsOn       string `json:"starts_on"`
	EndsOn         string `json:"ends_on,omitempty"`
	WeeklyHours    int    `json:"weekly_hours"`
	AllowanceCents int    `json:"monthly_allowance_cents,omitempty"`
	DurationMonths int    `json:"duration_months,omitempty"`
}

// Confirmation is what an employer confirms through a link.
type Confirmation struct {
	Token       string `json:"token"`
	On          string `json:"on"`
	WeeklyHours int    `json:"weekly_hours,omitempty"`
	Reason      string `json:"reason,omitempty"`
}

// EmployerLink is a link an employer confirms with: its placement and
// the token that is its only credential.
type EmployerLink struct{ Placement, Token string }

// parseLink reads the link jobs returns, "/v1/employer-links/{id}?token=…".
func parseLink(s string) (EmployerLink, error) {
	u, err := url.Parse(s)
	if err != nil {
		u = &url.URL{}
	}
	id, ok := strings.CutPrefix(u.Path, "/v1/employer-links/")
	if !ok || !ValidID(id) || u.Query().Get("token") == "" {
		return EmployerLink{}, errcode.New(errcode.Internal, "employer_link", "jobs returned a link web cannot read")
	}
	return EmployerLink{Placement: id, Token: u.Query().Get("token")}, nil
}

type (
	vacanciesResponse struct {
		Vacancies []Vacancy `json:"vacancies"`
	}
	proposalsResponse struct {
		Proposals []Proposal `json:"proposals"`
	}
	vacancyMatches struct {
		Vacancies []VacancyMatch `json:"vacancies"`
	}
	placementsResponse struct {
		Placements []Placement `json:"placements"`
	}
	startedResponse struct {
		Placement    Placement `json:"placement"`
		EmployerLink string    `json:"employer_link"`
	}
	linkResponse struct {
		EmployerLink string `json:"employer_link"`
	}
)

// Vacancies lists the open vacancies.
func (j *Jobs) Vacancies(ctx context.Context) ([]Vacancy, error) {
	resp, err := get[vacanciesResponse](ctx, j.c, "jobs.vacancies", request{path: "/v1/vacancies"})
	return field(resp, err, func(r *vacanciesResponse) []Vacancy { return r.Vacancies })
}

// Candidates ranks the caller's candidates for vacancy id, the reasons
// in lang.
func (j *Jobs) Candidates(ctx context.Context, id, lang string) (*Ranking, error) {
	return get[Ranking](ctx, j.c, "jobs.rank_candidates", request{path: pathOf("/v1/vacancies/", id, "/candidates"), query: inLang(lang)})
}

// Proposals lists the caller's proposals for vacancy id.
func (j *Jobs) Proposals(ctx context.Context, id string) ([]Proposal, error) {
	resp, err := get[proposalsResponse](ctx, j.c, "jobs.proposals", request{path: pathOf("/v1/vacancies/", id, "/proposals")})
	return field(resp, err, func(r *proposalsResponse) []Proposal { return r.Proposals })
}

// Profile returns a candidate's profile.
func (j *Jobs) Profile(ctx context.Context, person string) (*Profile, error) {
	return get[Profile](ctx, j.c, "jobs.profile", request{path: pathOf("/v1/profiles/", person)})
}

// VacanciesFor ranks the open vacancies for a candidate, the reasons in
// lang.
func (j *Jobs) VacanciesFor(ctx context.Context, person, lang string) ([]VacancyMatch, error) {
	resp, err := get[vacancyMatches](ctx, j.c, "jobs.rank_vacancies", request{path: pathOf("/v1/profiles/", person, "/vacancies"), query: inLang(lang)})
	return field(resp, err, func(r *vacancyMatches) []VacancyMatch { return r.Vacancies })
}

// Placements lists the placements of the caller's organisation.
func (j *Jobs) Placements(ctx context.Context) ([]Placement, error) {
	resp, err := get[placementsResponse](ctx, j.c, "jobs.placements", request{path: "/v1/placements"})
	return field(resp, err, func(r *placementsResponse) []Placement { return r.Placements })
}

// Placement returns placement id.
func (j *Jobs) Placement(ctx context.Context, id string) (*Placement, error) {
	return get[Placement](ctx, j.c, "jobs.placement", request{path: pathOf("/v1/placements/", id)})
}

// Propose puts person forward for vacancy.
func (j *Jobs) Propose(ctx context.Context, person, vacancy string) (*Proposal, error) {
	return send[Proposal](ctx, j.c, j.c.once, "jobs.propose", http.MethodPost, request{path: "/v1/proposals", body: map[string]string{"person": person, "vacancy_id": vacancy}})
}

// RecordInterview records proposal id's interview, held on day with outcome.
func (j *Jobs) RecordInterview(ctx context.Context, id, day, outcome string) (*Proposal, error) {
	return send[Proposal](ctx, j.c, j.c.once, "jobs.record_interview", http.MethodPost, request{path: pathOf("/v1/proposals/", id, "/interview"), body: map[string]string{"held_on": day, "outcome": outcome}})
}

// StartPlacement starts the placement of accepted proposal id and returns
// it with the employer's link, which is shown this once.
func (j *Jobs) StartPlacement(ctx context.Context, id string, t PlacementTerms) (*Placement, EmployerLink, error) {
	resp, err := send[startedResponse](ctx, j.c, j.c.once, "jobs.start_placement", http.MethodPost, request{path: pathOf("/v1/proposals/", id, "/placement"), body: t})
	if err != nil {
		return nil, EmployerLink{}, err
	}
	link, err := parseLink(resp.EmployerLink)
	return &resp.Placement, link, err
}

// IssueLink issues a new employer link of placement id for purpose (start
// or end); the links issued before stop working.
func (j *Jobs) IssueLink(ctx context.Context, id, purpose string) (EmployerLink, error) {
	resp, err := send[linkResponse](ctx, j.c, j.c.once, "jobs.issue_link", http.MethodPost, request{path: pathOf("/v1/placements/", id, "/links"), body: map[string]string{"purpose": purpose}})
	if err != nil {
		return EmployerLink{}, err
	}
	return parseLink(resp.EmployerLink)
}

// FollowUp records the follow-up of a month after placement id started.
func (j *Jobs) FollowUp(ctx context.Context, id string, month int, stillWorking bool, weeklyHours int) error {
	return post(ctx, j.c, j.c.once, "jobs.record_follow_up", request{path: pathOf("/v1/placements/", id, "/follow-ups"), body: map[string]any{
		"month": month, "still_working": stillWorking, "weekly_hours": weeklyHours,
	}})
}

// LinkView returns what link confirms, without spending it. No user token
// goes along: the link is the credential.
func (j *Jobs) LinkView(ctx context.Context, link EmployerLink) (*Placement, error) {
	return get[Placement](ctx, j.c, "jobs.employer_link_view", request{path: pathOf("/v1/employer-links/", link.Placement), query: url.Values{"token": {link.Token}}})
}

// Confirm spends link to confirm its placement's start or end.
func (j *Jobs) Confirm(ctx context.Context, placement string, c Confirmation) error {
	return post(ctx, j.c, j.c.once, "jobs.employer_link_confirm", request{path: pathOf("/v1/employer-links/", placement), body: c})
}
