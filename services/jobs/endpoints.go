package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/go-kit/kit/endpoint"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/endpointkit"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/httpkit"
	"github.com/percorsi/percorsi/pkg/instrument"
	"github.com/percorsi/percorsi/services/jobs/domain"
	"github.com/percorsi/percorsi/services/jobs/match"
)

// Endpoints are the jobs use cases as go-kit endpoints, shared by every
// transport. ApplyFact is fed by the Kafka subscriber; the employer-link
// endpoints take no account, the link is their credential.
type Endpoints struct {
	PutProfile, GetProfile, RankVacancies           endpoint.Endpoint
	PutEmployer                                     endpoint.Endpoint
	PublishVacancy, GetVacancy, ListVacancies       endpoint.Endpoint
	CloseVacancy                                    endpoint.Endpoint
	RankCandidates, Assign                          endpoint.Endpoint
	Propose, RecordInterview, StartPlacement        endpoint.Endpoint
	ListProposals                                   endpoint.Endpoint
	IssueLink, GetPlacement, EndPlacement, FollowUp endpoint.Endpoint
	ListPlacements                                  endpoint.Endpoint
	LinkView, ConfirmByLink                         endpoint.Endpoint
	ApplyFact                                       endpoint.Endpoint
}

// MakeEndpoints puts each use case in the chain; the employer links and
// the broker's facts bring no account, so theirs is instrumentation alone.
func MakeEndpoints(s *Service, ch endpointkit.Chain) Endpoints {
	open := func(name string, e endpoint.Endpoint) endpoint.Endpoint {
		return instrument.Endpoint(name, ch.Log, ch.Metrics)(e)
	}
	c, e := auth.Counsellor, auth.Employer
	return Endpoints{
		PutProfile:      endpointkit.Use(ch, "put_profile", s.putProfile, c),
		GetProfile:      endpointkit.Use(ch, "get_profile", s.getProfile, c),
		RankVacancies:   endpointkit.Use(ch, "rank_vacancies", s.rankVacancies, c),
		PutEmployer:     endpointkit.Use(ch, "put_employer", s.putEmployer, c),
		PublishVacancy:  endpointkit.Use(ch, "publish_vacancy", s.publishVacancy, c),
		GetVacancy:      endpointkit.Use(ch, "get_vacancy", s.getVacancy, c, e),
		ListVacancies:   endpointkit.Use(ch, "list_vacancies", s.listVacancies, c, e),
		CloseVacancy:    endpointkit.Use(ch, "close_vacancy", s.closeVacancy, c),
		RankCandidates:  endpointkit.Use(ch, "rank_candidates", s.rankCandidates, c),
		Assign:          endpointkit.Use(ch, "assign", s.assign, c),
		Propose:         endpointkit.Use(ch, "propose", s.propose, c),
		ListProposals:   endpointkit.Use(ch, "list_proposals", s.listProposals, c),
		RecordInterview: endpointkit.Use(ch, "record_interview", s.recordInterview, c),
		StartPlacement:  endpointkit.Use(ch, "start_placement", s.startPlacement, c),
		IssueLink:       endpointkit.Use(ch, "issue_link", s.issueLink, c),
		GetPlacement:    endpointkit.Use(ch, "get_placement", s.getPlacement, c, e),
		ListPlacements:  endpointkit.Use(ch, "list_placements", s.listPlacements, c, e),
		EndPlacement:    endpointkit.Use(ch, "end_placement", s.endPlacement, c),
		FollowUp:        endpointkit.Use(ch, "record_follow_up", s.followUp, c),
		LinkView:        open("employer_link_view", endpointkit.Typed(s.linkView)),
		ConfirmByLink:   open("employer_link_confirm", endpointkit.Typed(s.confirmByLink)),
		ApplyFact:       open("apply_fact", endpointkit.Typed(s.applyFacts)),
	}
}

// PointJSON is a coarse location: a municipality's centroid.
type PointJSON struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// SkillJSON is an ESCO skill with its evidence.
type SkillJSON struct {
	Code     string `json:"code"`
	Evidence string `json:"evidence"`
}

// ExperienceJSON is past work.
type ExperienceJSON struct {
	Occupation string `json:"occupation"`
	Months     int    `json:"months"`
}

