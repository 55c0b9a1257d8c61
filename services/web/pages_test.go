package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	housingv1 "github.com/percorsi/percorsi/proto/percorsi/housing/v1"
	jobsv1 "github.com/percorsi/percorsi/proto/percorsi/jobs/v1"
)

// Fakes of training, jobs and housing for the pages of trainers,
// counsellors, employers and housing workers.

func trainingAnswers() map[string]answer {
	today := time.Now().UTC().Format(time.RFC3339)
	return map[string]answer{
		"ListEditions": reply(`{"editions":[{"id":"ed-1","course_id":"crs-1","start":"2026-10-01T00:00:00Z","end":"2099-01-01T00:00:00Z","roster":[{"person":"ps-a","display_name":"Amina K.","status":"enrolled"}]}]}`),
		"GetEdition": reply(`{"edition":{"id":"ed-1","roster":[
		  {"person":"ps-a","display_name":"Amina K.","status":"enrolled","minutes_attended":6000,"admitted":true},
		  {"person":"ps-b","display_name":"Joy O.","status":"enrolled","minutes_attended":600,"admitted":false}]},
		 "course":{"title":"Aiuto cuoco","min_attendance_bp":7000,"modules":[{"id":"igiene","hours":100}]},
		 "lessons":[{"id":"tr-1","edition_id":"ed-1","module_id":"igiene","start":"` + today + `","minutes":240}]}`),
		"GetLesson": reply(`{"lesson":{"id":"tr-1","edition_id":"ed-1","module_id":"igiene","start":"` + today + `","minutes":240},
		 "roster":[{"person":"ps-a","display_name":"Amina K.","status":"enrolled"}]}`),
		"RecordRegister": reply(`{"lesson_id":"tr-1","edition_id":"ed-1","created":true}`),
	}
}

// jobsMatch is a candidate's score as jobs explains it: in the language
// web asks for, the skills as their ESCO codes.
func jobsMatch(lang string) string {
	skills, italian := "richieste 2 su 2: esco:prepare-food (verificata), esco:food-hygiene (certificata)", "italiano B1; minimo richiesto A2"
	if lang == "en" {
		skills, italian = "required 2 of 2: esco:prepare-food (assessed), esco:food-hygiene (certified)", "Italian B1; minimum A2"
	}
	return `{"score":87,"parts":[{"part":"skills","points":36,"max":40,"reason":"` + skills + `"},{"part":"language","points":15,"max":15,"reason":"` + italian + `"}]}`
}

// jobsState is what the jobs fake remembers between calls.
var jobsState = struct {
	sync.Mutex
	proposed, confirmed bool
}{}

