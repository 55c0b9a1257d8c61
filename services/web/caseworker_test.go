package web_test

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/percorsi/percorsi/pkg/auth"
)

// casesRoutes stands in for the pathway routes of the case worker's and
// the monitoring officer's pages.
func casesRoutes(f *fake, mux *http.ServeMux) {
	reply := func(w http.ResponseWriter, status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	invalid := func(w http.ResponseWriter, field, msg string) {
		reply(w, http.StatusBadRequest, map[string]any{"error": map[string]string{"code": "invalid", "field": field, "message": msg}})
	}
	caseWorkerOnly := func(next http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			f.mu.Lock()
			who := f.who
			f.mu.Unlock()
			if who.Role != auth.CaseWorker {
				reply(w, http.StatusForbidden, map[string]any{"error": map[string]string{"code": "forbidden", "message": "case workers only"}})
				return
			}
			next(w, r)
		}
	}
	person := map[string]any{
		"pseudonym": "ps-a", "display_name": "Amina K.", "organisation": "coop-aurora", "territory": "RM", "case_worker": "giulia.bianchi",
		"since": "2026-08-01T00:00:00Z", "programme": "art18", "referral": "hotline",
		"consents": []map[string]any{{"scope": "data_processing", "given_at": "2026-08-01T09:00:00Z"}},
		"plan": map[string]any{"revision": 2, "updated_at": "2026-11-01T10:00:00Z", "updated_by": "giulia.bianchi", "goals": []map[string]any{
			{"id": "g1", "domain": "work", "title": "Tirocinio in cucina", "target": "2027-03-31", "follow_by": "elena.ferri", "status": "open"},
			{"id": "g2", "domain": "italian", "title": "Certificazione A2", "target": "2027-01-31", "status": "open"},
		}},
	}
	mux.HandleFunc("GET /v1/persons", caseWorkerOnly(func(w http.ResponseWriter, _ *http.Request) {
		joy := map[string]any{"pseudonym": "ps-b", "display_name": "Joy O.", "organisation": "coop-aurora", "programme": "art13", "open_alerts": 0}
		amina := map[string]any{"pseudonym": "ps-a", "display_name": "Amina K.", "organisation": "coop-aurora", "programme": "art18", "stage": "learning", "open_alerts": 2, "most_urgent_alert": "permit_without_grounds", "permit_kind": "special_cases_art18", "permit_until": "2027-02-10"}
		reply(w, http.StatusOK, map[string]any{"persons": []any{joy, amina}})
	}))
	mux.HandleFunc("GET /v1/persons/ps-a", caseWorkerOnly(func(w http.ResponseWriter, _ *http.Request) { reply(w, http.StatusOK, person) }))
	// Pathway says its reasons in the language web asks for.
	mux.HandleFunc("GET /v1/persons/ps-a/autonomy", caseWorkerOnly(func(w http.ResponseWriter, r *http.Request) {
		italian, legal := "Frequenta il corso di Italiano L2 (lezione del 01/09/2026)", "Permesso di soggiorno casi speciali (art. 18) valido fino al 10/02/2027"
		if r.URL.Query().Get("lang") == "en" {
			italian, legal = "Attending the Italian L2 course (lesson of 01/09/2026)", "Residence permit special cases (art. 18) valid until 10/02/2027"
		}
		reply(w, http.StatusOK, map[string]any{"stage": "learning", "index": 0.25,
			"areas": []map[string]any{
				{"area": "italian", "status": "in_progress", "since": "2026-09-01", "why": italian},
				{"area": "legal", "status": "in_progress", "since": "2026-08-10", "why": legal},
				{"area": "work", "status": "none"},
			},
			"history": []map[string]any{
				{"at": "2026-08-01T00:00:00Z", "stage": "taken_in_charge", "index": 0},
				{"at": "2026-08-10T00:00:00Z", "stage": "learning", "index": 0.08},
				{"at": "2026-09-01T00:00:00Z", "stage": "learning", "index": 0.17},
			},
			"rules": map[string]any{"italian_level": "a2", "digital_level": 2, "placement_months": 3}})
	}))
	mux.HandleFunc("GET /v1/persons/ps-a/legal", caseWorkerOnly(func(w http.ResponseWriter, r *http.Request) {
		grounds := "nessun inserimento confermato e nessuna iscrizione attiva"
		if r.URL.Query().Get("lang") == "en" {
			grounds = "no confirmed placement and no active enrolment"
		}
		until := time.Now().AddDate(0, 0, 40).Format(time.DateOnly)
		permit := map[string]any{"kind": "special_cases_art18", "valid_from": "2026-08-10", "valid_until": until, "may_work": true}
		reply(w, http.StatusOK, map[string]any{"permits": []any{permit}, "current": permit, "days_left": 40, "convertible": false,
			"grounds": grounds, "check_from": time.Now().AddDate(0, 0, -20).Format(time.DateOnly)})
	}))
	mux.HandleFunc("GET /v1/persons/ps-a/alerts", caseWorkerOnly(func(w http.ResponseWriter, _ *http.Request) {
		reply(w, http.StatusOK, map[string]any{"alerts": []map[string]any{
			{"id": "inactivity:ps-a", "kind": "inactivity", "raised_at": "2026-10-01T00:00:00Z", "resolved_at": "2026-10-05T00:00:00Z", "resolved_by": "system"},
			{"id": "permit_without_grounds:2027-02-10", "kind": "permit_without_grounds", "raised_at": "2026-11-20T00:00:00Z", "due": "2027-02-10T00:00:00Z"},
		}})
	}))
	mux.HandleFunc("POST /v1/persons/ps-a/personal/read", caseWorkerOnly(func(w http.ResponseWriter, _ *http.Request) {
		var read struct{ Reason string }
		f.mu.Lock()
		err := json.Unmarshal(f.last, &read)
		f.mu.Unlock()
		if err != nil || read.Reason == "" {
			invalid(w, "reason", "is required")
			return
		}
		reply(w, http.StatusOK, map[string]any{"pseudonym": "ps-a", "personal": map[string]any{
			"legal_name": "Amina Kareem", "birth_date": "1999-04-02", "languages": []string{"english", "edo"},
			"documents": []map[string]string{{"kind": "passport", "number": "NG1234567", "expires_on": "2030-01-01"}},
		}})
	}))
	mux.HandleFunc("GET /v1/transfers/incoming", caseWorkerOnly(func(w http.ResponseWriter, _ *http.Request) {
		reply(w, http.StatusOK, map[string]any{"transfers": []map[string]any{{"pseudonym": "ps-t", "programme": "art18",
			"transfer": map[string]any{"id": "t1", "from_organisation": "coop-stella", "to_organisation": "coop-aurora", "reason": "moved to Rome", "status": "requested", "requested_at": "2026-11-20T00:00:00Z"}}}})
	}))
	mux.HandleFunc("POST /v1/persons", caseWorkerOnly(func(w http.ResponseWriter, _ *http.Request) {
		f.mu.Lock()
		body := string(f.last)
		f.mu.Unlock()
		if strings.Contains(body, `"legal_name":"Rifiutata"`) {
			invalid(w, "personal.nationality", "is not a known nationality")
			return
		}
		reply(w, http.StatusCreated, person)
	}))
	mux.HandleFunc("PUT /v1/persons/ps-a/plan", caseWorkerOnly(func(w http.ResponseWriter, _ *http.Request) {
		f.mu.Lock()
		body := string(f.last)
		f.mu.Unlock()
		if strings.Contains(body, "Rifiutato") {
			invalid(w, "goals[0].title", "is too long")
			return
		}
		reply(w, http.StatusOK, person)
	}))
	mux.HandleFunc("POST /v1/persons/ps-a/alerts/{alert}/{action}", caseWorkerOnly(func(w http.ResponseWriter, _ *http.Request) { reply(w, http.StatusOK, person) }))
	mux.HandleFunc("POST /v1/persons/ps-a/permits", caseWorkerOnly(func(w http.ResponseWriter, _ *http.Request) {
		f.mu.Lock()
		body := string(f.last)
		f.mu.Unlock()
		switch {
		case strings.Contains(body, `"valid_until":"2020-01-01"`):
			invalid(w, "valid_until", "must be after valid_from")
		case strings.Contains(body, `"kind":"other"`):
			invalid(w, "programme", "does not allow this permit") // a field the form does not have
		default:
			reply(w, http.StatusOK, person)
		}
	}))
	mux.HandleFunc("POST /v1/persons/ps-a/transfers", caseWorkerOnly(func(w http.ResponseWriter, _ *http.Request) {
		f.mu.Lock()
		body := string(f.last)
		f.mu.Unlock()
		if strings.Contains(body, `"to_organisation":"coop-aurora"`) {
			invalid(w, "to_organisation", "is the organisation already in charge")
			return
		}
		reply(w, http.StatusOK, person)
	}))
	mux.HandleFunc("POST /v1/persons/ps-t/transfers/t1/{decision}", caseWorkerOnly(func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, map[string]any{"pseudonym": "ps-t", "transfer_id": "t1", "status": r.PathValue("decision") + "ed"})
	}))
	mux.HandleFunc("GET /v1/monitoring/indicators", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		who := f.who
		f.mu.Unlock()
		if who.Role != auth.Monitoring {
			reply(w, http.StatusForbidden, map[string]any{"error": map[string]string{"code": "forbidden", "message": "monitoring only"}})
			return
		}
		q := r.URL.Query()
		if q.Get("format") == "csv" {
			// A 3 slipped through: web must suppress it all the same.
			_, _ = io.WriteString(w, "organisation,period_from,period_to,taken_in_charge,enrolled,certified,qualified,placed,housed,autonomous_exits\n"+
				"coop-aurora,"+q.Get("from")+","+q.Get("to")+",8,7,<5,<5,3,<5,<5\n")
			return
		}
		eight, seven, three := 8, 7, 3
		reply(w, http.StatusOK, map[string]any{"by": q.Get("by"), "from": q.Get("from"), "to": q.Get("to"), "min_cell": 5, "rows": []map[string]any{
			{"group": "coop-aurora", "counts": map[string]*int{"taken_in_charge": &eight, "enrolled": &seven, "certified": nil, "qualified": nil, "placed": &three, "housed": nil, "autonomous_exits": nil}},
		}})
	})
}