// PreferencesJSON are a candidate's preferences and limits.
type PreferencesJSON struct {
	Sectors        []string `json:"sectors"`
	Contracts      []string `json:"contracts"`
	Shifts         []string `json:"shifts"`
	MaxWeeklyHours int      `json:"max_weekly_hours"`
	MaxCommuteKm   int      `json:"max_commute_km"`
}

// PutProfileRequest is a counsellor's record of a candidate.
type PutProfileRequest struct {
	Person        string           `json:"-"`
	DisplayName   string           `json:"display_name"`
	Skills        []SkillJSON      `json:"skills"`
	Experience    []ExperienceJSON `json:"experience"`
	Preferences   PreferencesJSON  `json:"preferences"`
	Home          PointJSON        `json:"home"`
	AvailableFrom string           `json:"available_from"`
}

// ProfileJSON is a candidate profile on the wire.
type ProfileJSON struct {
	Person         string           `json:"person"`
	DisplayName    string           `json:"display_name"`
	Skills         []SkillJSON      `json:"skills"`
	Experience     []ExperienceJSON `json:"experience"`
	Preferences    PreferencesJSON  `json:"preferences"`
	Home           PointJSON        `json:"home"`
	AvailableFrom  string           `json:"available_from,omitempty"`
	Italian        string           `json:"italian_level"`
	Digital        map[string]int   `json:"digital_levels,omitempty"`
	Qualifications []string         `json:"qualifications"`
	Permit         PermitJSON       `json:"permit"`
}

// PermitJSON is the person's right to work as jobs knows it.
type PermitJSON struct {
	Known      bool   `json:"known"`
	MayWork    bool   `json:"may_work"`
	ValidUntil string `json:"valid_until,omitempty"`
}

func profileJSON(p *domain.Profile) ProfileJSON {
	out := ProfileJSON{
		Person: p.Person, DisplayName: p.DisplayName, Skills: []SkillJSON{}, Experience: []ExperienceJSON{},
		Preferences: PreferencesJSON{Sectors: p.Prefs.Sectors, MaxWeeklyHours: p.Prefs.MaxWeeklyHours, MaxCommuteKm: p.Prefs.MaxCommuteKm},
		Home:        PointJSON(p.Home), AvailableFrom: endpointkit.FormatDate(p.AvailableFrom), Italian: p.Italian.String(), Digital: p.Digital,
		Qualifications: []string{},
		Permit:         PermitJSON{Known: p.Permit.Known, MayWork: p.Permit.MayWork, ValidUntil: endpointkit.FormatDate(p.Permit.ValidUntil)},
	}
	for _, s := range p.Skills {
		out.Skills = append(out.Skills, SkillJSON{Code: s.Code, Evidence: s.Evidence.String()})
	}
	for _, e := range p.Experience {
		out.Experience = append(out.Experience, ExperienceJSON(e))
	}
	for _, c := range p.Prefs.Contracts {
		out.Preferences.Contracts = append(out.Preferences.Contracts, string(c))
	}
	for _, s := range p.Prefs.Shifts {
		out.Preferences.Shifts = append(out.Preferences.Shifts, string(s))
	}
	for _, q := range p.Qualifications {
		out.Qualifications = append(out.Qualifications, fmt.Sprintf("%s (%s, EQF %d): %s", q.Code, q.Region, q.EQF, q.Title))
	}
	return out
}