func jobsAnswers() map[string]answer {
	placement := `{"id":"pl-1","person":"ps-a","display_name":"Amina K.","vacancy_id":"vac-1","title":"Aiuto cuoco","contract":"internship","starts_on":"2026-11-26","weekly_hours":30,"status":"awaiting_confirmation","confirm":"start"}`
	return map[string]answer{
		"ListVacancies": reply(`{"vacancies":[{"id":"vac-1","title":"Aiuto cuoco","contract":"internship","weekly_hours":30,"positions":2,"closes_on":"2026-12-06","shift":"morning"}]}`),
		"RankCandidates": func(req proto.Message) (string, error) {
			if r := req.(*jobsv1.RankCandidatesRequest); r.Limit < 1 || r.Limit > 200 {
				return refuse(errcode.Invalid, "limit", "must be 1 to 200")
			}
			return `{"vacancy":{"id":"vac-1","title":"Aiuto cuoco","contract":"internship","weekly_hours":30,"positions":2,"shift":"morning"},
			 "candidates":[{"person":"ps-a","display_name":"Amina K.","match":` + jobsMatch(req.(*jobsv1.RankCandidatesRequest).Lang) + `}],
			 "considered":8,"eligible":5,"excluded_by":{"work_permit":2}}`, nil
		},
		"GetProfile": reply(`{"profile":{"person":"ps-a","display_name":"Amina K.","skills":[{"code":"esco:prepare-food","evidence":"assessed"}],
		 "italian_level":"a2","permit":{"known":true,"may_work":true,"valid_until":"2027-02-10"}}}`),
		"RankVacancies": func(req proto.Message) (string, error) {
			if r := req.(*jobsv1.RankVacanciesRequest); r.Limit < 1 || r.Limit > 200 {
				return refuse(errcode.Invalid, "limit", "must be 1 to 200")
			}
			return `{"vacancies":[{"vacancy":{"id":"vac-1","title":"Aiuto cuoco","contract":"internship","weekly_hours":30,"positions":2,"shift":"morning"},
			 "match":` + jobsMatch(req.(*jobsv1.RankVacanciesRequest).Lang) + `}]}`, nil
		},
		"ListProposals": func(proto.Message) (string, error) {
			jobsState.Lock()
			defer jobsState.Unlock()
			if !jobsState.proposed {
				return `{"proposals":[]}`, nil
			}
			return `{"proposals":[{"id":"prop-1","person":"ps-a","vacancy_id":"vac-1","score":87,"status":"accepted"}]}`, nil
		},
		"Propose": func(proto.Message) (string, error) {
			jobsState.Lock()
			jobsState.proposed = true
			jobsState.Unlock()
			return `{"proposal":{"id":"prop-1","person":"ps-a","vacancy_id":"vac-1","score":87,"status":"proposed"}}`, nil
		},
		"StartPlacement": func(req proto.Message) (string, error) {
			if req.(*jobsv1.StartPlacementRequest).ProposalId != "prop-1" {
				return refuse(errcode.NotFound, "", "no such proposal")
			}
			return `{"placement":` + placement + `,"employer_link":"/v1/employer-links/pl-1?token=tok-1"}`, nil
		},
		"ListPlacements": reply(`{"placements":[` + placement + `]}`),
		"GetPlacement": func(req proto.Message) (string, error) {
			if req.(*jobsv1.GetPlacementRequest).Id != "pl-1" {
				return refuse(errcode.NotFound, "", "no such placement")
			}
			return `{"placement":` + placement + `}`, nil
		},
		"LinkView": func(req proto.Message) (string, error) {
			if r := req.(*jobsv1.LinkViewRequest); r.PlacementId != "pl-1" || r.Token != "tok-1" {
				return refuse(errcode.Forbidden, "token", "not valid")
			}
			return `{"placement":` + strings.Replace(placement, `"person":"ps-a",`, "", 1) + `}`, nil
		},
		"ConfirmByLink": func(req proto.Message) (string, error) {
			jobsState.Lock()
			defer jobsState.Unlock()
			switch r := req.(*jobsv1.ConfirmByLinkRequest); {
			case r.PlacementId != "pl-1" || r.Token != "tok-1":
				return refuse(errcode.Forbidden, "token", "not valid")
			case jobsState.confirmed:
				return refuse(errcode.Conflict, "token", "already used")
			}
			jobsState.confirmed = true
			return `{"status":"confirmed"}`, nil
		},
	}
}

// housingAnswers is the housing fake. Its monitoring figures have some
// cells shown, one suppressed by housing, and a 3 that slipped through,
// which web must suppress all the same.
func housingAnswers() map[string]answer {
	offer := `{"id":"of-1","source":"landlord","monthly_rent_cents":45000,"territory":"RM","area":"Roma - Pigneto","places":1,"available_from":"2026-12-01","status":"open"}`
	return map[string]answer{
		"Indicators": reply(`{"min_cell":5,"cells":[
		 {"indicator":"housed_now","group":"protected_shelter","people":6,"value":6},
		 {"indicator":"housed_now","group":"semi_autonomy_flat","suppressed":true},
		 {"indicator":"exits","group":"homeless","people":3,"value":3},
		 {"indicator":"median_stay_days","group":"protected_shelter","people":7,"value":120}]}`),
		"Board": reply(`{"rows":[{"territory":"RM","kind":"protected_shelter","accommodations":1,"places":6,"free":4}]}`),
		"ListAccommodations": reply(`{"accommodations":[{"id":"acc-1","name":"Casa rifugio Aurora","kind":"protected_shelter","territory":"RM","capacity":6,"occupied":2,"free":4,
		 "open_steps":[{"id":"st-1","person":"ps-a","kind":"protected_shelter","start":"2026-02-01"}]}]}`),
		"ListOffers": reply(`{"offers":[` + offer + `]}`),
		"PersonHousing": func(req proto.Message) (string, error) {
			if req.(*housingv1.PersonHousingRequest).Id != "ps-a" {
				return refuse(errcode.NotFound, "", "no such person")
			}
			return `{"person":"ps-a","steps":[{"id":"st-1","person":"ps-a","kind":"protected_shelter","accommodation_id":"acc-1","start":"2026-02-01"}],"proposals":[]}`, nil
		},
		"OfferMatches": func(req proto.Message) (string, error) {
			reasons := `"affitto 450,00 € al mese su un budget di 655,00 €","ospita 1 persona, il nucleo familiare è di 1 persona","nella zona di lavoro (Roma - Pigneto)"`
			if req.(*housingv1.OfferMatchesRequest).Lang == "en" {
				reasons = `"rent €450.00 a month on a budget of €655.00","houses 1 person, the household is 1 person","in the area of work (Roma - Pigneto)"`
			}
			return `{"budget_cents":65500,"matches":[{"offer":` + offer + `,"score":1.3,"reasons":[` + reasons + `]}]}`, nil
		},
		"MoveStep": func(req proto.Message) (string, error) {
			if req.(*housingv1.MoveStepRequest).From != "st-1" {
				return refuse(errcode.NotFound, "", "no such step")
			}
			return `{"step":{"id":"st-2"}}`, nil
		},
		"EndStep": func(proto.Message) (string, error) {
			return refuse(errcode.Invalid, "destination", "is not a known destination")
		},
	}
}

