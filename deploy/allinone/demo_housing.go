package allinone

import (
	"context"
	"fmt"
	"time"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/services/housing"
)

// DemoHousing is what the housing demo holds, for the welcome text and
// the tests.
type DemoHousing struct {
	ProtectedShelterID string // coop-aurora's protected shelter
	FlatID             string // coop-aurora's semi-autonomy flat
}

// seedHousingDemo writes the accommodations of two organisations (each
// with a protected shelter), the housing steps of some demo people, offers
// on the market, a readiness profile with a pending proposal and rent
// support, all through the housing use cases so their events flow like any
// other. It does nothing when coop-aurora already has accommodations.
func seedHousingDemo(ctx context.Context, s *System, people []DemoPerson) (*DemoHousing, error) {
	aurora := auth.With(ctx, demoUsers["marta.gallo"])
	stella := auth.With(ctx, auth.Principal{Subject: "demo-seed", Role: auth.HousingWorker, Organisation: "coop-stella"})
	svc := s.Housing.Service
	own, err := svc.OwnAccommodations(aurora)
	if err != nil {
		return nil, fmt.Errorf("demo housing: %w", err)
	}
	h := &DemoHousing{}
	if len(own) > 0 {
		for _, a := range own {
			switch a.Kind {
			case "protected_shelter":
				h.ProtectedShelterID = a.ID
			case "semi_autonomy_flat":
				h.FlatID = a.ID
			}
		}
		return h, nil
	}

	create := func(ctx context.Context, in housing.AccommodationInput) (string, error) {
		a, err := svc.CreateAccommodation(ctx, in)
		if err != nil {
			return "", fmt.Errorf("demo accommodation %s: %w", in.Name, err)
		}
		return a.ID, nil
	}
	// The demo's addresses are invented; a real protected shelter's is
	// shown to its own organisation only.
	if h.ProtectedShelterID, err = create(aurora, housing.AccommodationInput{Name: "Casa rifugio Aurora", Kind: "protected_shelter", Territory: "RM", Address: "Via Immaginaria 1, Roma (indirizzo riservato)", Capacity: 6}); err != nil {
		return nil, err
	}
	emergency, err := create(aurora, housing.AccommodationInput{Name: "Pronta accoglienza Aurora", Kind: "emergency_shelter", Territory: "RM", Address: "Via Inventata 22, Roma", Capacity: 4})
	if err != nil {
		return nil, err
	}
	if h.FlatID, err = create(aurora, housing.AccommodationInput{Name: "Appartamento di semi-autonomia Pigneto", Kind: "semi_autonomy_flat", Territory: "RM", Address: "Via Fittizia 8, Roma", Capacity: 3}); err != nil {
		return nil, err
	}
	stellaShelter, err := create(stella, housing.AccommodationInput{Name: "Casa Stella", Kind: "protected_shelter", Territory: "LT", Address: "Strada Immaginaria 5, Latina (indirizzo riservato)", Capacity: 5})
	if err != nil {
		return nil, err
	}
	if _, err := create(stella, housing.AccommodationInput{Name: "Appartamento Latina centro", Kind: "semi_autonomy_flat", Territory: "LT", Address: "Via Fittizia 3, Latina", Capacity: 2}); err != nil {
		return nil, err
	}

	day := func(monthsAgo int) string {
		return time.Now().AddDate(0, -monthsAgo, 0).Format(time.DateOnly)
	}
	amina, joy, blessing, fatou := people[0].Pseudonym, people[1].Pseudonym, people[2].Pseudonym, people[4].Pseudonym
	for _, st := range []struct {
		ctx context.Context
		in  housing.StepInput
	}{
		{aurora, housing.StepInput{ID: "demo-step-amina-1", Person: amina, Kind: "protected_shelter", AccommodationID: h.ProtectedShelterID, Start: day(9)}},
		{aurora, housing.StepInput{ID: "demo-step-joy-1", Person: joy, Kind: "protected_shelter", AccommodationID: h.ProtectedShelterID, Start: day(3)}},
		{aurora, housing.StepInput{ID: "demo-step-blessing-1", Person: blessing, Kind: "emergency_shelter", AccommodationID: emergency, Start: day(0)}},
		{stella, housing.StepInput{ID: "demo-step-fatou-1", Person: fatou, Kind: "protected_shelter", AccommodationID: stellaShelter, Start: day(5)}},
	} {
		if _, _, err := svc.StartStep(st.ctx, st.in); err != nil {
			return nil, fmt.Errorf("demo step %s: %w", st.in.ID, err)
		}
	}
	if _, err := svc.MoveStep(aurora, "demo-step-amina-1", housing.MoveInput{Kind: "semi_autonomy_flat", AccommodationID: h.FlatID, Start: day(2)}); err != nil {
		return nil, fmt.Errorf("demo move: %w", err)
	}

	// Amina works in Pigneto and is ready for a lease of her own.
	if _, err := svc.PutProfile(aurora, amina, housing.ProfileInput{MonthlyIncomeCents: 120000, HouseholdSize: 1, WorkTerritory: "RM", WorkArea: "Roma - Pigneto"}); err != nil {
		return nil, fmt.Errorf("demo profile: %w", err)
	}
	next := time.Now().AddDate(0, 1, 1-time.Now().Day()).Format(time.DateOnly)
	if _, err := svc.GrantRentSupport(aurora, housing.RentSupportInput{Person: amina, MonthlyAmountCents: 20000, Months: 6, Start: next}); err != nil {
		return nil, fmt.Errorf("demo rent support: %w", err)
	}
	var offered string
	for _, o := range []housing.OfferInput{
		{Source: "landlord", MonthlyRentCents: 45000, Territory: "RM", Area: "Roma - Pigneto", Places: 1, Conditions: "monolocale arredato, contratto 4+4, deposito due mensilità", AvailableFrom: next},
		{Source: "agency", MonthlyRentCents: 52000, Territory: "RM", Area: "Roma - Tiburtino", Places: 2, Conditions: "bilocale, contratto a canone concordato 3+2", AvailableFrom: next},
		{Source: "public_programme", MonthlyRentCents: 30000, Territory: "LT", Area: "Latina", Places: 3, Conditions: "alloggio del programma comunale per l'autonomia abitativa", AvailableFrom: next},
	} {
		offer, err := svc.CreateOffer(aurora, o)
		if err != nil {
			return nil, fmt.Errorf("demo offer: %w", err)
		}
		if offered == "" {
			offered = offer.ID
		}
	}
	if _, err := svc.Propose(aurora, offered, amina); err != nil {
		return nil, fmt.Errorf("demo proposal: %w", err)
	}
	return h, nil
}