func (f *fake) lastBody() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return string(f.last)
}

func TestCaseWorkerPages(t *testing.T) {
	r := start(t)

	t.Run("caseload: open alerts first, transfers waiting", func(t *testing.T) {
		b := r.browser(t)
		page := b.signIn("giulia.bianchi")
		amina, joy := strings.Index(page, "Amina K."), strings.Index(page, "Joy O.")
		if amina < 0 || joy < 0 || amina > joy {
			t.Errorf("caseload order: Amina at %d, Joy at %d; want Amina (2 open alerts) first", amina, joy)
		}
		if !strings.Contains(page, "Trasferimenti in attesa di risposta: 1") || !strings.Contains(page, "Pseudonimo della persona") ||
			!strings.Contains(page, "Permesso in scadenza senza presupposti") || !strings.Contains(page, "scade il 10/02/2027") {
			t.Error("caseload lacks the incoming transfers or the open-by-pseudonym form")
		}
	})

	t.Run("intake: every problem named at once, nothing sent", func(t *testing.T) {
		b := r.browser(t)
		b.signIn("giulia.bianchi")
		before := r.pathway.calls.Load()
		status, page := b.post("/intake", "/intake", url.Values{"email": {"not-an-address"}, "birth_date": {"2999-01-01"}})
		if status != http.StatusBadRequest {
			t.Errorf("status %d, want 400", status)
		}
		for _, field := range []string{"display_name", "programme", "referral", "legal_name", "birth_date", "email", "consents"} {
			if !strings.Contains(page, `data-testid="error-`+field+`"`) {
				t.Errorf("no error shown on %s", field)
			}
		}
		if !strings.Contains(page, `aria-invalid="true"`) || !strings.Contains(page, `href="#f-legal_name"`) {
			t.Error("the faulty inputs are not marked, or the summary does not link to them")
		}
		if got := r.pathway.calls.Load() - before; got != 0 {
			t.Errorf("an invalid intake reached pathway (%d calls)", got)
		}
	})

	valid := url.Values{
		"display_name": {"Amina K."}, "programme": {"art18"}, "referral": {"hotline"}, "territory": {"RM"}, "since": {"2026-11-20"},
		"legal_name": {"Amina Kareem"}, "birth_date": {"1999-04-02"}, "languages": {"english, edo"},
		"doc_kind": {"passport"}, "doc_number": {"NG1234567"}, "consents": {"data_processing", "data_sharing_services"},
	}

	t.Run("intake: taken in charge, the pathway page follows", func(t *testing.T) {
		b := r.browser(t)
		b.signIn("giulia.bianchi")
		status, page := b.post("/intake", "/intake", valid)
		if status != http.StatusOK || !strings.Contains(page, "Persona presa in carico.") || !strings.Contains(page, "<h1>Amina K.</h1>") {
			t.Fatalf("status %d; want the new pathway page with its notice", status)
		}
		var sent map[string]any
		if err := json.Unmarshal([]byte(r.pathway.lastBody()), &sent); err != nil {
			t.Fatal(err)
		}
		personal, _ := sent["personal"].(map[string]any)
		if sent["display_name"] != "Amina K." || personal["legal_name"] != "Amina Kareem" || len(personal["languages"].([]any)) != 2 ||
			len(personal["documents"].([]any)) != 1 || len(sent["consents"].([]any)) != 2 {
			t.Errorf("pathway got %v", sent)
		}
	})

	t.Run("intake: pathway's refusal lands on its field, the form kept", func(t *testing.T) {
		b := r.browser(t)
		b.signIn("giulia.bianchi")
		refused := url.Values{}
		for k, v := range valid {
			if k != "csrf" { // the earlier post's session's
				refused[k] = v
			}
		}
		refused.Set("legal_name", "Rifiutata")
		refused.Set("nationality", "Atlantide")
		status, page := b.post("/intake", "/intake", refused)
		if status != http.StatusBadRequest || !strings.Contains(page, `data-testid="error-nationality"`) || !strings.Contains(page, `value="Atlantide"`) {
			t.Errorf("status %d; want 400 with the nationality marked and kept", status)
		}
		if !strings.Contains(page, "Il servizio non accetta questo valore.") || strings.Contains(page, "is not a known nationality") {
			t.Error("pathway's English message shown on the Italian form instead of words of the page")
		}
	})

	t.Run("the pathway page: plan, autonomy chart and table, permit, alerts", func(t *testing.T) {
		b := r.browser(t)
		b.signIn("giulia.bianchi")
		status, page := b.get("/persons/ps-a")
		if status != http.StatusOK || !strings.HasSuffix(strings.TrimSpace(page), "</html>") {
			t.Fatalf("status %d; the page must render whole", status)
		}
		for _, want := range []string{
			"Tirocinio in cucina", "Art. 18 D.lgs. 286/1998", "Numero Verde Anti-tratta", // plan and intake
			`role="img"`, "<title id=\"autonomy-chart-title\">Indice di autonomia nel tempo</title>", `data-testid="autonomy-table"`, // chart and its table
			"Fase: apprendimento · indice 25%", "Frequenta il corso di Italiano L2 (lezione del 01/09/2026)", // stage and reasons
			"Motivi: nessun inserimento confermato e nessuna iscrizione attiva", // grounds
			"Casi speciali (art. 18)", "Mancano 40 giorni alla scadenza.", "I fatti del percorso non sostengono ancora una conversione.", // permit
			"Permesso in scadenza senza presupposti per la conversione", `value="permit_without_grounds:2027-02-10"`, // alerts
			"Presente alla lezione", // timeline
		} {
			if !strings.Contains(page, want) {
				t.Errorf("the pathway page lacks %q", want)
			}
		}
		if strings.Contains(page, "Amina Kareem") {
			t.Error("the pathway page shows the legal name without an audited read")
		}
	})

	t.Run("personal data: a reason is required, and it reaches pathway", func(t *testing.T) {
		b := r.browser(t)
		b.signIn("giulia.bianchi")
		status, page := b.post("/persons/ps-a", "/persons/ps-a/personal", url.Values{"reason": {"  "}})
		if status != http.StatusBadRequest || strings.Contains(page, "Amina Kareem") {
			t.Errorf("without a reason: status %d, want 400 and no data", status)
		}
		status, page = b.post("/persons/ps-a", "/persons/ps-a/personal", url.Values{"reason": {"rinnovo del permesso"}, "name": {"Amina K."}})
		if status != http.StatusOK || !strings.Contains(page, "Amina Kareem") || !strings.Contains(page, "NG1234567") || !strings.Contains(page, "english, edo") {
			t.Errorf("with a reason: status %d; personal data and documents not shown", status)
		}
		if got := strings.TrimSpace(r.pathway.lastBody()); got != `{"reason":"rinnovo del permesso"}` {
			t.Errorf("pathway got %q, want the reason", got)
		}
	})

	t.Run("plan: blank rows dropped, a refused goal marked", func(t *testing.T) {
		b := r.browser(t)
		b.signIn("giulia.bianchi")
		_, form := b.get("/persons/ps-a/plan")
		if !strings.Contains(form, `value="Tirocinio in cucina"`) || strings.Count(form, `name="title"`) != 5 {
			t.Fatalf("the plan form does not show both goals and three blank rows")
		}
		goals := url.Values{
			"id": {"g1", "", ""}, "domain": {"work", "housing", ""}, "title": {"Tirocinio in cucina", "Casa di semi-autonomia", ""},
			"target": {"2027-03-31", "2027-06-30", ""}, "follow_by": {"elena.ferri", "marta.gallo", ""}, "status": {"achieved", "open", "open"},
		}
		status, page := b.post("/persons/ps-a/plan", "/persons/ps-a/plan", goals)
		if status != http.StatusOK || !strings.Contains(page, "Piano salvato.") {
			t.Errorf("save: status %d", status)
		}
		var sent struct{ Goals []map[string]string }
		_ = json.Unmarshal([]byte(r.pathway.lastBody()), &sent)
		if len(sent.Goals) != 2 || sent.Goals[0]["status"] != "achieved" || sent.Goals[1]["domain"] != "housing" {
			t.Errorf("pathway got %+v, want the two goals typed", sent.Goals)
		}
		goals.Set("title", "")
		goals["title"] = []string{"", "Rifiutato", ""}
		goals["id"] = []string{"", "", ""}
		status, page = b.post("/persons/ps-a/plan", "/persons/ps-a/plan", goals)
		if status != http.StatusBadRequest || !strings.Contains(page, `data-testid="error-title-1"`) {
			t.Errorf("refused goal: status %d, want 400 with the second goal's title marked", status)
		}
	})

	t.Run("alerts and transfers", func(t *testing.T) {
		b := r.browser(t)
		b.signIn("giulia.bianchi")
		status, page := b.post("/persons/ps-a", "/persons/ps-a/alerts", url.Values{"alert": {"permit_without_grounds:2027-02-10"}, "action": {"resolve"}, "note": {"appuntamento in questura"}})
		if status != http.StatusOK || !strings.Contains(page, "Avviso risolto.") || !strings.Contains(r.pathway.lastBody(), "appuntamento in questura") {
			t.Errorf("resolve: status %d", status)
		}
		status, page = b.post("/persons/ps-a", "/persons/ps-a/transfers", url.Values{"to_organisation": {"coop-aurora"}, "reason": {"trasloca"}})
		if status != http.StatusBadRequest || !strings.Contains(page, `data-testid="error-to_organisation"`) || !strings.Contains(page, `value="trasloca"`) {
			t.Errorf("refused transfer: status %d, want 400 with the organisation marked and the reason kept", status)
		}
		status, page = b.post("/persons/ps-a", "/persons/ps-a/transfers", url.Values{"to_organisation": {"coop-stella"}, "reason": {"trasloca a Torino"}})
		if status != http.StatusOK || !strings.Contains(page, "Richiesta di trasferimento inviata.") {
			t.Errorf("transfer: status %d", status)
		}
		_, page = b.get("/transfers")
		if !strings.Contains(page, "ps-t") || !strings.Contains(page, "moved to Rome") {
			t.Error("incoming transfers not listed")
		}
		status, page = b.post("/transfers", "/transfers/decide", url.Values{"pseudonym": {"ps-t"}, "transfer": {"t1"}, "decision": {"refuse"}})
		if status != http.StatusOK || !strings.Contains(page, "Trasferimento rifiutato.") {
			t.Errorf("refuse: status %d", status)
		}
	})

	t.Run("permit: pathway's refusal said in the page's language, by the field's label", func(t *testing.T) {
		b := r.browser(t)
		b.signIn("giulia.bianchi")
		refused := url.Values{"kind": {"study"}, "valid_from": {"2026-01-01"}, "valid_until": {"2020-01-01"}}
		status, page := b.post("/persons/ps-a", "/persons/ps-a/permits", refused)
		if status != http.StatusBadRequest || !strings.Contains(page, "Controlla i dati: il valore di «Valido fino al» non è accettato") || strings.Contains(page, "must be after") {
			t.Errorf("Italian page: status %d; want 400 naming the field by its label, in Italian", status)
		}
		// A field the page does not label: the service's words are all there is.
		status, page = b.post("/persons/ps-a", "/persons/ps-a/permits", url.Values{"kind": {"other"}, "valid_from": {"2026-01-01"}})
		if status != http.StatusBadRequest || !strings.Contains(page, "Controlla i dati: does not allow this permit") {
			t.Errorf("unlabelled field: status %d; want the service's message", status)
		}
		b.get("/lang/en?back=/persons/ps-a")
		status, page = b.post("/persons/ps-a", "/persons/ps-a/permits", refused)
		if status != http.StatusBadRequest || !strings.Contains(page, "Please check the data: the value of “Valid until” is not accepted") {
			t.Errorf("English page: status %d; want 400 naming the field by its label, in English", status)
		}
	})

	t.Run("monitoring: tables, charts and CSV with no cell under 5", func(t *testing.T) {
		b := r.browser(t)
		page := b.signIn("sofia.ricci")
		if !strings.Contains(page, `data-testid="indicators"`) || !strings.Contains(page, `<rect class="bar"`) || !strings.HasSuffix(strings.TrimSpace(page), "</html>") {
			t.Fatal("the monitoring officer does not land on the indicators")
		}
		if strings.Contains(page, ">3<") || !strings.Contains(page, ">8<") {
			t.Error("a count under 5 is shown, or the counts are missing")
		}
		if strings.Contains(page, "/persons") {
			t.Error("the indicators page links to a person's page")
		}
		resp, err := b.c.Get(r.url + "/monitoring/export?by=organisation&from=2026-01-01&to=2026-11-26")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if cd := resp.Header.Get("Content-Disposition"); resp.StatusCode != http.StatusOK || !strings.HasPrefix(cd, "attachment;") {
			t.Fatalf("export: status %d, Content-Disposition %q", resp.StatusCode, cd)
		}
		records, err := csv.NewReader(resp.Body).ReadAll()
		if err != nil || len(records) != 2 {
			t.Fatalf("export: %d records, %v", len(records), err)
		}
		for _, cell := range records[1][3:] {
			if n, err := strconv.Atoi(cell); err == nil && n < 5 {
				t.Errorf("the export has a cell of %d", n)
			}
		}
		status, page := b.get("/monitoring?by=organisation&from=2026-12-01&to=2026-01-01")
		if status != http.StatusBadRequest || !strings.Contains(page, `data-testid="error-to"`) {
			t.Errorf("a period ending before it starts: status %d, want 400 naming the end", status)
		}
	})

	t.Run("access", func(t *testing.T) {
		tests := []struct {
			user, method, path string
		}{
			{"sofia.ricci", "GET", "/persons"},
			{"sofia.ricci", "GET", "/persons/ps-a"},
			{"sofia.ricci", "GET", "/intake"},
			{"sofia.ricci", "GET", "/persons/ps-a/plan"},
			{"sofia.ricci", "GET", "/transfers"},
			{"sofia.ricci", "POST", "/persons/ps-a/personal"},
			{"sofia.ricci", "POST", "/intake"},
			{"giulia.bianchi", "GET", "/monitoring"},
			{"giulia.bianchi", "GET", "/monitoring/export"},
			{"maria.rossi", "GET", "/monitoring"},
			{"maria.rossi", "GET", "/intake"},
			{"maria.rossi", "POST", "/persons/ps-a/personal"},
			{"elena.ferri", "GET", "/monitoring/export"},
			{"elena.ferri", "GET", "/transfers"},
		}
		for _, tt := range tests {
			t.Run(tt.user+" "+tt.method+" "+tt.path, func(t *testing.T) {
				b := r.browser(t)
				b.signIn(tt.user)
				before := r.pathway.calls.Load()
				var status int
				var page string
				if tt.method == "GET" {
					status, page = b.get(tt.path)
				} else {
					// The form token of the user's own landing page: the role check is what refuses.
					status, page = b.post("/", tt.path, url.Values{"reason": {"curiosity"}})
				}
				if status != http.StatusForbidden || !strings.Contains(page, "Non hai accesso a questa pagina.") {
					t.Errorf("status %d, want 403", status)
				}
				if tt.method == "POST" && r.pathway.calls.Load() != before && strings.Contains(r.pathway.lastBody(), "curiosity") {
					t.Error("a refused post reached pathway")
				}
			})
		}
		for _, path := range []string{"/monitoring", "/monitoring/export", "/intake", "/transfers"} {
			if _, page := r.browser(t).get(path); !strings.Contains(page, `name="password"`) {
				t.Errorf("anonymous %s not sent to the sign-in page", path)
			}
		}
	})
}
