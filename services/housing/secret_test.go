package housing_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/percorsi/percorsi/services/housing"
)

// TestProtectedAddressNeverLeaves runs a protected shelter through every
// use case that touches it and then looks for its address in everything
// that leaves the service: every Kafka message of the run, every log line
// (down to debug), the CSV export, the board, and every response to the
// users of another organisation. Only the managing organisation sees it.
func TestProtectedAddressNeverLeaves(t *testing.T) {
	f := start(t)
	const address = "Vicolo del Segreto 7, Roma"
	shelter := f.accommodation(t, "aurora", "Casa Aurora", "protected_shelter", "RM", address, 2)
	flat := f.accommodation(t, "aurora", "Appartamento Aurora", "semi_autonomy_flat", "RM", "Via Aperta 1, Roma", 2)

	// Placements, a failed one into a full shelter, a move, an exit.
	f.must(t, http.StatusCreated, "aurora", http.MethodPost, "/v1/steps", `{"id":"s1","person":"ps-1","kind":"protected_shelter","accommodation_id":"`+shelter+`","start":"2026-02-01"}`, nil)
	f.must(t, http.StatusCreated, "aurora", http.MethodPost, "/v1/steps", `{"id":"s2","person":"ps-2","kind":"protected_shelter","accommodation_id":"`+shelter+`","start":"2026-02-01"}`, nil)
	f.must(t, http.StatusConflict, "aurora", http.MethodPost, "/v1/steps", stepBody("ps-3", "protected_shelter", shelter, "2026-02-02"), nil)
	f.must(t, http.StatusCreated, "aurora", http.MethodPost, "/v1/steps/s1/move", `{"kind":"semi_autonomy_flat","accommodation_id":"`+flat+`","start":"2026-03-01"}`, nil)
	f.must(t, http.StatusOK, "aurora", http.MethodPost, "/v1/steps/s2/end", `{"end":"2026-03-05","reason":"transferred","destination":"other_project"}`, nil)
	// Bad input carrying the address is refused without echoing it.
	f.must(t, http.StatusBadRequest, "aurora", http.MethodPost, "/v1/accommodations", `{"name":"x","kind":"castle","territory":"RM","address":"`+address+`","capacity":1}`, nil)

	// The managing organisation sees the address: the control that the
	// search below would find it.
	var own housing.AccommodationResponse
	f.must(t, http.StatusOK, "aurora", http.MethodGet, "/v1/accommodations/"+shelter, "", &own)
	if own.Accommodation.Address != address {
		t.Fatalf("the managing organisation gets address %q", own.Accommodation.Address)
	}

	var leaks []string
	look := func(where string, b []byte) {
		if strings.Contains(string(b), address) || strings.Contains(string(b), "Segreto") {
			leaks = append(leaks, where)
		}
	}
	for _, c := range []struct{ user, path string }{
		{"stella", "/v1/accommodations/" + shelter},
		{"stella", "/v1/accommodations"},
		{"stella", "/v1/availability"},
		{"stella-cw", "/v1/availability?kind=protected_shelter&territory=RM"},
		{"monitoring", "/v1/availability"},
		{"stella", "/v1/persons/ps-1/housing"},
		{"stella-cw", "/v1/persons/ps-2/housing"},
		{"aurora-cw", "/v1/persons/ps-1/housing"},
		{"stella", "/v1/exports/steps.csv"},
		{"aurora", "/v1/exports/steps.csv"},
		{"aurora", "/v1/accommodations/" + shelter + "/nothing"},
	} {
		status, raw := f.call(t, c.user, http.MethodGet, c.path, "")
		if status >= 500 {
			t.Fatalf("%s %s: %d %s", c.user, c.path, status, raw)
		}
		look(c.user+" GET "+c.path, raw)
	}
	// Another organisation learns the kind and dates of ps-2's shelter, not
	// whose it was nor which.
	var seen housing.PersonResponse
	f.must(t, http.StatusOK, "stella", http.MethodGet, "/v1/persons/ps-2/housing", "", &seen)
	if len(seen.Steps) != 1 || seen.Steps[0].Kind != "protected_shelter" || seen.Steps[0].Organisation != "" || seen.Steps[0].AccommodationID != "" {
		t.Fatalf("another organisation sees %+v", seen.Steps)
	}

	// Another organisation may not even place people there.
	status, raw := f.call(t, "stella", http.MethodPost, "/v1/steps", stepBody("ps-9", "protected_shelter", shelter, "2026-02-02"))
	if status != http.StatusForbidden {
		t.Fatalf("another organisation's placement: %d %s", status, raw)
	}
	look("stella POST /v1/steps", raw)

	// The export is there and holds the steps, by name, not address.
	status, csv := f.call(t, "aurora", http.MethodGet, "/v1/exports/steps.csv", "")
	if status != http.StatusOK || !strings.Contains(string(csv), "Casa Aurora") || strings.Count(string(csv), "\n") != 4 {
		t.Fatalf("export: %d\n%s", status, csv)
	}

	published := f.published(t)
	n := 0
	for _, es := range published {
		for _, e := range es {
			n++
			// The payload's text form holds every field of the event.
			look("event "+e.Type, []byte(e.Payload.(interface{ String() string }).String()))
		}
	}
	if n != 6 {
		t.Fatalf("%d events published, want 6 (3 starts, 2 ends, 1 exit)", n)
	}
	for _, m := range readTopic(t, f.stack.KafkaBrokers(), housing.Topic) {
		look("kafka message", m.Value)
		for _, h := range m.Headers {
			look("kafka header "+h.Key, h.Value)
		}
	}
	logs := f.logs.String()
	if !strings.Contains(logs, "start_step") {
		t.Fatalf("the logs were not captured:\n%s", logs)
	}
	look("logs", []byte(logs))
	if len(leaks) > 0 {
		t.Fatalf("the protected address leaked into: %s", strings.Join(leaks, ", "))
	}
}
