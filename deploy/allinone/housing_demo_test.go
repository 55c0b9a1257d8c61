package allinone_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/percorsi/percorsi/deploy/allinone"
	"github.com/percorsi/percorsi/services/housing"
)

// The housing demo: the board counts the places of both organisations, the
// offers that fit Amina K. are ranked for coop-aurora's housing worker, and
// coop-stella's case worker reads the board without any address. Starting
// again on the same data changes nothing.
func TestHousingDemo(t *testing.T) {
	dir := t.TempDir()
	for run := range 2 {
		sys, err := allinone.Start(t.Context(), allinone.Config{Dir: dir, Demo: true, NoTableScan: true})
		if err != nil {
			t.Fatal(err)
		}
		d := sys.Demo
		var board housing.BoardResponse
		if status := do(t, http.MethodGet, sys.HousingURL+"/v1/availability", d.Tokens["marta.gallo"], "", &board); status != http.StatusOK {
			t.Fatalf("run %d: board status %d", run, status)
		}
		places := 0
		for _, r := range board.Rows {
			places += r.Places
		}
		if len(board.Rows) != 5 || places != 20 {
			t.Fatalf("run %d: board %+v", run, board.Rows)
		}
		var matches housing.MatchesResponse
		if status := do(t, http.MethodGet, sys.HousingURL+"/v1/persons/"+d.People[0].Pseudonym+"/offer-matches", d.Tokens["marta.gallo"], "", &matches); status != http.StatusOK || len(matches.Matches) == 0 {
			t.Fatalf("run %d: matches %d %+v", run, status, matches)
		}
		var raw map[string]any
		if status := do(t, http.MethodGet, sys.HousingURL+"/v1/availability", d.Tokens["luca.verdi"], "", &raw); status != http.StatusOK {
			t.Fatalf("run %d: another organisation's board: %d", run, status)
		}
		var own housing.AccommodationResponse
		do(t, http.MethodGet, sys.HousingURL+"/v1/accommodations/"+d.Housing.ProtectedShelterID, d.Tokens["marta.gallo"], "", &own)
		if own.Accommodation.Address == "" || strings.Contains(fmt.Sprint(raw), own.Accommodation.Address) {
			t.Fatalf("run %d: address %q, board %v", run, own.Accommodation.Address, raw)
		}
		if err := sys.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
