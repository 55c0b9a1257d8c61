package web_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	pathwayv1 "github.com/percorsi/percorsi/proto/percorsi/pathway/v1"
)

// pathwayAnswers is the pathway fake of the case worker's and the
// monitoring officer's pages.
func pathwayAnswers() map[string]answer {
	person := `{"pseudonym":"ps-a","display_name":"Amina K.","organisation":"coop-aurora","territory":"RM","case_worker":"giulia.bianchi",
	 "since":"2026-08-01T00:00:00Z","programme":"art18","referral":"hotline",
	 "consents":[{"scope":"data_processing","given_at":"2026-08-01T09:00:00Z"}],
	 "plan":{"revision":2,"updated_at":"2026-11-01T10:00:00Z","updated_by":"giulia.bianchi","goals":[
	  {"id":"g1","domain":"work","title":"Tirocinio in cucina","target":"2027-03-31","follow_by":"elena.ferri","status":"open"},
	  {"id":"g2","domain":"italian","title":"Certificazione A2","target":"2027-01-31","status":"open"}]}}`
	aPerson := func(get func(proto.Message) string) answer {
		return func(req proto.Message) (string, error) {
			if get(req) != "ps-a" {
				return refuse(errcode.NotFound, "pseudonym", "no such person")
			}
			return `{"person":` + person + `}`, nil
		}
	}
	return map[string]answer{
		"Timeline": func(req proto.Message) (string, error) {
			r := req.(*pathwayv1.TimelineRequest)
			if r.Pseudonym != "ps-a" {
				return refuse(errcode.NotFound, "pseudonym", "no such person")
			}
			text := "Presente alla lezione di Italiano L2"
			if r.Lang == "en" {
				text = "Present at the Italian L2 lesson"
			}
			return `{"person":{"pseudonym":"ps-a","display_name":"Amina K.","organisation":"coop-aurora","programme":"art18","referral":"hotline",
			  "plan":{"revision":1,"goals":[{"id":"g1","domain":"work","title":"Tirocinio in cucina","status":"open"}]}},
			 "hours_by_course":{"italian_l2":2},"minutes_by_course":{"italian_l2":150},
			 "entries":[{"event_id":"e1","type":"AttendanceRecorded","occurred_at":"2026-11-25T08:00:00Z","text":"` + text + `"}]}`, nil
		},
		"Caseload": reply(`{"persons":[{"pseudonym":"ps-b","display_name":"Joy O.","programme":"art13","open_alerts":0},
		 {"pseudonym":"ps-a","display_name":"Amina K.","programme":"art18","stage":"learning","open_alerts":2,
		  "most_urgent_alert":"permit_without_grounds","permit_kind":"special_cases_art18","permit_until":"2027-02-10"}]}`),
		"GetPerson": aPerson(func(req proto.Message) string { return req.(*pathwayv1.GetPersonRequest).Pseudonym }),
		// Pathway says its reasons in the language web asks for.
		"Autonomy": func(req proto.Message) (string, error) {
			italian, legal := "Frequenta il corso di Italiano L2 (lezione del 01/09/2026)", "Permesso di soggiorno casi speciali (art. 18) valido fino al 10/02/2027"
			if req.(*pathwayv1.AutonomyRequest).Lang == "en" {
				italian, legal = "Attending the Italian L2 course (lesson of 01/09/2026)", "Residence permit special cases (art. 18) valid until 10/02/2027"
			}
			return `{"stage":"learning","index":0.25,"areas":[
			  {"area":"italian","status":"in_progress","since":"2026-09-01","why":"` + italian + `"},
			  {"area":"legal","status":"in_progress","since":"2026-08-10","why":"` + legal + `"},
			  {"area":"work","status":"none"}],
			 "history":[{"at":"2026-08-01T00:00:00Z","stage":"taken_in_charge","index":0},{"at":"2026-08-10T00:00:00Z","stage":"learning","index":0.08},
			  {"at":"2026-09-01T00:00:00Z","stage":"learning","index":0.17}],
			 "rules":{"italian_level":"a2","digital_level":2,"placement_months":3}}`, nil
		},
		"Legal": func(req proto.Message) (string, error) {
			grounds := "nessun inserimento confermato e nessuna iscrizione attiva"
			if req.(*pathwayv1.LegalRequest).Lang == "en" {
				grounds = "no confirmed placement and no active enrolment"
			}
			permit := `{"kind":"special_cases_art18","valid_from":"2026-08-10","valid_until":"` + time.Now().AddDate(0, 0, 40).Format(time.DateOnly) + `","may_work":true}`
			return `{"permits":[` + permit + `],"current":` + permit + `,"days_left":40,"convertible":false,"grounds":"` + grounds +
				`","check_from":"` + time.Now().AddDate(0, 0, -20).Format(time.DateOnly) + `"}`, nil
		},
		"ListAlerts": reply(`{"alerts":[
		 {"id":"inactivity:ps-a","kind":"inactivity","raised_at":"2026-10-01T00:00:00Z","resolved_at":"2026-10-05T00:00:00Z","resolved_by":"system"},
		 {"id":"permit_without_grounds:2027-02-10","kind":"permit_without_grounds","raised_at":"2026-11-20T00:00:00Z","due":"2027-02-10T00:00:00Z"}]}`),
		"ReadPersonal": func(req proto.Message) (string, error) {
			if req.(*pathwayv1.ReadPersonalRequest).Reason == "" {
				return refuse(errcode.Invalid, "reason", "is required")
			}
			return `{"pseudonym":"ps-a","personal":{"legal_name":"Amina Kareem","birth_date":"1999-04-02","languages":["english","edo"],
			 "documents":[{"kind":"passport","number":"NG1234567","expires_on":"2030-01-01"}]}}`, nil
		},
		"IncomingTransfers": reply(`{"transfers":[{"pseudonym":"ps-t","programme":"art18",
		 "transfer":{"id":"t1","from_organisation":"coop-stella","to_organisation":"coop-aurora","reason":"moved to Rome","status":"requested","requested_at":"2026-11-20T00:00:00Z"}}]}`),
		"Intake": func(req proto.Message) (string, error) {
			if req.(*pathwayv1.IntakeRequest).GetPersonal().GetLegalName() == "Rifiutata" {
				return refuse(errcode.Invalid, "personal.nationality", "is not a known nationality")
			}
			return `{"person":` + person + `}`, nil
		},
		"UpdatePlan": func(req proto.Message) (string, error) {
			for i, g := range req.(*pathwayv1.UpdatePlanRequest).Goals {
				if strings.Contains(g.Title, "Rifiutato") {
					return refuse(errcode.Invalid, fmt.Sprintf("goals[%d].title", i), "is too long")
				}
			}
			return `{"person":` + person + `}`, nil
		},
		"AlertAction": aPerson(func(req proto.Message) string { return req.(*pathwayv1.AlertActionRequest).Pseudonym }),
		"RecordPermit": func(req proto.Message) (string, error) {
			switch r := req.(*pathwayv1.RecordPermitRequest); {
			case r.ValidUntil == "2020-01-01":
				return refuse(errcode.Invalid, "valid_until", "must be after valid_from")
			case r.Kind == "other":
				return refuse(errcode.Invalid, "programme", "does not allow this permit") // a field the form does not have
			}
			return `{"person":` + person + `}`, nil
		},
		"RequestTransfer": func(req proto.Message) (string, error) {
			if req.(*pathwayv1.RequestTransferRequest).ToOrganisation == "coop-aurora" {
				return refuse(errcode.Invalid, "to_organisation", "is the organisation already in charge")
			}
			return `{"person":` + person + `}`, nil
		},
		"DecideTransfer": func(req proto.Message) (string, error) {
			r := req.(*pathwayv1.DecideTransferRequest)
			if r.Pseudonym != "ps-t" || r.TransferId != "t1" {
				return refuse(errcode.NotFound, "", "no such transfer")
			}
			return `{"pseudonym":"ps-t","transfer_id":"t1","status":"` + map[bool]string{true: "accepted", false: "refused"}[r.Accept] + `"}`, nil
		},
		// A 3 slipped through: web must suppress it all the same.
		"Monitoring": func(req proto.Message) (string, error) {
			r := req.(*pathwayv1.MonitoringRequest)
			return `{"by":"` + r.By + `","from":"` + r.From + `","to":"` + r.To + `","min_cell":5,"rows":[{"group":"coop-aurora","counts":{
			 "taken_in_charge":8,"enrolled":7,"certified":null,"qualified":null,"placed":3,"housed":null,"autonomous_exits":null}}]}`, nil
		},
	}
}

