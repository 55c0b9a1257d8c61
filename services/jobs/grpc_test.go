package jobs_test

import (
	"context"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/percorsi/percorsi/pkg/grpckit/grpckittest"
	jobsv1 "github.com/percorsi/percorsi/proto/percorsi/jobs/v1"
)

// TestGRPC drives the endpoints of the HTTP API over gRPC: an employer,
// a vacancy published, read and listed, a profile ranked against it; then
// refusals mapped to gRPC codes naming the field.
func TestGRPC(t *testing.T) {
	f := start(t)
	client := jobsv1.NewJobsServiceClient(grpckittest.Serve(t, f.app.GRPC))
	as := func(user string) context.Context {
		return metadata.NewOutgoingContext(t.Context(), metadata.Pairs("authorization", "Bearer "+f.tokens[user]))
	}
	c := as("counsellor")
	site := &jobsv1.Site{Id: "s1", Name: "Cucina", Municipality: "Roma", Location: &jobsv1.Point{Lat: 41.9, Lon: 12.5}}
	emp, err := client.PutEmployer(c, &jobsv1.PutEmployerRequest{Id: "emp-trattoria", Name: "Trattoria da Gino", Sites: []*jobsv1.Site{site}})
	if err != nil || emp.Name != "Trattoria da Gino" || len(emp.Sites) != 1 || emp.Sites[0].Location.GetLat() != 41.9 {
		t.Fatalf("put employer: %v %v", emp, err)
	}
	vacancy := &jobsv1.PublishVacancyRequest{EmployerId: "emp-trattoria", SiteId: "s1", Title: "Aiuto cuoco", Occupation: "esco:5120.1", Sector: "hospitality",
		RequiredSkills: []string{"esco:prepare-food"}, MinItalian: "A2", WeeklyHours: 30, Shift: "morning", Contract: "internship", Positions: 2,
		StartsOn: "2027-03-08", ClosesOn: "2027-03-05"}
	published, err := client.PublishVacancy(c, vacancy)
	if err != nil || published.Vacancy.GetId() == "" || published.Vacancy.GetStatus() != "open" {
		t.Fatalf("publish vacancy: %v %v", published, err)
	}
	id := published.Vacancy.Id
	if got, err := client.GetVacancy(as("employer"), &jobsv1.GetVacancyRequest{Id: id}); err != nil || got.Vacancy.GetTitle() != "Aiuto cuoco" || got.Vacancy.GetPositions() != 2 {
		t.Fatalf("get vacancy: %v %v", got, err)
	}
	if list, err := client.ListVacancies(c, &jobsv1.ListVacanciesRequest{}); err != nil || len(list.Vacancies) != 1 || list.Vacancies[0].Id != id {
		t.Fatalf("list vacancies: %v %v", list, err)
	}
	profile, err := client.PutProfile(c, &jobsv1.PutProfileRequest{Person: "ps-amina", DisplayName: "Amina K.",
		Skills:      []*jobsv1.Skill{{Code: "esco:prepare-food", Evidence: "assessed"}},
		Preferences: &jobsv1.Preferences{Sectors: []string{"hospitality"}, MaxWeeklyHours: 36, Shifts: []string{"morning"}},
		Home:        &jobsv1.Point{Lat: 41.91, Lon: 12.5}, AvailableFrom: "2027-03-01"})
	if err != nil || profile.Profile.GetPerson() != "ps-amina" || profile.Profile.GetSkills()[0].GetEvidence() != "assessed" {
		t.Fatalf("put profile: %v %v", profile, err)
	}
	// Amina has no permit on record yet: considered, not eligible.
	ranked, err := client.RankCandidates(c, &jobsv1.RankCandidatesRequest{Id: id, Limit: 5, Lang: "en"})
	if err != nil || ranked.Considered != 1 || ranked.Eligible != 0 || ranked.Vacancy.GetId() != id || len(ranked.ExcludedBy) == 0 {
		t.Fatalf("rank candidates: %v %v", ranked, err)
	}

	refusals := []struct {
		name  string
		call  func() error
		code  codes.Code
		field string
	}{
		{"a vacancy with no such level", func() error {
			bad := proto.CloneOf(vacancy)
			bad.MinItalian = "Z9"
			_, err := client.PublishVacancy(c, bad)
			return err
		}, codes.InvalidArgument, "min_italian"},
		{"a skill without its evidence", func() error {
			_, err := client.PutProfile(c, &jobsv1.PutProfileRequest{Person: "ps-x", DisplayName: "X", Skills: []*jobsv1.Skill{{Code: "esco:x"}}})
			return err
		}, codes.InvalidArgument, "skills[0].evidence"},
		{"a ranking without a limit", func() error {
			_, err := client.RankVacancies(c, &jobsv1.RankVacanciesRequest{Id: "ps-amina"})
			return err
		}, codes.InvalidArgument, "limit"},
		{"no such vacancy", func() error {
			_, err := client.GetVacancy(c, &jobsv1.GetVacancyRequest{Id: "nope"})
			return err
		}, codes.NotFound, ""},
		{"a profile to a teacher", func() error {
			_, err := client.GetProfile(as("teacher"), &jobsv1.GetProfileRequest{Id: "ps-amina"})
			return err
		}, codes.PermissionDenied, ""},
		{"no token", func() error {
			_, err := client.ListVacancies(t.Context(), &jobsv1.ListVacanciesRequest{})
			return err
		}, codes.Unauthenticated, "authorization"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			st := status.Convert(tc.call())
			if st.Code() != tc.code || fieldOf(st) != tc.field || st.Message() == "" {
				t.Fatalf("got %v %q naming %q, want %v naming %q", st.Code(), st.Message(), fieldOf(st), tc.code, tc.field)
			}
		})
	}
}

func fieldOf(st *status.Status) string {
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok && len(br.FieldViolations) > 0 {
			return br.FieldViolations[0].Field
		}
	}
	return ""
}
