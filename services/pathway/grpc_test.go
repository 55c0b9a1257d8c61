package pathway_test

import (
	"context"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/percorsi/percorsi/pkg/grpckit/grpckittest"
	pathwayv1 "github.com/percorsi/percorsi/proto/percorsi/pathway/v1"
)

// TestGRPC drives the endpoints of the HTTP API over gRPC: an intake, a
// consent withdrawn (false, not absent), a permit, a plan, the personal
// data read and audited, the legal status, the timeline and the
// indicators; then refusals mapped to gRPC codes naming the field.
func TestGRPC(t *testing.T) {
	r := newRig(t)
	client := pathwayv1.NewPathwayServiceClient(grpckittest.Serve(t, r.app.GRPC))
	as := func(user string) context.Context {
		return metadata.NewOutgoingContext(t.Context(), metadata.Pairs("authorization", "Bearer "+r.tokens[user]))
	}
	cw := as("cw1")
	in, err := client.Intake(cw, &pathwayv1.IntakeRequest{DisplayName: displayName, Programme: "art18", Referral: "contact_unit", Territory: "IT-LAZ", Since: "2026-01-10",
		Personal: &pathwayv1.PersonalData{LegalName: joy.LegalName, Documents: []*pathwayv1.Document{{Kind: "passport", Number: "A12345678"}}}, Consents: []string{"data_processing"}})
	if err != nil || !strings.HasPrefix(in.Person.GetPseudonym(), "ps-") || in.Person.GetOrganisation() != "org1" || len(in.Person.GetPersonalFields()) != 2 {
		t.Fatalf("intake: %v %v", in, err)
	}
	ps := in.Person.Pseudonym
	consent, err := client.RecordConsent(cw, &pathwayv1.RecordConsentRequest{Pseudonym: ps, Scope: "data_processing", Given: proto.Bool(false)})
	if err != nil || len(consent.Person.GetConsents()) != 1 || consent.Person.Consents[0].WithdrawnAt == "" {
		t.Fatalf("withdraw consent: %v %v", consent, err)
	}
	if _, err := client.RecordPermit(cw, &pathwayv1.RecordPermitRequest{Pseudonym: ps, Kind: "special_cases_art18", ValidFrom: "2026-01-10", ValidUntil: "2026-07-10", MayWork: true}); err != nil {
		t.Fatalf("permit: %v", err)
	}
	plan, err := client.UpdatePlan(cw, &pathwayv1.UpdatePlanRequest{Pseudonym: ps, Goals: []*pathwayv1.Goal{{Domain: "italian", Title: "A2 entro giugno", Target: "2026-06-30", FollowBy: "cpia1"}}})
	if err != nil || plan.Person.GetPlan().GetRevision() != 1 || plan.Person.Plan.Goals[0].GetTarget() != "2026-06-30" {
		t.Fatalf("plan: %v %v", plan, err)
	}
	personal, err := client.ReadPersonal(cw, &pathwayv1.ReadPersonalRequest{Pseudonym: ps, Fields: []string{"legal_name", "documents"}, Reason: "permit renewal"})
	if err != nil || personal.Personal.GetLegalName() != joy.LegalName || personal.Personal.GetDocuments()[0].GetNumber() != "A12345678" {
		t.Fatalf("personal: %v %v", personal, err)
	}
	audit, err := client.Audit(cw, &pathwayv1.AuditRequest{Pseudonym: ps})
	if err != nil || len(audit.Entries) == 0 || audit.Entries[len(audit.Entries)-1].Reason != "permit renewal" {
		t.Fatalf("audit: %v %v", audit, err)
	}
	legal, err := client.Legal(cw, &pathwayv1.LegalRequest{Pseudonym: ps, Lang: "en"})
	if err != nil || len(legal.Permits) != 1 || legal.Current.GetKind() != "special_cases_art18" || legal.Grounds == "" {
		t.Fatalf("legal: %v %v", legal, err)
	}
	timeline, err := client.Timeline(cw, &pathwayv1.TimelineRequest{Pseudonym: ps, Lang: "en"})
	if err != nil || timeline.Person.GetPseudonym() != ps || len(timeline.Entries) == 0 {
		t.Fatalf("timeline: %v %v", timeline, err)
	}
	caseload, err := client.Caseload(cw, &pathwayv1.CaseloadRequest{})
	if err != nil || len(caseload.Persons) != 1 || caseload.Persons[0].PermitUntil != "2026-07-10" {
		t.Fatalf("caseload: %v %v", caseload, err)
	}
	indicators, err := client.Monitoring(as("monitor"), &pathwayv1.MonitoringRequest{By: "organisation", From: "2026-01-01", To: "2026-02-01"})
	// One person taken in charge is under the minimum cell: null, not 1.
	if err != nil || len(indicators.Rows) != 1 || !proto.Equal(indicators.Rows[0].Counts["taken_in_charge"], structpb.NewNullValue()) || strings.Contains(indicators.String(), ps) {
		t.Fatalf("monitoring: %v %v", indicators, err)
	}
	if _, err := client.ErasePersonal(cw, &pathwayv1.ErasePersonalRequest{Pseudonym: ps, Reason: "asked by the person"}); err != nil {
		t.Fatalf("erase: %v", err)
	}

	refusals := []struct {
		name  string
		call  func() error
		code  codes.Code
		field string
	}{
		{"a consent neither given nor withdrawn", func() error {
			_, err := client.RecordConsent(cw, &pathwayv1.RecordConsentRequest{Pseudonym: ps, Scope: "data_processing"})
			return err
		}, codes.InvalidArgument, "given"},
		{"a goal's target no date", func() error {
			_, err := client.UpdatePlan(cw, &pathwayv1.UpdatePlanRequest{Pseudonym: ps, Goals: []*pathwayv1.Goal{{Domain: "work", Title: "x", Target: "never"}}})
			return err
		}, codes.InvalidArgument, "goals[0].target"},
		{"indicators of no period", func() error {
			_, err := client.Monitoring(as("monitor"), &pathwayv1.MonitoringRequest{By: "organisation"})
			return err
		}, codes.InvalidArgument, "from"},
		{"another organisation's timeline", func() error {
			_, err := client.Timeline(as("cw2"), &pathwayv1.TimelineRequest{Pseudonym: ps})
			return err
		}, codes.PermissionDenied, "pseudonym"},
		{"no token", func() error {
			_, err := client.Caseload(t.Context(), &pathwayv1.CaseloadRequest{})
			return err
		}, codes.Unauthenticated, "authorization"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			st := status.Convert(tc.call())
			if st.Code() != tc.code || grpckittest.Field(st) != tc.field || st.Message() == "" {
				t.Fatalf("got %v %q naming %q, want %v naming %q", st.Code(), st.Message(), grpckittest.Field(st), tc.code, tc.field)
			}
		})
	}
}