func (s *Service) putProfile(ctx context.Context, req PutProfileRequest) (ProfileJSON, error) {
	in := ProfileInput{
		DisplayName: req.DisplayName, Home: domain.Point(req.Home),
		Prefs: domain.Preferences{Sectors: req.Preferences.Sectors, MaxWeeklyHours: req.Preferences.MaxWeeklyHours, MaxCommuteKm: req.Preferences.MaxCommuteKm},
	}
	var err error
	if in.AvailableFrom, err = endpointkit.OptionalDate("available_from", req.AvailableFrom, nil); err != nil {
		return ProfileJSON{}, err
	}
	for i, sk := range req.Skills {
		ev, ok := domain.ParseEvidence(sk.Evidence)
		if !ok {
			return ProfileJSON{}, errcode.New(errcode.Invalid, fmt.Sprintf("skills[%d].evidence", i), "must be declared or assessed")
		}
		in.Skills = append(in.Skills, domain.Skill{Code: sk.Code, Evidence: ev})
	}
	for _, e := range req.Experience {
		in.Experience = append(in.Experience, domain.Experience(e))
	}
	for _, c := range req.Preferences.Contracts {
		in.Prefs.Contracts = append(in.Prefs.Contracts, domain.ContractKind(c))
	}
	for _, sh := range req.Preferences.Shifts {
		in.Prefs.Shifts = append(in.Prefs.Shifts, domain.Shift(sh))
	}
	p, err := s.PutProfile(ctx, req.Person, in)
	if err != nil {
		return ProfileJSON{}, err
	}
	return profileJSON(p), nil
}

// ByIDRequest names one resource, with an optional result limit and the
// language reasons are said in.
type ByIDRequest struct {
	ID    string
	Limit int
	Lang  string // it or en
}

func (s *Service) getProfile(ctx context.Context, req ByIDRequest) (ProfileJSON, error) {
	p, err := s.Profile(ctx, req.ID)
	if err != nil {
		return ProfileJSON{}, err
	}
	return profileJSON(p), nil
}

// ExplanationJSON is a score with every part's reason, or the hard
// constraints that exclude the pair, said in the language asked.
type ExplanationJSON struct {
	Score      int             `json:"score"`
	Parts      []PartJSON      `json:"parts"`
	Exclusions []ExclusionJSON `json:"exclusions,omitempty"`
}

// PartJSON is one part of a score.
type PartJSON struct {
	Part   string `json:"part"`
	Points int    `json:"points"`
	Max    int    `json:"max"`
	Reason string `json:"reason"`
}

// ExclusionJSON is one hard constraint broken.
type ExclusionJSON struct {
	Constraint string `json:"constraint"`
	Reason     string `json:"reason"`
}

func explanationJSON(e match.Explanation, lang string) ExplanationJSON {
	out := ExplanationJSON{Score: e.Total, Parts: []PartJSON{}}
	for _, p := range e.Parts {
		out.Parts = append(out.Parts, PartJSON{Part: p.Part, Points: p.Points, Max: p.Max, Reason: explainAll(p.Why, lang)})
	}
	for _, x := range e.Exclusions {
		out.Exclusions = append(out.Exclusions, ExclusionJSON{Constraint: x.Constraint, Reason: explain(x.Why, lang)})
	}
	return out
}

// VacancyMatchJSON is one vacancy ranked for a candidate.
type VacancyMatchJSON struct {
	Vacancy VacancyJSON     `json:"vacancy"`
	Match   ExplanationJSON `json:"match"`
}

// RankedVacancies are the vacancies ranked for a candidate.
type RankedVacancies struct {
	Vacancies []VacancyMatchJSON `json:"vacancies"`
}

func (s *Service) rankVacancies(ctx context.Context, req ByIDRequest) (RankedVacancies, error) {
	ms, err := s.RankVacancies(ctx, req.ID, req.Limit)
	if err != nil {
		return RankedVacancies{}, err
	}
	out := RankedVacancies{Vacancies: []VacancyMatchJSON{}}
	for _, m := range ms {
		out.Vacancies = append(out.Vacancies, VacancyMatchJSON{Vacancy: vacancyJSON(m.Vacancy), Match: explanationJSON(m.Explanation, req.Lang)})
	}
	return out, nil
}

// EmployerJSON is an employer and its sites.
type EmployerJSON struct {
	ID    string     `json:"-"`
	Name  string     `json:"name"`
	Sites []SiteJSON `json:"sites"`
}

// SiteJSON is one workplace.
type SiteJSON struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	Municipality string    `json:"municipality"`
	Location     PointJSON `json:"location"`
}

func (s *Service) putEmployer(ctx context.Context, req EmployerJSON) (EmployerJSON, error) {
	e := &domain.Employer{ID: req.ID, Name: req.Name}
	for _, st := range req.Sites {
		e.Sites = append(e.Sites, domain.Site{ID: st.ID, Name: st.Name, Municipality: st.Municipality, Location: domain.Point(st.Location)})
	}
	if err := s.PutEmployer(ctx, e); err != nil {
		return EmployerJSON{}, err
	}
	return req, nil
}

