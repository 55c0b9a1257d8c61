package clients

import (
	"context"
	"net/url"
	"strings"

	"github.com/percorsi/percorsi/pkg/errcode"
	jobsv1 "github.com/percorsi/percorsi/proto/percorsi/jobs/v1"
)

// Jobs is a client of the jobs gRPC API
// (proto/percorsi/jobs/v1/jobs_service.proto). Its writes are not
// repeated: a proposal or a placement made twice is a conflict, and a link
// lost in a retried answer cannot be shown again.
type Jobs struct{ c *Conn }

// NewJobs returns the jobs client of c.
func NewJobs(c *Conn) *Jobs { return &Jobs{c} }

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

// ranked is how many a ranking shows: the HTTP API's default, which
// gRPC leaves to the caller.
const ranked = 20

// Vacancies lists the open vacancies.
func (j *Jobs) Vacancies(ctx context.Context) ([]*jobsv1.Vacancy, error) {
	resp, err := call[jobsv1.ListVacanciesResponse](ctx, j.c, j.c.retried, "jobs.vacancies", jobsv1.JobsService_ListVacancies_FullMethodName, &jobsv1.ListVacanciesRequest{})
	return resp.GetVacancies(), err
}

// Candidates ranks the caller's candidates for vacancy id, the reasons
// in lang.
func (j *Jobs) Candidates(ctx context.Context, id, lang string) (*jobsv1.RankCandidatesResponse, error) {
	return call[jobsv1.RankCandidatesResponse](ctx, j.c, j.c.retried, "jobs.rank_candidates", jobsv1.JobsService_RankCandidates_FullMethodName, &jobsv1.RankCandidatesRequest{Id: id, Limit: ranked, Lang: lang})
}

// Proposals lists the caller's proposals for vacancy id.
func (j *Jobs) Proposals(ctx context.Context, id string) ([]*jobsv1.Proposal, error) {
	resp, err := call[jobsv1.ListProposalsResponse](ctx, j.c, j.c.retried, "jobs.proposals", jobsv1.JobsService_ListProposals_FullMethodName, &jobsv1.ListProposalsRequest{Id: id})
	return resp.GetProposals(), err
}

// Profile returns a candidate's profile.
func (j *Jobs) Profile(ctx context.Context, person string) (*jobsv1.Profile, error) {
	resp, err := call[jobsv1.GetProfileResponse](ctx, j.c, j.c.retried, "jobs.profile", jobsv1.JobsService_GetProfile_FullMethodName, &jobsv1.GetProfileRequest{Id: person})
	return resp.GetProfile(), err
}

// VacanciesFor ranks the open vacancies for a candidate, the reasons in
// lang.
func (j *Jobs) VacanciesFor(ctx context.Context, person, lang string) ([]*jobsv1.VacancyMatch, error) {
	resp, err := call[jobsv1.RankVacanciesResponse](ctx, j.c, j.c.retried, "jobs.rank_vacancies", jobsv1.JobsService_RankVacancies_FullMethodName, &jobsv1.RankVacanciesRequest{Id: person, Limit: ranked, Lang: lang})
	return resp.GetVacancies(), err
}

// Placements lists the placements of the caller's organisation.
func (j *Jobs) Placements(ctx context.Context) ([]*jobsv1.Placement, error) {
	resp, err := call[jobsv1.ListPlacementsResponse](ctx, j.c, j.c.retried, "jobs.placements", jobsv1.JobsService_ListPlacements_FullMethodName, &jobsv1.ListPlacementsRequest{})
	return resp.GetPlacements(), err
}

// Placement returns placement id.
func (j *Jobs) Placement(ctx context.Context, id string) (*jobsv1.Placement, error) {
	resp, err := call[jobsv1.GetPlacementResponse](ctx, j.c, j.c.retried, "jobs.placement", jobsv1.JobsService_GetPlacement_FullMethodName, &jobsv1.GetPlacementRequest{Id: id})
	return resp.GetPlacement(), err
}

// Propose puts person forward for vacancy.
func (j *Jobs) Propose(ctx context.Context, person, vacancy string) error {
	_, err := call[jobsv1.ProposeResponse](ctx, j.c, j.c.once, "jobs.propose", jobsv1.JobsService_Propose_FullMethodName, &jobsv1.ProposeRequest{Person: person, VacancyId: vacancy})
	return err
}

// RecordInterview records proposal id's interview, held on day with outcome.
func (j *Jobs) RecordInterview(ctx context.Context, id, day, outcome string) error {
	_, err := call[jobsv1.RecordInterviewResponse](ctx, j.c, j.c.once, "jobs.record_interview", jobsv1.JobsService_RecordInterview_FullMethodName, &jobsv1.RecordInterviewRequest{ProposalId: id, HeldOn: day, Outcome: outcome})
	return err
}

// StartPlacement starts the placement of the accepted proposal with the
// terms of req and returns it with the employer's link, which is shown
// this once.
func (j *Jobs) StartPlacement(ctx context.Context, req *jobsv1.StartPlacementRequest) (*jobsv1.Placement, EmployerLink, error) {
	resp, err := call[jobsv1.StartPlacementResponse](ctx, j.c, j.c.once, "jobs.start_placement", jobsv1.JobsService_StartPlacement_FullMethodName, req)
	if err != nil {
		return nil, EmployerLink{}, err
	}
	link, err := parseLink(resp.GetEmployerLink())
	return resp.GetPlacement(), link, err
}

// IssueLink issues a new employer link of placement id for purpose (start
// or end); the links issued before stop working.
func (j *Jobs) IssueLink(ctx context.Context, id, purpose string) (EmployerLink, error) {
	resp, err := call[jobsv1.IssueLinkResponse](ctx, j.c, j.c.once, "jobs.issue_link", jobsv1.JobsService_IssueLink_FullMethodName, &jobsv1.IssueLinkRequest{PlacementId: id, Purpose: purpose})
	if err != nil {
		return EmployerLink{}, err
	}
	return parseLink(resp.GetEmployerLink())
}

// FollowUp records the follow-up of a month after placement id started.
func (j *Jobs) FollowUp(ctx context.Context, id string, month int, stillWorking bool, weeklyHours int) error {
	req := &jobsv1.FollowUpRequest{PlacementId: id, Month: int32(month), StillWorking: stillWorking, WeeklyHours: int32(weeklyHours)}
	_, err := call[jobsv1.FollowUpResponse](ctx, j.c, j.c.once, "jobs.record_follow_up", jobsv1.JobsService_FollowUp_FullMethodName, req)
	return err
}

// LinkView returns what link confirms, without spending it. No user token
// goes along: the link is the credential.
func (j *Jobs) LinkView(ctx context.Context, link EmployerLink) (*jobsv1.Placement, error) {
	resp, err := call[jobsv1.LinkViewResponse](ctx, j.c, j.c.retried, "jobs.employer_link_view", jobsv1.JobsService_LinkView_FullMethodName, &jobsv1.LinkViewRequest{PlacementId: link.Placement, Token: link.Token})
	return resp.GetPlacement(), err
}

// Confirm spends the link of req to confirm its placement's start or end.
func (j *Jobs) Confirm(ctx context.Context, req *jobsv1.ConfirmByLinkRequest) error {
	_, err := call[jobsv1.ConfirmByLinkResponse](ctx, j.c, j.c.once, "jobs.employer_link_confirm", jobsv1.JobsService_ConfirmByLink_FullMethodName, req)
	return err
}
