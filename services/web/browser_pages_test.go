package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/percorsi/percorsi/pkg/auth"
)

// evaluate runs a script on the page and returns its value.
func evaluate[T any](tb *tab, script string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](script))
	if err != nil {
		tb.screenshot("failed")
		tb.t.Fatalf("browser: %s: %v", script, err)
	}
	return v
}

// The teacher opens the class page from today's lessons: each person's
// rate, and who is below or close to the 70% threshold.
func TestBrowserClassPage(t *testing.T) {
	sys := whole(t)
	tb := newTab(t, sys.WebURL)
	tb.signIn("maria.rossi")
	tb.do(
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=lessons]`)),
		chromedp.Click(chromedp.CSS(`a.class-link[href="/classes/`+sys.Demo.ClassID+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=class]`)),
	)
	if body := tb.body(); !strings.Contains(body, "Soglia per l'ammissione: 70% delle ore") || !strings.Contains(body, sys.Demo.People[0].DisplayName) || !strings.Contains(body, "%") {
		t.Errorf("the class page lacks the threshold or the people's rates:\n%s", body)
	}
	rows := evaluate[int](tb, `document.querySelectorAll("[data-testid=class] tbody tr").length`)
	if rows != len(sys.Demo.People) {
		t.Errorf("the class page shows %d people, want %d", rows, len(sys.Demo.People))
	}
	tb.checkAccessibility()
	tb.screenshot("class")
	tb.signOut()

	// A trainer reaches the edition they teach and its registers.
	tb.signIn("franco.marino")
	tb.do(
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=editions]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=editions] a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=edition-lessons]`)),
	)
	if body := tb.body(); !strings.Contains(body, "Soglia per l'ammissione: 70% delle ore") {
		t.Errorf("the edition page lacks the threshold:\n%s", body)
	}
	tb.checkAccessibility()
	tb.screenshot("edition")
	tb.do(
		chromedp.Click(chromedp.CSS(`[data-testid=edition-lessons] a`)),
		chromedp.WaitVisible(chromedp.CSS("#register")),
	)
	tb.screenshot("training-register")
}

// A counsellor proposes a candidate for a vacancy, records the interview
// and starts the placement; the employer confirms it from the link, which
// opens nothing else and works once.
func TestBrowserPlacement(t *testing.T) {
	sys := whole(t)
	d := sys.Demo
	tb := newTab(t, sys.WebURL)
	tb.signIn("elena.ferri")
	tb.do(
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=vacancies]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=vacancies] a[href="/jobs/vacancies/`+d.Jobs.CookVacancyID+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=candidates]`)),
	)
	if body := tb.text(`[data-testid=candidates]`); !strings.Contains(body, "/100") || !strings.Contains(body, "Competenze") {
		t.Errorf("the ranking lacks scores and their reasons:\n%s", body)
	}
	// jobs says the reasons in the page's language.
	if body := tb.text(`[data-testid=candidates]`); !strings.Contains(body, "spostamento massimo") || strings.Contains(body, "maximum commute") {
		t.Errorf("the ranking's reasons are not in Italian:\n%s", body)
	}
	tb.checkAccessibility()
	tb.screenshot("ranking")

	// The best candidate not yet proposed (Amina K. was, by the demo).
	person := evaluate[string](tb, `(document.querySelector('[data-testid=candidates] form[action="/jobs/proposals"] input[name=person]') || {}).value || ""`)
	if person == "" {
		t.Fatal("nobody left to propose")
	}
	tb.do(
		chromedp.Click(chromedp.CSS(`li[data-person="`+person+`"] form button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=notice]`)),
	)
	if n := tb.text(`[data-testid=notice]`); n != "Candidatura proposta." {
		t.Errorf("after proposing the page says %q", n)
	}
	// The interview went well; then the placement starts today.
	mine := `[data-testid=proposals] li[data-person="` + person + `"] `
	tb.do(
		chromedp.SetValue(chromedp.CSS(mine+`select[name=outcome]`), "accepted"),
		chromedp.Click(chromedp.CSS(mine+`form[action$="/interview"] button`)),
		chromedp.WaitVisible(chromedp.CSS(mine+`[data-testid=start-placement]`)),
		chromedp.SendKeys(chromedp.CSS(mine+`input[name=allowance]`), "800"),
	)
	tb.checkAccessibility()
	tb.screenshot("interview-recorded")
	tb.do(
		chromedp.Click(chromedp.CSS(mine+`[data-testid=start-placement] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=employer-link]`)),
	)
	link, err := chromedp.Run(tb.ctx, chromedp.Value(chromedp.CSS(`[data-testid=employer-link]`)))
	if err != nil || !strings.HasPrefix(link, sys.WebURL+"/employer-links/") || !strings.Contains(link, "?token=") {
		t.Fatalf("employer link %q (%v)", link, err)
	}
	if status := tb.text(`[data-testid=placement-status]`); status != "in attesa della conferma del datore di lavoro" {
		t.Errorf("placement status %q", status)
	}
	tb.checkAccessibility()
	tb.screenshot("placement-started")

	// The employer, in a browser of its own, without an account.
	emp := newTab(t, sys.WebURL)
	emp.do(chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#confirm")))
	if body := emp.body(); strings.Contains(body, person) || !strings.Contains(body, "Conferma l'inizio") {
		t.Errorf("the employer's page shows a pseudonym or lacks its title:\n%s", body)
	}
	if links := evaluate[int](emp, `document.querySelectorAll('main a[href], nav').length`); links != 0 {
		t.Errorf("the employer's page links to %d other places", links)
	}
	emp.checkAccessibility()
	emp.screenshot("employer-link")
	emp.do(
		chromedp.Click(chromedp.CSS("#confirm button")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=employer-done]`)),
	)
	emp.screenshot("employer-confirmed")
	// Once only, and nothing else is reachable.
	emp.do(chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(`[data-testid=error]`)))
	if e := emp.text(`[data-testid=error]`); !strings.Contains(e, "già stato usato") {
		t.Errorf("the spent link says %q", e)
	}
	for _, path := range []string{"/jobs", "/jobs/vacancies/" + d.Jobs.CookVacancyID, "/housing", "/lessons", "/persons"} {
		emp.do(chromedp.Navigate(sys.WebURL+path), chromedp.WaitVisible(chromedp.CSS("#password")))
	}

	// The counsellor sees it confirmed.
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	placement := strings.TrimPrefix(u.Path, "/employer-links/")
	tb.do(chromedp.Navigate(sys.WebURL+"/jobs/placements/"+placement), chromedp.WaitVisible(chromedp.CSS(`[data-testid=placement-status]`)))
	if status := tb.text(`[data-testid=placement-status]`); status != "confermato dal datore di lavoro" {
		t.Errorf("after the employer confirmed, status %q", status)
	}
	tb.screenshot("placement-confirmed")

	// Later, the end: the counsellor issues the link that confirms it, and
	// the employer confirms the last day and why.
	tb.do(
		chromedp.Click(chromedp.CSS(`form[action$="/links"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=employer-link]`)),
	)
	endLink, err := chromedp.Run(tb.ctx, chromedp.Value(chromedp.CSS(`[data-testid=employer-link]`)))
	if err != nil || endLink == link {
		t.Fatalf("end link %q (%v)", endLink, err)
	}
	emp.do(chromedp.Navigate(endLink), chromedp.WaitVisible(chromedp.CSS("#reason")))
	emp.do(chromedp.SetValue(chromedp.CSS("#reason"), "hired"))
	emp.checkAccessibility()
	emp.screenshot("employer-end")
	emp.do(chromedp.Click(chromedp.CSS("#confirm button")), chromedp.WaitVisible(chromedp.CSS(`[data-testid=employer-done]`)))
	tb.do(chromedp.Navigate(sys.WebURL+"/jobs/placements/"+placement), chromedp.WaitVisible(chromedp.CSS(`[data-testid=placement-status]`)))
	if status := tb.text(`[data-testid=placement-status]`); status != "concluso" {
		t.Errorf("after the employer confirmed the end, status %q", status)
	}
}