// newPathwayFake serves pathwayAnswers, admitting the case worker to
// pathway's RPCs and the monitoring officer to the indicators.
func newPathwayFake(t *testing.T) *rpcFake {
	f := newRPCFake(t, pathwayv1.File_percorsi_pathway_v1_pathway_service_proto.Services().Get(0), pathwayAnswers())
	f.only(auth.CaseWorker, "Caseload", "GetPerson", "Autonomy", "Legal", "ListAlerts", "ReadPersonal", "IncomingTransfers",
		"Intake", "UpdatePlan", "AlertAction", "RecordPermit", "RequestTransfer", "DecideTransfer")
	f.only(auth.Monitoring, "Monitoring")
	return f
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
		sent, _ := r.pathway.request("Intake").(*pathwayv1.IntakeRequest)
		if personal := sent.GetPersonal(); sent.GetDisplayName() != "Amina K." || personal.GetLegalName() != "Amina Kareem" || len(personal.GetLanguages()) != 2 ||
			len(personal.GetDocuments()) != 1 || len(sent.GetConsents()) != 2 {
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
		if got := r.pathway.request("ReadPersonal"); !proto.Equal(got, &pathwayv1.ReadPersonalRequest{Pseudonym: "ps-a", Reason: "rinnovo del permesso"}) {
			t.Errorf("pathway got %v, want the reason", got)
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
		sent := r.pathway.request("UpdatePlan").(*pathwayv1.UpdatePlanRequest).GetGoals()
		if len(sent) != 2 || sent[0].Status != "achieved" || sent[1].Domain != "housing" {
			t.Errorf("pathway got %v, want the two goals typed", sent)
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
		if status != http.StatusOK || !strings.Contains(page, "Avviso risolto.") || r.pathway.request("AlertAction").(*pathwayv1.AlertActionRequest).GetNote() != "appuntamento in questura" {
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
				if read, _ := r.pathway.request("ReadPersonal").(*pathwayv1.ReadPersonalRequest); tt.method == "POST" && r.pathway.calls.Load() != before && read.GetReason() == "curiosity" {
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