// VacancyJSON is a vacancy on the wire.
type VacancyJSON struct {
	ID         string   `json:"id"`
	EmployerID string   `json:"employer_id"`
	SiteID     string   `json:"site_id"`
	Title      string   `json:"title"`
	Occupation string   `json:"occupation"`
	Sector     string   `json:"sector"`
	Required   []string `json:"required_skills"`
	Desirable  []string `json:"desirable_skills"`
	MinItalian string   `json:"min_italian"`
	Hours      int      `json:"weekly_hours"`
	Shift      string   `json:"shift"`
	Contract   string   `json:"contract"`
	Positions  int      `json:"positions"`
	StartsOn   string   `json:"starts_on"`
	ClosesOn   string   `json:"closes_on"`
	Status     string   `json:"status"`
}

func vacancyJSON(v *domain.Vacancy) VacancyJSON {
	return VacancyJSON{
		ID: v.ID, EmployerID: v.EmployerID, SiteID: v.SiteID, Title: v.Title, Occupation: v.Occupation, Sector: v.Sector,
		Required: v.Required, Desirable: v.Desirable, MinItalian: levelName(v.MinItalian), Hours: v.WeeklyHours,
		Shift: string(v.Shift), Contract: string(v.Contract), Positions: v.Positions,
		StartsOn: endpointkit.FormatDate(v.StartsOn), ClosesOn: endpointkit.FormatDate(v.ClosesOn), Status: string(v.Status),
	}
}

func levelName(l domain.Level) string {
	if l == domain.NoLevel {
		return ""
	}
	return l.String()
}

// PublishVacancyRequest is a new vacancy.
type PublishVacancyRequest struct {
	EmployerID string   `json:"employer_id"`
	SiteID     string   `json:"site_id"`
	Title      string   `json:"title"`
	Occupation string   `json:"occupation"`
	Sector     string   `json:"sector"`
	Required   []string `json:"required_skills"`
	Desirable  []string `json:"desirable_skills"`
	MinItalian string   `json:"min_italian"`
	Hours      int      `json:"weekly_hours"`
	Shift      string   `json:"shift"`
	Contract   string   `json:"contract"`
	Positions  int      `json:"positions"`
	StartsOn   string   `json:"starts_on"`
	ClosesOn   string   `json:"closes_on"`
}

func (s *Service) publishVacancy(ctx context.Context, req PublishVacancyRequest) (Created, error) {
	lvl, ok := domain.ParseLevel(req.MinItalian)
	if !ok {
		return Created{}, errcode.New(errcode.Invalid, "min_italian", "must be a CEFR level (pre-A1, A1, A2, B1, B2, C1, C2) or empty")
	}
	v := &domain.Vacancy{
		EmployerID: req.EmployerID, SiteID: req.SiteID, Title: req.Title, Occupation: req.Occupation, Sector: req.Sector,
		Required: req.Required, Desirable: req.Desirable, MinItalian: lvl, WeeklyHours: req.Hours,
		Shift: domain.Shift(req.Shift), Contract: domain.ContractKind(req.Contract), Positions: req.Positions,
	}
	var err error
	if v.StartsOn, err = endpointkit.Date("starts_on", req.StartsOn, nil); err != nil {
		return Created{}, err
	}
	if v.ClosesOn, err = endpointkit.Date("closes_on", req.ClosesOn, nil); err != nil {
		return Created{}, err
	}
	if v, err = s.PublishVacancy(ctx, v); err != nil {
		return Created{}, err
	}
	return Created{vacancyJSON(v)}, nil
}

// VacanciesResponse lists vacancies.
type VacanciesResponse struct {
	Vacancies []VacancyJSON `json:"vacancies"`
}

// Created is a response to a request that made something: 201.
type Created struct{ Body any }

// StatusCode implements kithttp.StatusCoder.
func (Created) StatusCode() int { return http.StatusCreated }

// MarshalJSON writes the body alone.
func (c Created) MarshalJSON() ([]byte, error) { return json.Marshal(c.Body) }

