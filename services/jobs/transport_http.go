package jobs

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/httpkit"
)

//go:embed openapi.yaml
var openAPI []byte

// NewHTTPHandler serves the endpoints as JSON over HTTP.
func NewHTTPHandler(e Endpoints) http.Handler {
	return httpkit.Handler(openAPI, []httpkit.Route{
		{Pattern: "PUT /v1/profiles/{id}", Endpoint: e.PutProfile, Decode: DecodePutProfile},
		{Pattern: "GET /v1/profiles/{id}", Endpoint: e.GetProfile, Decode: byID(0)},
		{Pattern: "GET /v1/profiles/{id}/vacancies", Endpoint: e.RankVacancies, Decode: byID(20)},
		{Pattern: "PUT /v1/employers/{id}", Endpoint: e.PutEmployer, Decode: httpkit.Body(func(r *http.Request, req *EmployerJSON) { req.ID = r.PathValue("id") })},
		{Pattern: "POST /v1/vacancies", Endpoint: e.PublishVacancy, Decode: httpkit.Body[PublishVacancyRequest](nil)},
		{Pattern: "GET /v1/vacancies", Endpoint: e.ListVacancies, Decode: byID(0)},
		{Pattern: "GET /v1/vacancies/{id}", Endpoint: e.GetVacancy, Decode: byID(0)},
		{Pattern: "GET /v1/vacancies/{id}/candidates", Endpoint: e.RankCandidates, Decode: byID(20)},
		{Pattern: "POST /v1/vacancies/{id}/close", Endpoint: e.CloseVacancy, Decode: byID(0)},
		{Pattern: "GET /v1/vacancies/{id}/proposals", Endpoint: e.ListProposals, Decode: byID(0)},
		{Pattern: "POST /v1/assignments", Endpoint: e.Assign, Decode: httpkit.Body(func(r *http.Request, req *AssignRequest) { req.Lang = httpkit.Language(r) })},
		{Pattern: "POST /v1/proposals", Endpoint: e.Propose, Decode: httpkit.Body[ProposeRequest](nil)},
		{Pattern: "POST /v1/proposals/{id}/interview", Endpoint: e.RecordInterview, Decode: httpkit.Body(func(r *http.Request, req *InterviewRequest) { req.ProposalID = r.PathValue("id") })},
		{Pattern: "POST /v1/proposals/{id}/placement", Endpoint: e.StartPlacement, Decode: httpkit.Body(func(r *http.Request, req *StartPlacementRequest) { req.ProposalID = r.PathValue("id") })},
		{Pattern: "GET /v1/placements", Endpoint: e.ListPlacements, Decode: byID(0)},
		{Pattern: "GET /v1/placements/{id}", Endpoint: e.GetPlacement, Decode: byID(0)},
		{Pattern: "POST /v1/placements/{id}/links", Endpoint: e.IssueLink, Decode: httpkit.Body(func(r *http.Request, req *IssueLinkRequest) { req.PlacementID = r.PathValue("id") })},
		{Pattern: "POST /v1/placements/{id}/end", Endpoint: e.EndPlacement, Decode: httpkit.Body(func(r *http.Request, req *EndPlacementRequest) { req.PlacementID = r.PathValue("id") })},
		{Pattern: "POST /v1/placements/{id}/follow-ups", Endpoint: e.FollowUp, Decode: httpkit.Body(func(r *http.Request, req *FollowUpRequest) { req.PlacementID = r.PathValue("id") })},
		{Pattern: "GET /v1/employer-links/{id}", Endpoint: e.LinkView, Decode: httpkit.Path(func(r *http.Request) LinkViewRequest {
			return LinkViewRequest{PlacementID: r.PathValue("id"), Token: r.URL.Query().Get("token")}
		})},
		{Pattern: "POST /v1/employer-links/{id}", Endpoint: e.ConfirmByLink, Decode: httpkit.Body(func(r *http.Request, req *ConfirmRequest) { req.PlacementID = r.PathValue("id") })},
	})
}

// DecodePutProfile reads a profile; a faulty skill or experience is named
// with its index, e.g. "skills[2].evidence".
func DecodePutProfile(_ context.Context, r *http.Request) (any, error) {
	var b struct {
		PutProfileRequest
		Skills     []json.RawMessage `json:"skills"`
		Experience []json.RawMessage `json:"experience"`
	}
	if err := httpkit.Decode(r, &b); err != nil {
		return nil, err
	}
	req := b.PutProfileRequest
	req.Person = r.PathValue("id")
	req.Skills = make([]SkillJSON, len(b.Skills))
	for i, raw := range b.Skills {
		if err := httpkit.DecodeElement(raw, &req.Skills[i], fmt.Sprintf("skills[%d]", i)); err != nil {
			return nil, err
		}
	}
	req.Experience = make([]ExperienceJSON, len(b.Experience))
	for i, raw := range b.Experience {
		if err := httpkit.DecodeElement(raw, &req.Experience[i], fmt.Sprintf("experience[%d]", i)); err != nil {
			return nil, err
		}
	}
	return req, nil
}

// byID reads the path's id and, where the route ranks, the limit query
// parameter (defaultLimit when absent).
func byID(defaultLimit int) kithttp.DecodeRequestFunc {
	return func(_ context.Context, r *http.Request) (any, error) {
		req := ByIDRequest{ID: r.PathValue("id"), Limit: defaultLimit, Lang: httpkit.Language(r)}
		if s := r.URL.Query().Get("limit"); s != "" && defaultLimit > 0 {
			n, err := strconv.Atoi(s)
			if err != nil {
				return nil, errcode.New(errcode.Invalid, "limit", "must be a whole number")
			}
			req.Limit = n
		}
		return req, nil
	}
}
