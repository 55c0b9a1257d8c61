package housing_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/percorsi/percorsi/services/housing"
)

// TestCapacityHoldsUnderConcurrentPlacements races many placements into the
// last free places of an accommodation over HTTP and the MongoDB wire
// protocol: exactly the free places are taken, every other request gets a
// 409 naming the accommodation, and the board agrees.
func TestCapacityHoldsUnderConcurrentPlacements(t *testing.T) {
	f := start(t)
	cases := []struct {
		name               string
		capacity, occupied int
		racers             int
	}{
		{"the last free place", 4, 3, 24},
		{"an empty flat", 3, 0, 16},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			acc := f.accommodation(t, "aurora", "Casa "+tc.name, "semi_autonomy_flat", "RM", "Via Tal dei Tali 1, Roma", tc.capacity)
			for i := range tc.occupied {
				f.must(t, http.StatusCreated, "aurora", http.MethodPost, "/v1/steps", stepBody(fmt.Sprintf("%s-resident-%d", acc, i), "semi_autonomy_flat", acc, "2026-01-10"), nil)
			}
			statuses := make([]int, tc.racers)
			bodies := make([][]byte, tc.racers)
			var wg sync.WaitGroup
			for i := range tc.racers {
				wg.Go(func() {
					statuses[i], bodies[i] = f.call(t, "aurora", http.MethodPost, "/v1/steps", stepBody(fmt.Sprintf("%s-racer-%d", acc, i), "semi_autonomy_flat", acc, "2026-02-01"))
				})
			}
			wg.Wait()
			admitted := 0
			for i, status := range statuses {
				switch status {
				case http.StatusCreated:
					admitted++
				case http.StatusConflict:
					if e := errorOf(t, bodies[i]); e.Error.Field != "accommodation_id" {
						t.Errorf("409 names %q, want accommodation_id", e.Error.Field)
					}
				default:
					t.Errorf("racer %d: %d %s", i, status, bodies[i])
				}
			}
			if want := tc.capacity - tc.occupied; admitted != want {
				t.Fatalf("%d admitted into %d free places", admitted, want)
			}
			var got housing.AccommodationResponse
			f.must(t, http.StatusOK, "aurora", http.MethodGet, "/v1/accommodations/"+acc, "", &got)
			if a := got.Accommodation; a.Occupied != tc.capacity || a.Free != 0 || len(a.Open) != tc.capacity {
				t.Fatalf("after the race: %d occupied, %d free, %d open steps; capacity %d", a.Occupied, a.Free, len(a.Open), tc.capacity)
			}

			// Ending a step frees exactly one place.
			leaving := got.Accommodation.Open[0]
			f.must(t, http.StatusOK, "aurora", http.MethodPost, "/v1/steps/"+leaving.ID+"/end", `{"end":"2026-03-01","reason":"left_voluntarily","destination":"unknown"}`, nil)
			f.must(t, http.StatusCreated, "aurora", http.MethodPost, "/v1/steps", stepBody(acc+"-late", "semi_autonomy_flat", acc, "2026-03-02"), nil)
			status, raw := f.call(t, "aurora", http.MethodPost, "/v1/steps", stepBody(acc+"-later", "semi_autonomy_flat", acc, "2026-03-02"))
			if status != http.StatusConflict || errorOf(t, raw).Error.Field != "accommodation_id" {
				t.Fatalf("placement into a full flat: %d %s", status, raw)
			}
		})
	}

	var board housing.BoardResponse
	f.must(t, http.StatusOK, "stella-cw", http.MethodGet, "/v1/availability?kind=semi_autonomy_flat&territory=RM", "", &board)
	if len(board.Rows) != 1 || board.Rows[0].Places != 7 || board.Rows[0].Free != 0 || board.Rows[0].Accommodations != 2 {
		t.Fatalf("board %+v, want 2 flats, 7 places, none free", board.Rows)
	}
}