func (s *Service) getVacancy(ctx context.Context, req ByIDRequest) (VacancyJSON, error) {
	v, err := s.Vacancy(ctx, req.ID)
	if err != nil {
		return VacancyJSON{}, err
	}
	return vacancyJSON(v), nil
}

func (s *Service) closeVacancy(ctx context.Context, req ByIDRequest) (VacancyJSON, error) {
	v, err := s.CloseVacancy(ctx, req.ID)
	if err != nil {
		return VacancyJSON{}, err
	}
	return vacancyJSON(v), nil
}

func (s *Service) listVacancies(ctx context.Context, _ ByIDRequest) (VacanciesResponse, error) {
	vs, err := s.Vacancies(ctx)
	if err != nil {
		return VacanciesResponse{}, err
	}
	out := VacanciesResponse{Vacancies: []VacancyJSON{}}
	for _, v := range vs {
		out.Vacancies = append(out.Vacancies, vacancyJSON(v))
	}
	return out, nil
}

// CandidateJSON is one candidate ranked for a vacancy.
type CandidateJSON struct {
	Person      string          `json:"person"`
	DisplayName string          `json:"display_name"`
	Match       ExplanationJSON `json:"match"`
}

// CandidatesResponse is the ranking of a vacancy's candidates.
type CandidatesResponse struct {
	Vacancy    VacancyJSON     `json:"vacancy"`
	Candidates []CandidateJSON `json:"candidates"`
	Considered int             `json:"considered"`
	Eligible   int             `json:"eligible"`
	ExcludedBy map[string]int  `json:"excluded_by"`
}

func (s *Service) rankCandidates(ctx context.Context, req ByIDRequest) (CandidatesResponse, error) {
	rk, err := s.RankCandidates(ctx, req.ID, req.Limit)
	if err != nil {
		return CandidatesResponse{}, err
	}
	out := CandidatesResponse{Vacancy: vacancyJSON(rk.Vacancy), Candidates: []CandidateJSON{}, Considered: rk.Considered, Eligible: rk.Eligible, ExcludedBy: rk.ExcludedBy}
	for _, m := range rk.Matches {
		out.Candidates = append(out.Candidates, CandidateJSON{Person: m.Profile.Person, DisplayName: m.Profile.DisplayName, Match: explanationJSON(m.Explanation, req.Lang)})
	}
	return out, nil
}

// AssignRequest names the vacancies of a batch; none means all open.
type AssignRequest struct {
	VacancyIDs []string `json:"vacancy_ids"`
	Lang       string   `json:"-"` // of the reasons and the explanation: it or en
}

// LeftOutJSON is an eligible person the batch leaves out, and why.
type LeftOutJSON struct {
	Person      string `json:"person"`
	DisplayName string `json:"display_name"`
	VacancyID   string `json:"best_vacancy_id"`
	Score       int    `json:"best_score"`
	Reason      string `json:"reason"`
}

// PairJSON is one pair of a batch, explained.
type PairJSON struct {
	VacancyID   string          `json:"vacancy_id"`
	Person      string          `json:"person"`
	DisplayName string          `json:"display_name"`
	Match       ExplanationJSON `json:"match"`
}

// AssignResponse is a proposed batch assignment, explained.
type AssignResponse struct {
	Pairs       []PairJSON     `json:"pairs"`
	Total       int            `json:"total_score"`
	GreedyTotal int            `json:"greedy_total_score"`
	Explanation string         `json:"explanation"`
	Unfilled    map[string]int `json:"unfilled_positions"`
	LeftOut     []LeftOutJSON  `json:"left_out"`
	Ineligible  []string       `json:"ineligible"`
}

