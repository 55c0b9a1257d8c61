package housing_test

import (
	"context"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/percorsi/percorsi/pkg/grpckit/grpckittest"
	housingv1 "github.com/percorsi/percorsi/proto/percorsi/housing/v1"
)

// TestGRPC drives the endpoints of the HTTP API over gRPC: an
// accommodation, a step into it, rent support granted and paid (amounts
// are 64-bit), the export and the board; then refusals mapped to gRPC
// codes naming the field.
func TestGRPC(t *testing.T) {
	f := start(t)
	client := housingv1.NewHousingServiceClient(grpckittest.Serve(t, f.app.GRPC))
	as := func(user string) context.Context {
		return metadata.NewOutgoingContext(t.Context(), metadata.Pairs("authorization", "Bearer "+f.tokens[user]))
	}
	hw := as("aurora")
	const address = "Vicolo del Segreto 7, Roma"
	acc, err := client.CreateAccommodation(hw, &housingv1.CreateAccommodationRequest{Name: "Casa Aurora", Kind: "protected_shelter", Territory: "RM", Address: address, Capacity: 2})
	if err != nil || acc.Accommodation.GetId() == "" || acc.Accommodation.GetAddress() != address || acc.Accommodation.GetFree() != 2 {
		t.Fatalf("create accommodation: %v %v", acc, err)
	}
	shelter := acc.Accommodation.Id
	step, err := client.StartStep(hw, &housingv1.StartStepRequest{Id: "s1", Person: "ps-1", Kind: "protected_shelter", AccommodationId: shelter, Start: "2026-02-01"})
	if err != nil || step.Step.GetId() != "s1" || step.Step.GetStart() != "2026-02-01" {
		t.Fatalf("start step: %v %v", step, err)
	}
	granted, err := client.GrantRentSupport(hw, &housingv1.GrantRentSupportRequest{Person: "ps-1", MonthlyAmountCents: 45000, Months: 6, Start: "2026-02-01"})
	if err != nil || granted.RentSupport.GetMonthlyAmountCents() != 45000 {
		t.Fatalf("grant rent support: %v %v", granted, err)
	}
	paid, err := client.PayRentSupport(hw, &housingv1.PayRentSupportRequest{Id: granted.RentSupport.Id, Month: "2026-02", AmountCents: 45000})
	if err != nil || len(paid.RentSupport.GetPayments()) != 1 || paid.RentSupport.Payments[0].AmountCents != 45000 {
		t.Fatalf("pay rent support: %v %v", paid, err)
	}
	person, err := client.PersonHousing(as("aurora-cw"), &housingv1.PersonHousingRequest{Id: "ps-1"})
	if err != nil || len(person.Steps) != 1 || len(person.RentSupports) != 1 || person.Profile != nil {
		t.Fatalf("person housing: %v %v", person, err)
	}
	export, err := client.ExportSteps(hw, &housingv1.ExportStepsRequest{})
	if err != nil || len(export.Steps) != 1 || export.Steps[0].AccommodationName != "Casa Aurora" || export.Steps[0].Territory != "RM" {
		t.Fatalf("export steps: %v %v", export, err)
	}
	board, err := client.Board(as("stella"), &housingv1.BoardRequest{Territory: "RM"})
	if err != nil || len(board.Rows) != 1 || board.Rows[0].Places != 2 || board.Rows[0].Free != 1 || strings.Contains(board.String(), "Segreto") {
		t.Fatalf("board: %v %v", board, err)
	}

	refusals := []struct {
		name  string
		call  func() error
		code  codes.Code
		field string
	}{
		{"no such kind", func() error {
			_, err := client.CreateAccommodation(hw, &housingv1.CreateAccommodationRequest{Name: "x", Kind: "castle", Territory: "RM", Address: address, Capacity: 1})
			return err
		}, codes.InvalidArgument, "kind"},
		{"a payment for no month", func() error {
			_, err := client.PayRentSupport(hw, &housingv1.PayRentSupportRequest{Id: granted.RentSupport.Id, Month: "February", AmountCents: 1})
			return err
		}, codes.InvalidArgument, "month"},
		{"no such accommodation", func() error {
			_, err := client.GetAccommodation(hw, &housingv1.GetAccommodationRequest{Id: "nope"})
			return err
		}, codes.NotFound, "id"},
		{"accommodations to a teacher", func() error {
			_, err := client.ListAccommodations(as("teacher"), &housingv1.ListAccommodationsRequest{})
			return err
		}, codes.PermissionDenied, ""},
		{"no token", func() error {
			_, err := client.Board(t.Context(), &housingv1.BoardRequest{})
			return err
		}, codes.Unauthenticated, "authorization"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			st := status.Convert(tc.call())
			if st.Code() != tc.code || grpckittest.Field(st) != tc.field || st.Message() == "" || strings.Contains(st.Message(), "Segreto") {
				t.Fatalf("got %v %q naming %q, want %v naming %q", st.Code(), st.Message(), grpckittest.Field(st), tc.code, tc.field)
			}
		})
	}
}