// TestOnePersonOneOpenStep races placements of one person into two
// accommodations: one wins, the others get a 409 naming the person, and no
// place stays held by a refused placement.
func TestOnePersonOneOpenStep(t *testing.T) {
	f := start(t)
	shelter := f.accommodation(t, "aurora", "Pronta accoglienza", "emergency_shelter", "RM", "Via Uno 1, Roma", 10)
	other := f.accommodation(t, "aurora", "Pronta accoglienza 2", "emergency_shelter", "RM", "Via Due 2, Roma", 10)
	const racers = 12
	statuses := make([]int, racers)
	bodies := make([][]byte, racers)
	var wg sync.WaitGroup
	for i := range racers {
		acc := []string{shelter, other}[i%2]
		wg.Go(func() {
			statuses[i], bodies[i] = f.call(t, "aurora", http.MethodPost, "/v1/steps", stepBody("ps-same", "emergency_shelter", acc, "2026-02-01"))
		})
	}
	wg.Wait()
	admitted := 0
	for i, status := range statuses {
		switch {
		case status == http.StatusCreated:
			admitted++
		case status != http.StatusConflict || errorOf(t, bodies[i]).Error.Field != "person":
			t.Errorf("racer %d: %d %s", i, status, bodies[i])
		}
	}
	var own housing.AccommodationsResponse
	f.must(t, http.StatusOK, "aurora", http.MethodGet, "/v1/accommodations", "", &own)
	occupied := 0
	for _, a := range own.Accommodations {
		occupied += a.Occupied
	}
	if admitted != 1 || occupied != 1 {
		t.Fatalf("%d placements admitted, %d places taken; want 1 and 1", admitted, occupied)
	}
}

// TestConcurrentMovesOfOneStep sends the same move many times at once: the
// step is followed once, by one step holding one place. A request that
// meets another still half-way is told to retry (409 naming step_id).
func TestConcurrentMovesOfOneStep(t *testing.T) {
	f := start(t)
	shelter := f.accommodation(t, "aurora", "Casa rifugio", "protected_shelter", "RM", "Via Uno 1, Roma", 2)
	flat := f.accommodation(t, "aurora", "Appartamento", "semi_autonomy_flat", "RM", "Via Due 2, Roma", 5)
	f.must(t, http.StatusCreated, "aurora", http.MethodPost, "/v1/steps", `{"id":"first","person":"ps-1","kind":"protected_shelter","accommodation_id":"`+shelter+`","start":"2026-02-01"}`, nil)
	const racers = 8
	ids := make([]string, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			var resp housing.StepResponse
			status, raw := f.call(t, "aurora", http.MethodPost, "/v1/steps/first/move", `{"kind":"semi_autonomy_flat","accommodation_id":"`+flat+`","start":"2026-03-01"}`)
			if status == http.StatusConflict && errorOf(t, raw).Error.Field == "step_id" {
				return
			}
			if status != http.StatusCreated {
				t.Errorf("move %d: %d %s", i, status, raw)
				return
			}
			if err := json.Unmarshal(raw, &resp); err != nil {
				t.Error(err)
			}
			ids[i] = resp.Step.ID
		})
	}
	wg.Wait()
	var own housing.AccommodationsResponse
	f.must(t, http.StatusOK, "aurora", http.MethodGet, "/v1/accommodations", "", &own)
	taken := map[string]int{}
	for _, a := range own.Accommodations {
		taken[a.Kind] = a.Occupied
	}
	if taken["protected_shelter"] != 0 || taken["semi_autonomy_flat"] != 1 {
		t.Fatalf("places taken after the moves: %v", taken)
	}
	moved := ""
	for _, id := range ids {
		switch {
		case id == "":
		case moved == "":
			moved = id
		case id != moved:
			t.Fatalf("the moves started different steps: %v", ids)
		}
	}
	if moved == "" {
		t.Fatal("no move succeeded")
	}
}