func (s *Service) assign(ctx context.Context, req AssignRequest) (AssignResponse, error) {
	b, err := s.Assign(ctx, req.VacancyIDs)
	if err != nil {
		return AssignResponse{}, err
	}
	w := words[httpkit.Lang(req.Lang)]
	out := AssignResponse{Total: b.Total, GreedyTotal: b.Greedy, Unfilled: b.Unfilled, LeftOut: []LeftOutJSON{}, Ineligible: b.Ineligible}
	for _, lo := range b.LeftOut {
		reason := fmt.Sprintf(w["left_out"], lo.Best.Title, lo.Score, lo.Assigned)
		if len(lo.Assigned) < lo.Best.Positions {
			reason = fmt.Sprintf(w["adds_nothing"], lo.Best.Title, lo.Score)
		}
		out.LeftOut = append(out.LeftOut, LeftOutJSON{Person: lo.Profile.Person, DisplayName: lo.Profile.DisplayName, VacancyID: lo.Best.ID, Score: lo.Score, Reason: reason})
	}
	out.Explanation = fmt.Sprintf(w["batch"], len(b.Pairs), b.Total, b.Greedy)
	for _, p := range b.Pairs {
		out.Pairs = append(out.Pairs, PairJSON{p.Vacancy.ID, p.Profile.Person, p.Profile.DisplayName, explanationJSON(p.Explanation, req.Lang)})
	}
	return out, nil
}

// ProposeRequest puts a person forward for a vacancy.
type ProposeRequest struct {
	Person    string `json:"person"`
	VacancyID string `json:"vacancy_id"`
}

// ProposalJSON is a proposal on the wire.
type ProposalJSON struct {
	ID          string `json:"id"`
	Person      string `json:"person"`
	VacancyID   string `json:"vacancy_id"`
	Score       int    `json:"score"`
	Status      string `json:"status"`
	InterviewOn string `json:"interview_on,omitempty"`
}

// ProposalsResponse lists proposals.
type ProposalsResponse struct {
	Proposals []ProposalJSON `json:"proposals"`
}

func proposalJSON(p *domain.Proposal) ProposalJSON {
	return ProposalJSON{ID: p.ID, Person: p.Person, VacancyID: p.VacancyID, Score: p.Score, Status: string(p.Status), InterviewOn: endpointkit.FormatDate(p.InterviewOn)}
}

func (s *Service) propose(ctx context.Context, req ProposeRequest) (Created, error) {
	p, err := s.Propose(ctx, req.Person, req.VacancyID)
	if err != nil {
		return Created{}, err
	}
	return Created{proposalJSON(p)}, nil
}

func (s *Service) listProposals(ctx context.Context, req ByIDRequest) (ProposalsResponse, error) {
	ps, err := s.Proposals(ctx, req.ID)
	if err != nil {
		return ProposalsResponse{}, err
	}
	out := ProposalsResponse{Proposals: []ProposalJSON{}}
	for _, p := range ps {
		out.Proposals = append(out.Proposals, proposalJSON(p))
	}
	return out, nil
}

// InterviewRequest records an interview.
type InterviewRequest struct {
	ProposalID string `json:"-"`
	HeldOn     string `json:"held_on"`
	Outcome    string `json:"outcome"`
}

func (s *Service) recordInterview(ctx context.Context, req InterviewRequest) (ProposalJSON, error) {
	on, err := endpointkit.Date("held_on", req.HeldOn, nil)
	if err != nil {
		return ProposalJSON{}, err
	}
	p, err := s.RecordInterview(ctx, req.ProposalID, on, domain.ProposalStatus(req.Outcome))
	if err != nil {
		return ProposalJSON{}, err
	}
	return proposalJSON(p), nil
}

// StartPlacementRequest starts a placement from an accepted proposal.
type StartPlacementRequest struct {
	ProposalID     string `json:"-"`
	StartsOn       string `json:"starts_on"`
	EndsOn         string `json:"ends_on"`
	WeeklyHours    int    `json:"weekly_hours"`
	AllowanceCents int    `json:"monthly_allowance_cents"`
	DurationMonths int    `json:"duration_months"`
}