// testWorkPages runs within TestWeb, on its rig: one embedded stack is
// enough for both.
func testWorkPages(t *testing.T, r *rig) {

	t.Run("readiness does not wait for Kafka", func(t *testing.T) {
		status, page := r.browser(t).get("/readyz")
		if status != http.StatusOK || strings.Contains(page, "kafka") || !strings.Contains(page, "mongodb") {
			t.Errorf("readyz: %d %s, want 200 checking MongoDB only", status, page)
		}
	})

	t.Run("every service's breaker is in the metrics", func(t *testing.T) {
		m := metrics(t, r)
		for _, s := range []string{"courses", "pathway", "training", "jobs", "housing"} {
			if !strings.Contains(m, `percorsi_breaker_state{breaker="web_`+s+`"}`) {
				t.Errorf("no breaker state of %s", s)
			}
		}
	})

	t.Run("the class page ranks who is below and close to the threshold", func(t *testing.T) {
		b := r.browser(t)
		b.signIn("maria.rossi")
		status, page := b.get("/classes/cl-1")
		if status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
		below, near, ok := strings.Index(page, "Blessing E."), strings.Index(page, "Joy O."), strings.Index(page, "Amina K.")
		if !strings.Contains(page, "Soglia per l&#39;ammissione: 70% delle ore") || !strings.Contains(page, "Sotto la soglia: 1 · vicino alla soglia: 1") ||
			below < 0 || below > near || near > ok || !strings.Contains(page, "60%") || !strings.Contains(page, "3 h 30 min su 4 h") || strings.Contains(page, "Gone W.") {
			t.Errorf("class page:\n%s", page)
		}
	})

	t.Run("a trainer opens today's lesson and the edition", func(t *testing.T) {
		b := r.browser(t)
		b.signIn("franco.marino")
		if status, page := b.get("/lessons"); status != http.StatusOK || !strings.Contains(page, `href="/lessons/tr-1"`) || !strings.Contains(page, `href="/editions/ed-1"`) {
			t.Fatalf("lessons: %d\n%s", status, page)
		}
		if status, page := b.get("/editions/ed-1"); status != http.StatusOK || !strings.Contains(page, "Joy O.") || !strings.Contains(page, "Sotto la soglia") {
			t.Errorf("edition: %d\n%s", status, page)
		}
		status, page := b.post("/lessons/tr-1", "/lessons/tr-1/register", url.Values{"person": {"ps-a"}, "status-ps-a": {"present"}})
		if status != http.StatusOK || !strings.Contains(page, "Registro salvato.") {
			t.Errorf("register: %d", status)
		}
		r.training.mu.Lock()
		who := r.training.who
		r.training.mu.Unlock()
		if who.Role != auth.Trainer {
			t.Errorf("training was called as %+v", who)
		}
	})

	t.Run("a counsellor proposes, starts a placement and gets the employer's link", func(t *testing.T) {
		b := r.browser(t)
		b.signIn("elena.ferri")
		status, page := b.get("/jobs/vacancies/vac-1")
		if status != http.StatusOK || !strings.Contains(page, "87/100") || !strings.Contains(page, "richieste 2 su 2: esco:prepare-food (verificata)") {
			t.Fatalf("vacancy: %d\n%s", status, page)
		}
		if status, page := b.post("/jobs/vacancies/vac-1", "/jobs/proposals", url.Values{"vacancy": {"vac-1"}, "person": {"ps-a"}}); status != http.StatusOK || !strings.Contains(page, "Candidatura proposta.") {
			t.Fatalf("propose: %d", status)
		}
		status, page = b.post("/jobs/vacancies/vac-1", "/jobs/proposals/prop-1/placement", url.Values{
			"vacancy": {"vac-1"}, "starts_on": {"2026-11-26"}, "weekly_hours": {"30"}, "allowance": {"800"}, "duration_months": {"6"},
		})
		if status != http.StatusCreated || !strings.Contains(page, "/employer-links/pl-1?token=tok-1") {
			t.Fatalf("start: %d\n%s", status, page)
		}
		if terms, _ := r.jobs.request("StartPlacement").(*jobsv1.StartPlacementRequest); terms.GetMonthlyAllowanceCents() != 80000 || terms.GetWeeklyHours() != 30 {
			t.Errorf("jobs got %v", terms)
		}
	})

	t.Run("the counsellor's pages say jobs' reasons in the page's language", func(t *testing.T) {
		b := r.browser(t)
		b.signIn("elena.ferri")
		want := map[string][]string{
			"it": {"Competenze 36/40", "richieste 2 su 2: esco:prepare-food (verificata), esco:food-hygiene (certificata)", "Lingua 15/15", "italiano B1; minimo richiesto A2"},
			"en": {"Skills 36/40", "required 2 of 2: esco:prepare-food (assessed), esco:food-hygiene (certified)", "Language 15/15", "Italian B1; minimum A2"},
		}
		for _, lang := range []string{"it", "en"} {
			other := map[string]string{"it": "en", "en": "it"}[lang]
			b.get("/lang/" + lang)
			for _, path := range []string{"/jobs/vacancies/vac-1", "/jobs/candidates/ps-a"} {
				status, page := b.get(path)
				text := visible(page)
				if status != http.StatusOK || !strings.Contains(page, `<html lang="`+lang+`">`) {
					t.Errorf("%s in %s: %d", path, lang, status)
				}
				for _, s := range want[lang] {
					if !strings.Contains(text, s) {
						t.Errorf("%s in %s lacks %q", path, lang, s)
					}
				}
				for _, s := range []string{want[other][1], want[other][3]} { // the reasons
					if strings.Contains(text, s) {
						t.Errorf("%s in %s shows %q", path, lang, s)
					}
				}
			}
		}
	})

	t.Run("the employer's link: a GET never confirms, a forged form is refused, once only", func(t *testing.T) {
		b := r.browser(t)
		before := r.jobs.calls.Load()
		status, page := b.get("/employer-links/pl-1?token=tok-1")
		if status != http.StatusOK || !strings.Contains(page, "Amina K.") || strings.Contains(page, "ps-a") || strings.Contains(page, `href="/jobs`) || strings.Contains(page, "<nav") {
			t.Fatalf("link page: %d\n%s", status, page)
		}
		if got := r.jobs.calls.Load() - before; got != 1 {
			t.Errorf("opening the link made %d calls, want the one view", got)
		}
		if status, _ := b.get("/employer-links/pl-1?token=forged"); status != http.StatusForbidden {
			t.Errorf("a forged token: %d, want 403", status)
		}
		form := url.Values{"token": {"tok-1"}, "purpose": {"start"}, "on": {"2026-11-26"}, "weekly_hours": {"30"}}
		forged := url.Values{"csrf": {"forged"}}
		for k, v := range form {
			forged[k] = v
		}
		before = r.jobs.calls.Load()
		if status, _ := b.post("", "/employer-links/pl-1", forged); status != http.StatusForbidden || r.jobs.calls.Load() != before {
			t.Errorf("a forged form: %d, %d calls; want 403 and none", status, r.jobs.calls.Load()-before)
		}
		if status, page := b.post("/employer-links/pl-1?token=tok-1", "/employer-links/pl-1", form); status != http.StatusOK || !strings.Contains(page, "Grazie: conferma registrata.") {
			t.Errorf("confirm: %d\n%s", status, page)
		}
		if status, page := b.post("/signin", "/employer-links/pl-1", form); status != http.StatusConflict || !strings.Contains(page, "già stato usato") {
			t.Errorf("second confirmation: %d", status)
		}
	})

	t.Run("a housing worker sees the board and moves a person; a refused end names the field", func(t *testing.T) {
		b := r.browser(t)
		b.signIn("marta.gallo")
		if status, page := b.get("/housing"); status != http.StatusOK || !strings.Contains(page, "Casa rifugio Aurora") || !strings.Contains(page, "450,00 €") {
			t.Fatalf("housing: %d\n%s", status, page)
		}
		from := "/housing/persons/ps-a"
		if status, page := b.post(from, "/housing/steps/st-1/move", url.Values{"person": {"ps-a"}, "kind": {"semi_autonomy_flat"}, "start": {"2026-11-26"}}); status != http.StatusOK || !strings.Contains(page, "Passaggio registrato.") {
			t.Errorf("move: %d", status)
		}
		if status, page := b.post(from, "/housing/steps/st-1/end", url.Values{"person": {"ps-a"}, "end": {"2026-11-26"}, "reason": {"other"}, "destination": {"moon"}}); status != http.StatusBadRequest ||
			!strings.Contains(page, "Controlla i dati: il valore di «Dove va la persona» non è accettato") || strings.Contains(page, "is not a known destination") {
			t.Errorf("end: %d; want 400 naming the field by the page's label, in Italian", status)
		}
	})

	t.Run("a person's housing page says housing's reasons in the page's language", func(t *testing.T) {
		b := r.browser(t)
		b.signIn("marta.gallo")
		want := map[string][]string{
			"it": {"Alloggi adatti", "affitto 450,00 € al mese su un budget di 655,00 €", "ospita 1 persona, il nucleo familiare è di 1 persona", "nella zona di lavoro (Roma - Pigneto)"},
			"en": {"Suitable offers", "rent €450.00 a month on a budget of €655.00", "houses 1 person, the household is 1 person", "in the area of work (Roma - Pigneto)"},
		}
		for _, lang := range []string{"it", "en"} {
			other := map[string]string{"it": "en", "en": "it"}[lang]
			b.get("/lang/" + lang)
			status, page := b.get("/housing/persons/ps-a")
			text := visible(page)
			if status != http.StatusOK || !strings.Contains(page, `<html lang="`+lang+`">`) {
				t.Errorf("in %s: %d", lang, status)
			}
			for _, s := range want[lang] {
				if !strings.Contains(text, s) {
					t.Errorf("in %s lacks %q", lang, s)
				}
			}
			for _, s := range want[other] {
				if strings.Contains(text, s) {
					t.Errorf("in %s shows %q", lang, s)
				}
			}
		}
	})

	t.Run("access to the new pages", func(t *testing.T) {
		refused := map[string][]string{
			"giulia.bianchi": {"/classes/cl-1", "/jobs/vacancies/vac-1", "/housing/persons/ps-a"},
			"elena.ferri":    {"/classes/cl-1", "/housing"},
			"franco.marino":  {"/classes/cl-1"},
			"maria.rossi":    {"/editions/ed-1", "/jobs", "/housing"},
			"marta.gallo":    {"/editions/ed-1", "/jobs/placements/pl-1"},
			"gino.esposito":  {"/jobs", "/housing"},
		}
		for user, paths := range refused {
			b := r.browser(t)
			b.signIn(user)
			for _, path := range paths {
				if status, _ := b.get(path); status != http.StatusForbidden {
					t.Errorf("%s GET %s: %d, want 403", user, path, status)
				}
			}
		}
		for _, path := range []string{"/jobs", "/housing", "/classes/cl-1", "/editions/ed-1"} {
			if _, page := r.browser(t).get(path); !strings.Contains(page, `name="password"`) {
				t.Errorf("signed out, %s does not lead to the sign-in", path)
			}
		}
	})
}