// A housing worker reads the board and records a step.
func TestBrowserHousingStep(t *testing.T) {
	sys := whole(t)
	mariam := sys.Demo.People[3] // no housing step in the demo
	tb := newTab(t, sys.WebURL)
	tb.signIn("marta.gallo")
	tb.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid=board]`)))
	if board := tb.text(`[data-testid=board]`); !strings.Contains(board, "Casa rifugio") {
		t.Errorf("board: %s", board)
	}
	tb.checkAccessibility()
	tb.screenshot("board")
	tb.do(
		chromedp.SendKeys(chromedp.CSS("#pseudonym"), mariam.Pseudonym+"\r"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=steps]`)),
	)
	if evaluate[bool](tb, `!!document.querySelector("[data-testid=start-step]")`) {
		tb.do(
			chromedp.SetValue(chromedp.CSS("#start-kind"), "semi_autonomy_flat"),
			chromedp.SetValue(chromedp.CSS("#start-acc"), sys.Demo.Housing.FlatID),
		)
		tb.checkAccessibility()
		tb.screenshot("step-form")
		tb.do(chromedp.Click(chromedp.CSS(`[data-testid=start-step] button`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=notice]`)))
		if n := tb.text(`[data-testid=notice]`); n != "Percorso abitativo avviato." {
			t.Errorf("after starting the step the page says %q", n)
		}
	} else { // a run before started it: move on to the next step instead
		tb.do(chromedp.SetValue(chromedp.CSS("#move-kind"), "own_lease"), chromedp.SetValue(chromedp.CSS("#move-acc"), ""),
			chromedp.Click(chromedp.CSS(`[data-testid=move-step] button`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=notice]`)))
	}
	if step := tb.text(`[data-testid=open-step]`); step == "" {
		t.Error("no open step after recording it")
	}
	tb.checkAccessibility()
	tb.screenshot("step-recorded")

	// Amina K. was proposed a flat by the demo: her answer, then the lease.
	amina := sys.Demo.People[0].Pseudonym
	tb.do(chromedp.Navigate(sys.WebURL+"/housing/persons/"+amina), chromedp.WaitVisible(chromedp.CSS(`[data-testid=housing-proposals]`)))
	if m := tb.text(`[data-testid=matches]`); !strings.Contains(m, "Pigneto") {
		t.Errorf("offer matches: %q", m)
	}
	// housing says the reasons in the page's language.
	if m := tb.text(`[data-testid=matches]`); !strings.Contains(m, "al mese su un budget di") || strings.Contains(m, "a month on a budget of") {
		t.Errorf("the offer matches' reasons are not in Italian: %q", m)
	}
	if evaluate[bool](tb, `!!document.querySelector('[data-testid=housing-proposals] form[action$="/outcome"]')`) {
		tb.do(
			chromedp.SetValue(chromedp.CSS(`[data-testid=housing-proposals] select[name=outcome]`), "accepted"),
			chromedp.Click(chromedp.CSS(`[data-testid=housing-proposals] form[action$="/outcome"] button`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=housing-proposals] form[action$="/lease"]`)),
			chromedp.SendKeys(chromedp.CSS(`[data-testid=housing-proposals] input[name=rent]`), "450"),
		)
		tb.checkAccessibility()
		tb.screenshot("lease-form")
		tb.do(
			chromedp.Click(chromedp.CSS(`[data-testid=housing-proposals] form[action$="/lease"] button`)),
			chromedp.WaitNotPresent(chromedp.CSS(`[data-testid=housing-proposals] form[action$="/lease"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=notice]`)),
		)
		if n := tb.text(`[data-testid=notice]`); n != "Contratto registrato." {
			t.Errorf("after the lease the page says %q", n)
		}
		tb.screenshot("lease-recorded")
	}
}

// Each new page against the roles that must not reach it, and the
// services refusing the same calls on their own, by role and by scope.
func TestBrowserWorkAccess(t *testing.T) {
	sys := whole(t)
	d := sys.Demo
	amina := d.People[0].Pseudonym
	pages := []struct{ user, path string }{
		{"giulia.bianchi", "/classes/" + d.ClassID},
		{"elena.ferri", "/classes/" + d.ClassID},
		{"franco.marino", "/classes/" + d.ClassID},
		{"paolo.neri", "/classes/" + d.ClassID}, // not his class: refused by courses
		{"maria.rossi", "/editions/" + d.Training.EditionID},
		{"anna.conti", "/editions/" + d.Training.EditionID}, // another organisation's coordinator: refused by training
		{"maria.rossi", "/jobs"},
		{"giulia.bianchi", "/jobs/vacancies/" + d.Jobs.CookVacancyID},
		{"marta.gallo", "/jobs/placements/" + d.Jobs.PlacementID},
		{"gino.esposito", "/jobs/placements/" + d.Jobs.PlacementID},
		{"elena.ferri", "/housing"},
		{"giulia.bianchi", "/housing/persons/" + amina},
		{"gino.esposito", "/housing"},
		{"franco.marino", "/jobs/candidates/" + amina},
	}
	// One sign-in per user: each costs an argon2id hash.
	slices.SortStableFunc(pages, func(a, b struct{ user, path string }) int { return strings.Compare(a.user, b.user) })
	tb := newTab(t, sys.WebURL)
	signedIn := ""
	for _, p := range pages {
		if p.user != signedIn {
			if signedIn != "" {
				tb.signOut()
			}
			tb.signIn(p.user)
			signedIn = p.user
		}
		tb.do(chromedp.Navigate(sys.WebURL+p.path), chromedp.WaitVisible(chromedp.CSS("main")))
		if got := tb.text("main"); !strings.Contains(got, "Non hai accesso a questa pagina.") {
			t.Errorf("%s opened %s: %q", p.user, p.path, got)
			tb.screenshot("reached-" + p.user)
		}
	}
	tb.screenshot("refused")
	tb.signOut()

	// Another organisation's workers, as the services see them.
	stella := func(role auth.Role) string {
		tok, err := sys.Issuer.Issue(auth.Principal{Subject: "test-stella", Role: role, Organisation: "coop-stella"}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	apis := []struct{ who, token, url string }{
		{"teacher", d.Tokens["maria.rossi"], sys.JobsURL + "/v1/vacancies"},
		{"case worker", d.Tokens["giulia.bianchi"], sys.JobsURL + "/v1/vacancies/" + d.Jobs.CookVacancyID + "/candidates"},
		{"housing worker", d.Tokens["marta.gallo"], sys.JobsURL + "/v1/placements/" + d.Jobs.PlacementID},
		{"employer", d.Tokens["gino.esposito"], sys.JobsURL + "/v1/vacancies/" + d.Jobs.CookVacancyID + "/proposals"},
		{"another organisation's counsellor", stella(auth.Counsellor), sys.JobsURL + "/v1/placements/" + d.Jobs.PlacementID},
		{"another organisation's counsellor", stella(auth.Counsellor), sys.JobsURL + "/v1/profiles/" + amina},
		{"counsellor", d.Tokens["elena.ferri"], sys.HousingURL + "/v1/accommodations"},
		{"employer", d.Tokens["gino.esposito"], sys.HousingURL + "/v1/availability"},
		{"another organisation's housing worker", stella(auth.HousingWorker), sys.HousingURL + "/v1/accommodations/" + d.Housing.ProtectedShelterID},
		{"case worker", d.Tokens["giulia.bianchi"], sys.CoursesURL + "/v1/classes/" + d.ClassID + "/attendance"},
		{"another teacher", d.Tokens["paolo.neri"], sys.CoursesURL + "/v1/classes/" + d.ClassID + "/attendance"},
		{"trainer", d.Tokens["franco.marino"], sys.CoursesURL + "/v1/classes/" + d.ClassID + "/attendance"},
		{"teacher", d.Tokens["maria.rossi"], sys.TrainingURL + "/v1/editions/" + d.Training.EditionID},
		{"counsellor", d.Tokens["elena.ferri"], sys.TrainingURL + "/v1/editions/" + d.Training.EditionID},
	}
	for _, a := range apis {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, a.url, nil)
		req.Header.Set("Authorization", "Bearer "+a.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s GET %s: status %d, want 403", a.who, a.url, resp.StatusCode)
		}
	}
}