// PlacementJSON is a placement as its counsellor sees it.
type PlacementJSON struct {
	ID             string         `json:"id"`
	Person         string         `json:"person,omitempty"`
	DisplayName    string         `json:"display_name"`
	VacancyID      string         `json:"vacancy_id"`
	Title          string         `json:"title"`
	EmployerID     string         `json:"employer_id"`
	Contract       string         `json:"contract"`
	StartsOn       string         `json:"starts_on"`
	EndsOn         string         `json:"ends_on,omitempty"`
	WeeklyHours    int            `json:"weekly_hours"`
	AllowanceCents int            `json:"monthly_allowance_cents,omitempty"`
	DurationMonths int            `json:"duration_months,omitempty"`
	Status         string         `json:"status"`
	EndedOn        string         `json:"ended_on,omitempty"`
	EndReason      string         `json:"end_reason,omitempty"`
	FollowUps      []FollowUpJSON `json:"follow_ups,omitempty"`
	DueFollowUps   []int          `json:"due_follow_ups,omitempty"`
	Confirm        string         `json:"confirm,omitempty"` // what an employer link confirms
}

// FollowUpJSON is one follow-up.
type FollowUpJSON struct {
	Month        int  `json:"month"`
	StillWorking bool `json:"still_working"`
	WeeklyHours  int  `json:"weekly_hours"`
}

// placementJSON shows pl; full is the counsellor's view, else the
// employer's, which names the person by display name only.
func placementJSON(pl *domain.Placement, displayName, title string, full bool, now time.Time) PlacementJSON {
	out := PlacementJSON{
		ID: pl.ID, DisplayName: displayName, VacancyID: pl.VacancyID, Title: title, EmployerID: pl.EmployerID,
		Contract: string(pl.Contract), StartsOn: endpointkit.FormatDate(pl.StartsOn), EndsOn: endpointkit.FormatDate(pl.EndsOn), WeeklyHours: pl.WeeklyHours,
		AllowanceCents: pl.AllowanceCents, DurationMonths: pl.DurationMonths, Status: string(pl.Status),
		EndedOn: endpointkit.FormatDate(pl.EndedOn), EndReason: string(pl.EndReason),
	}
	if full {
		out.Person = pl.Person
		for _, f := range pl.FollowUps {
			out.FollowUps = append(out.FollowUps, FollowUpJSON{Month: f.Month, StillWorking: f.StillWorking, WeeklyHours: f.WeeklyHours})
		}
		out.DueFollowUps = pl.DueFollowUps(now)
	}
	return out
}

// StartedResponse is a started placement and the employer's link token.
type StartedResponse struct {
	Placement PlacementJSON `json:"placement"`
	// EmployerLink is the path the employer opens, with its token; it is
	// shown this once.
	EmployerLink string `json:"employer_link"`
}

func linkPath(placementID, token string) string {
	return "/v1/employer-links/" + placementID + "?token=" + token
}

func (s *Service) startPlacement(ctx context.Context, req StartPlacementRequest) (Created, error) {
	var t domain.PlacementTerms
	var err error
	if t.StartsOn, err = endpointkit.Date("starts_on", req.StartsOn, nil); err != nil {
		return Created{}, err
	}
	if t.EndsOn, err = endpointkit.OptionalDate("ends_on", req.EndsOn, nil); err != nil {
		return Created{}, err
	}
	t.WeeklyHours, t.AllowanceCents, t.DurationMonths = req.WeeklyHours, req.AllowanceCents, req.DurationMonths
	st, err := s.StartPlacement(ctx, req.ProposalID, t)
	if err != nil {
		return Created{}, err
	}
	return Created{StartedResponse{
		Placement:    placementJSON(st.Placement, "", "", true, s.now()),
		EmployerLink: linkPath(st.Placement.ID, st.Token),
	}}, nil
}

// IssueLinkRequest asks for a new employer link.
type IssueLinkRequest struct {
	PlacementID string `json:"-"`
	Purpose     string `json:"purpose"`
}

func (s *Service) issueLink(ctx context.Context, req IssueLinkRequest) (Created, error) {
	token, err := s.IssueLink(ctx, req.PlacementID, domain.LinkPurpose(req.Purpose))
	if err != nil {
		return Created{}, err
	}
	return Created{map[string]string{"employer_link": linkPath(req.PlacementID, token)}}, nil
}

func (s *Service) getPlacement(ctx context.Context, req ByIDRequest) (PlacementJSON, error) {
	v, err := s.Placement(ctx, req.ID)
	if err != nil {
		return PlacementJSON{}, err
	}
	p, _ := auth.From(ctx)
	return placementJSON(v.Placement, v.DisplayName, v.Vacancy.Title, p.Role == auth.Counsellor, s.now()), nil
}

