package jobs

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/go-kit/kit/endpoint"
	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/httpkit"
)

//go:embed openapi.yaml
var openAPI []byte

// NewHTTPHandler serves the endpoints as JSON over HTTP.
func NewHTTPHandler(e Endpoints) http.Handler {
	opts := []kithttp.ServerOption{
		kithttp.ServerBefore(auth.HTTPToContext),
		kithttp.ServerErrorEncoder(httpkit.ErrorEncoder),
	}
	mux := http.NewServeMux()
	route := func(pattern string, ep endpoint.Endpoint, dec kithttp.DecodeRequestFunc) {
		mux.Handle(pattern, kithttp.NewServer(ep, dec, httpkit.EncodeJSON, opts...))
	}
	route("PUT /v1/profiles/{id}", e.PutProfile, DecodePutProfile)
	route("GET /v1/profiles/{id}", e.GetProfile, byID(0))
	route("GET /v1/profiles/{id}/vacancies", e.RankVacancies, byID(20))
	route("PUT /v1/employers/{id}", e.PutEmployer, body(func(r *http.Request, req *EmployerJSON) { req.ID = r.PathValue("id") }))
	route("POST /v1/vacancies", e.PublishVacancy, body(func(*http.Request, *PublishVacancyRequest) {}))
	route("GET /v1/vacancies", e.ListVacancies, byID(0))
	route("GET /v1/vacancies/{id}", e.GetVacancy, byID(0))
	route("GET /v1/vacancies/{id}/candidates", e.RankCandidates, byID(20))
	route("POST /v1/vacancies/{id}/close", e.CloseVacancy, byID(0))
	route("GET /v1/vacancies/{id}/proposals", e.ListProposals, byID(0))
	route("POST /v1/assignments", e.Assign, body(func(r *http.Request, req *AssignRequest) { req.Lang = httpkit.Language(r) }))
	route("POST /v1/proposals", e.Propose, body(func(*http.Request, *ProposeRequest) {}))
	route("POST /v1/proposals/{id}/interview", e.RecordInterview, body(func(r *http.Request, req *InterviewRequest) { req.ProposalID = r.PathValue("id") }))
	route("POST /v1/proposals/{id}/placement", e.StartPlacement, body(func(r *http.Request, req *StartPlacementRequest) { req.ProposalID = r.PathValue("id") }))
	route("GET /v1/placements", e.ListPlacements, byID(0))
	route("GET /v1/placements/{id}", e.GetPlacement, byID(0))
	route("POST /v1/placements/{id}/links", e.IssueLink, body(func(r *http.Request, req *IssueLinkRequest) { req.PlacementID = r.PathValue("id") }))
	route("POST /v1/placements/{id}/end", e.EndPlacement, body(func(r *http.Request, req *EndPlacementRequest) { req.PlacementID = r.PathValue("id") }))
	route("POST /v1/placements/{id}/follow-ups", e.FollowUp, body(func(r *http.Request, req *FollowUpRequest) { req.PlacementID = r.PathValue("id") }))
	route("GET /v1/employer-links/{id}", e.LinkView, func(_ context.Context, r *http.Request) (any, error) {
		return LinkViewRequest{PlacementID: r.PathValue("id"), Token: r.URL.Query().Get("token")}, nil
	})
	route("POST /v1/employer-links/{id}", e.ConfirmByLink, body(func(r *http.Request, req *ConfirmRequest) { req.PlacementID = r.PathValue("id") }))
	mux.HandleFunc("GET /openapi.yaml", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(openAPI)
	})
	return mux
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

// body decodes a JSON body strictly into a T, then lets fill take what
// the path says.
func body[T any](fill func(r *http.Request, req *T)) kithttp.DecodeRequestFunc {
	return func(_ context.Context, r *http.Request) (any, error) {
		var req T
		if err := httpkit.Decode(r, &req); err != nil {
			return nil, err
		}
		fill(r, &req)
		return req, nil
	}
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
