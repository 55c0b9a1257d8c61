package web_test

import (
	"encoding/csv"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// The case worker opens her caseload, takes a person in charge through the
// intake form (first sent half-filled: every problem is named), reads the
// new person's personal data with a reason, and sees a pathway page with
// the autonomy chart and its table.
func TestBrowserCaseWorker(t *testing.T) {
	sys := whole(t)
	amina := sys.Demo.People[0]
	tb := newTab(t, sys.WebURL)

	tb.signIn("giulia.bianchi")
	tb.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid=caseload]`)))
	if got := tb.text(`[data-testid=caseload]`); !strings.Contains(got, amina.DisplayName) {
		t.Errorf("the caseload lacks %s: %q", amina.DisplayName, got)
	}
	tb.checkAccessibility()
	tb.screenshot("caseload")

	tb.do(
		chromedp.Click(chromedp.CSS(`nav a[href="/intake"]`)),
		chromedp.WaitVisible(chromedp.CSS("#f-display_name")),
		chromedp.SendKeys(chromedp.CSS("#f-display_name"), "Precious I."),
		chromedp.Click(chromedp.CSS("button.big")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=error-summary]`)),
	)
	for _, field := range []string{"programme", "referral", "legal_name", "consents"} {
		shown, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](`document.querySelector("[data-testid=error-`+field+`]") !== null`))
		if err != nil || !shown {
			t.Errorf("no error shown on %s (%v)", field, err)
		}
	}
	tb.checkAccessibility()
	tb.screenshot("intake-errors")
	tb.do(
		chromedp.SetValue(chromedp.CSS("#f-programme"), "art18"),
		chromedp.SetValue(chromedp.CSS("#f-referral"), "contact_unit"),
		chromedp.SendKeys(chromedp.CSS("#f-territory"), "RM"),
		chromedp.SendKeys(chromedp.CSS("#f-legal_name"), "Precious Idahosa"),
		chromedp.SetValue(chromedp.CSS("#f-birth_date"), "1998-05-14"),
		chromedp.SendKeys(chromedp.CSS("#f-languages"), "English, Edo"),
		chromedp.SetValue(chromedp.CSS("#f-doc_kind"), "passport"),
		chromedp.SendKeys(chromedp.CSS("#f-doc_number"), "A00000000"),
		chromedp.Click(chromedp.CSS("#consent-data_processing")),
		chromedp.Click(chromedp.CSS("button.big")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=notice]`)),
	)
	if h1 := tb.text("h1"); h1 != "Precious I." {
		t.Errorf("after the intake the page is titled %q", h1)
	}
	if body := tb.body(); strings.Contains(body, "Precious Idahosa") || strings.Contains(body, "A00000000") {
		t.Error("the pathway page shows personal data without an audited read")
	}
	tb.screenshot("taken-in-charge")
	tb.do(
		chromedp.SendKeys(chromedp.CSS("#personal-reason"), "verifica dei documenti per la questura\r"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=personal]`)),
	)
	if got := tb.text(`main`); !strings.Contains(got, "Precious Idahosa") || !strings.Contains(got, "A00000000") {
		t.Errorf("the audited read does not show the data: %q", got)
	}
	tb.checkAccessibility()
	tb.screenshot("personal")

	// Amina's pathway: registers, a permit and a plan make the chart.
	tb.do(
		chromedp.Navigate(sys.WebURL+"/persons/"+amina.Pseudonym),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=autonomy-chart]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=autonomy-table]`)),
	)
	if got := tb.text(`[data-testid=plan]`); !strings.Contains(got, "Certificazione di italiano A2") {
		t.Errorf("the plan reads %q", got)
	}
	if got := tb.text(`[data-testid=permit]`); !strings.Contains(got, "Casi speciali (art. 18)") {
		t.Errorf("the permit reads %q", got)
	}
	if got := tb.text(`[data-testid=days-left]`); !strings.Contains(got, "giorni alla scadenza") {
		t.Errorf("the permit's expiry reads %q", got)
	}
	tb.checkAccessibility()
	tb.screenshot("pathway-chart")
}

// A monitoring officer reads the indicators and downloads them as CSV: the
// file arrives, and no cell of it counts fewer than five people.
func TestBrowserMonitoringExport(t *testing.T) {
	sys := whole(t)
	tb := newTab(t, sys.WebURL)
	tb.signIn("sofia.ricci")
	tb.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid=indicators]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=indicator-chart]`)))
	if got := tb.text(`[data-testid=indicators]`); !strings.Contains(got, "coop-aurora") {
		t.Errorf("the indicators lack coop-aurora: %q", got)
	}
	tb.checkAccessibility()
	tb.screenshot("indicators")

	dir := t.TempDir()
	done := make(chan string, 1)
	if err := chromedp.ListenBrowser(tb.ctx, func(ev any) {
		if e, ok := ev.(*cdpbrowser.EventDownloadProgress); ok && e.State == cdpbrowser.DownloadProgressStateCompleted {
			select {
			case done <- e.GUID:
			default:
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	events := true
	if _, err := chromedp.CallBrowser(tb.ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &events,
	}); err != nil {
		t.Fatal(err)
	}
	tb.do(chromedp.Click(chromedp.CSS(`[data-testid=export]`)))
	var guid string
	select {
	case guid = <-done:
	case <-time.After(30 * time.Second):
		tb.screenshot("no-download")
		t.Fatal("the CSV never downloaded")
	}
	f, err := os.Open(filepath.Join(dir, guid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil || len(records) < 2 {
		t.Fatalf("the CSV has %d records (%v)", len(records), err)
	}
	if records[0][0] != "organisation" || !strings.Contains(strings.Join(records[0], ","), "taken_in_charge") {
		t.Errorf("the CSV's header is %v", records[0])
	}
	counted := 0
	for _, rec := range records[1:] {
		for _, cell := range rec[3:] {
			n, err := strconv.Atoi(cell)
			switch {
			case err == nil && n < 5:
				t.Errorf("the CSV has a cell of %d in %v", n, rec)
			case err == nil:
				counted++
			case cell != "<5":
				t.Errorf("the CSV has a cell %q", cell)
			}
		}
	}
	if counted == 0 {
		t.Error("every cell of the CSV is suppressed: the demo should count its eight people")
	}
	tb.screenshot("exported")
}

// Every role against the case worker's and the monitoring officer's pages,
// and the services' own refusals of the same.
func TestBrowserCaseAccess(t *testing.T) {
	sys := whole(t)
	amina := sys.Demo.People[0].Pseudonym
	refused := map[string][]string{
		"maria.rossi":    {"/intake", "/transfers", "/monitoring", "/monitoring/export", "/persons/" + amina + "/plan"},
		"anna.conti":     {"/intake", "/monitoring"},
		"franco.marino":  {"/intake", "/transfers", "/monitoring"},
		"elena.ferri":    {"/intake", "/transfers", "/monitoring/export"},
		"gino.esposito":  {"/intake", "/transfers", "/monitoring"},
		"marta.gallo":    {"/intake", "/monitoring"},
		"giulia.bianchi": {"/monitoring", "/monitoring/export"},
		"luca.verdi":     {"/persons/" + amina + "/plan"}, // another organisation's: refused by pathway
		"sofia.ricci":    {"/persons", "/intake", "/persons/" + amina, "/persons/" + amina + "/plan", "/transfers"},
	}
	tb := newTab(t, sys.WebURL)
	for user, paths := range refused {
		tb.signIn(user)
		for _, path := range paths {
			tb.do(chromedp.Navigate(sys.WebURL+path), chromedp.WaitVisible(chromedp.CSS("main")))
			if got := tb.text("main"); !strings.Contains(got, "Non hai accesso a questa pagina.") {
				t.Errorf("%s opened %s: %q", user, path, got)
				tb.screenshot("reached-" + user)
			}
		}
		tb.signOut()
	}
	for _, path := range []string{"/intake", "/transfers", "/monitoring", "/monitoring/export"} {
		tb.do(chromedp.Navigate(sys.WebURL+path), chromedp.WaitVisible(chromedp.CSS("#password")))
	}
	tb.screenshot("signed-out")

	indicators := sys.PathwayURL + "/v1/monitoring/indicators?by=organisation&from=2026-01-01&to=2027-01-01"
	apis := []struct{ user, method, url string }{
		{"giulia.bianchi", "GET", indicators},
		{"maria.rossi", "GET", indicators},
		{"elena.ferri", "GET", indicators},
		{"sofia.ricci", "GET", sys.PathwayURL + "/v1/persons/" + amina + "/timeline"},
		{"sofia.ricci", "POST", sys.PathwayURL + "/v1/persons/" + amina + "/personal/read"},
		{"sofia.ricci", "GET", sys.PathwayURL + "/v1/persons/" + amina + "/autonomy"},
		{"sofia.ricci", "GET", sys.PathwayURL + "/v1/transfers/incoming"},
		{"sofia.ricci", "POST", sys.PathwayURL + "/v1/persons"},
		{"maria.rossi", "POST", sys.PathwayURL + "/v1/persons"},
		{"luca.verdi", "POST", sys.PathwayURL + "/v1/persons/" + amina + "/personal/read"},
	}
	for _, a := range apis {
		body := `{}`
		if strings.HasSuffix(a.url, "/personal/read") {
			body = `{"reason":"curiosity"}`
		}
		req, _ := http.NewRequestWithContext(t.Context(), a.method, a.url, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+sys.Demo.Tokens[a.user])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s %s %s: status %d, want 403", a.user, a.method, a.url, resp.StatusCode)
		}
	}
}