// PlacementsResponse lists placements: the counsellor's with their due
// follow-ups, the employer's with display names only.
type PlacementsResponse struct {
	Placements []PlacementJSON `json:"placements"`
}

func (s *Service) listPlacements(ctx context.Context, _ ByIDRequest) (PlacementsResponse, error) {
	vs, err := s.Placements(ctx)
	if err != nil {
		return PlacementsResponse{}, err
	}
	p, _ := auth.From(ctx)
	out := PlacementsResponse{Placements: []PlacementJSON{}}
	for _, v := range vs {
		out.Placements = append(out.Placements, placementJSON(v.Placement, v.DisplayName, v.Vacancy.Title, p.Role == auth.Counsellor, s.now()))
	}
	return out, nil
}

// EndPlacementRequest records an end.
type EndPlacementRequest struct {
	PlacementID string `json:"-"`
	EndedOn     string `json:"ended_on"`
	Reason      string `json:"reason"`
}

func (s *Service) endPlacement(ctx context.Context, req EndPlacementRequest) (PlacementJSON, error) {
	on, err := endpointkit.Date("ended_on", req.EndedOn, nil)
	if err != nil {
		return PlacementJSON{}, err
	}
	pl, err := s.EndPlacement(ctx, req.PlacementID, on, domain.EndReason(req.Reason))
	if err != nil {
		return PlacementJSON{}, err
	}
	return placementJSON(pl, "", "", true, s.now()), nil
}

// FollowUpRequest records a follow-up.
type FollowUpRequest struct {
	PlacementID  string `json:"-"`
	Month        int    `json:"month"`
	StillWorking bool   `json:"still_working"`
	WeeklyHours  int    `json:"weekly_hours"`
}

func (s *Service) followUp(ctx context.Context, req FollowUpRequest) (Created, error) {
	pl, err := s.RecordFollowUp(ctx, req.PlacementID, domain.FollowUp{Month: req.Month, StillWorking: req.StillWorking, WeeklyHours: req.WeeklyHours})
	if err != nil {
		return Created{}, err
	}
	return Created{placementJSON(pl, "", "", true, s.now())}, nil
}

// LinkViewRequest opens an employer link.
type LinkViewRequest struct {
	PlacementID string
	Token       string
}

func (s *Service) linkView(ctx context.Context, req LinkViewRequest) (PlacementJSON, error) {
	v, err := s.LinkView(ctx, req.PlacementID, req.Token)
	if err != nil {
		return PlacementJSON{}, err
	}
	out := placementJSON(v.Placement, v.DisplayName, v.Vacancy.Title, false, s.now())
	out.Confirm = string(v.Purpose)
	return out, nil
}

// ConfirmRequest is an employer's confirmation through a link.
type ConfirmRequest struct {
	PlacementID string `json:"-"`
	Token       string `json:"token"`
	On          string `json:"on"`
	WeeklyHours int    `json:"weekly_hours"`
	Reason      string `json:"reason"`
}

func (s *Service) confirmByLink(ctx context.Context, req ConfirmRequest) (map[string]string, error) {
	on, err := endpointkit.Date("on", req.On, nil)
	if err != nil {
		return nil, err
	}
	pl, err := s.ConfirmByLink(ctx, req.PlacementID, req.Token, Confirmation{On: on, WeeklyHours: req.WeeklyHours, Reason: domain.EndReason(req.Reason)})
	if err != nil {
		return nil, err
	}
	return map[string]string{"status": string(pl.Status), "message": "Grazie: confirmation recorded."}, nil
}

// applyFacts applies a batch of decoded events ([]any of ApplyRequest,
// in order, as the Kafka subscriber delivers them). Each fact is one
// profile's write; a batch that fails part-way is applied again message
// by message by the subscriber, which facts applied already ignore.
func (s *Service) applyFacts(ctx context.Context, batch []any) (any, error) {
	for _, r := range batch {
		if req := r.(ApplyRequest); req.Fact != nil {
			if err := s.ApplyFact(ctx, req.Fact); err != nil {
				return nil, err
			}
		}
	}
	return nil, nil
}
