package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/percorsi/percorsi/deploy/allinone"
	"github.com/percorsi/percorsi/pkg/process"
	"github.com/percorsi/percorsi/services/web"
	"github.com/percorsi/percorsi/services/web/clients"
)

// The browser tests drive Debian's chromium against the whole system,
// started in-process on random ports with its demo data.

// chromiumPath returns the browser to drive. Under CI a missing browser
// fails the test: .ci/run installs it, and a silent skip would hide that
// nothing was tested.
func chromiumPath(t *testing.T) string {
	t.Helper()
	path := os.Getenv("CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium is missing at %s (set CHROMIUM, or apt-get install chromium): the browser tests cannot run: %v", path, err)
		}
		t.Skipf("skipping the browser test: chromium is missing at %s (apt-get install chromium; under CI=true this fails)", path)
	}
	return path
}

// browserResilience lets the whole system answer slowly (the race
// detector, two cores) and still opens the breaker within the test.
var browserResilience = clients.Resilience{Timeout: 10 * time.Second, Attempts: 2, Pause: 50 * time.Millisecond, BreakerOpen: 2 * time.Second}

var (
	systemOnce sync.Once
	system     *allinone.System
	systemDir  string // its data, with the signing key web shares
	systemErr  error
)

// whole returns the system shared by the browser tests, started on first use.
func whole(t *testing.T) *allinone.System {
	t.Helper()
	systemOnce.Do(func() {
		systemDir, systemErr = os.MkdirTemp("", "percorsi-web-e2e-")
		if systemErr != nil {
			return
		}
		// About a second on an idle machine; over two minutes were seen
		// under the race detector with both cores loaded by other runs.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		system, systemErr = allinone.Start(ctx, allinone.Config{Dir: systemDir, Demo: true, NoTableScan: true, WebResilience: browserResilience})
	})
	if systemErr != nil {
		t.Fatalf("start the system: %v", systemErr)
	}
	return system
}

func TestMain(m *testing.M) {
	code := m.Run()
	if system != nil {
		if err := system.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "closing the system:", err)
			code = 1
		}
	}
	if systemDir != "" {
		os.RemoveAll(systemDir)
	}
	os.Exit(code)
}

// tab is one browser with a fresh profile, sized as a tablet in portrait.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
	shot int
}

func newTab(t *testing.T, base string) *tab {
	t.Helper()
	path := chromiumPath(t)
	alloc, cancelAlloc := chromedp.NewExecAllocator(t.Context(),
		chromedp.ExecPath(path),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(820, 1180),
		// An Italian tablet: the pages follow the browser's language.
		chromedp.Flag("lang", "it-IT"),
		chromedp.Flag("accept-lang", "it-IT,it"),
	)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first run starts the browser, which lives as long as that run's
	// context: so it gets the tab's context itself, without a timeout.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(820, 1180, chromedp.EmulateTouch)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return &tab{t: t, ctx: ctx, base: base}
}

func (tb *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.screenshot("failed")
		tb.t.Fatalf("browser: %v", err)
	}
}

func (tb *tab) text(sel string) string {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		tb.screenshot("failed")
		tb.t.Fatalf("browser: text of %s: %v", sel, err)
	}
	return s
}

func (tb *tab) body() string { return tb.text("body") }

// visible says whether the page has an element matching sel now.
func (tb *tab) visible(sel string) bool {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	found, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf("document.querySelector(%q) !== null", sel)))
	if err != nil {
		tb.t.Fatalf("browser: look for %s: %v", sel, err)
	}
	return found
}

// screenshot saves the page under testdata/screenshots (git-ignored).
func (tb *tab) screenshot(step string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	// Quality 100 is a lossless PNG; below it chromium writes JPEG.
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Logf("screenshot %s: %v", step, err)
		return
	}
	dir := filepath.Join("testdata", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.t.Fatal(err)
	}
	tb.shot++
	name := fmt.Sprintf("%s-%02d-%s.png", strings.ReplaceAll(tb.t.Name(), "/", "_"), tb.shot, step)
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	tb.t.Logf("screenshot: %s", path)
}

// signIn signs in with the keyboard alone: the user name field has the
// focus, Tab moves to the password, Enter submits.
func (tb *tab) signIn(user string) {
	tb.t.Helper()
	tb.do(
		chromedp.Navigate(tb.base+"/signin"),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		// The field takes the focus once the page has loaded: keys sent
		// before that, on a busy machine, went to the page and were lost.
		chromedp.Poll[chromedp.Void](`document.activeElement !== null && document.activeElement.id === "username"`),
		chromedp.KeyEvent(user),
		chromedp.KeyEvent("\t"),
		chromedp.KeyEvent(allinone.DemoPassword),
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.CSS("form.signout")),
	)
}

func (tb *tab) signOut() {
	tb.t.Helper()
	tb.do(chromedp.Click(chromedp.CSS("form.signout button")), chromedp.WaitVisible(chromedp.CSS("#username")))
}

// accessibility checks what a machine can of the page: lang on <html>, a
// label for every input, a name for every button and link, text contrast
// of at least 4.5:1 against the background behind it.
const accessibility = `(() => {
  const problems = [];
  if (!document.documentElement.lang) problems.push("html has no lang");
  for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    const labelled = (el.id && document.querySelector('label[for="' + el.id + '"]')) || el.closest("label") || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
    if (!labelled) problems.push("no label: " + (el.name || el.outerHTML.slice(0, 60)));
  }
  for (const el of document.querySelectorAll("button, a[href]")) {
    if (!el.textContent.trim() && !el.getAttribute("aria-label")) problems.push("no name: " + el.outerHTML.slice(0, 60));
  }
  const rgb = c => (c.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const background = el => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor); if (c.length === 3 || c[3] > 0) return c.slice(0, 3); } return [255, 255, 255]; };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !el || !el.getClientRects().length) continue;
    const fg = lum(rgb(getComputedStyle(el).color)), bg = lum(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    if (ratio < 4.5) problems.push("contrast " + ratio.toFixed(2) + ": " + n.textContent.trim().slice(0, 40));
  }
  return problems;
})()`

func (tb *tab) checkAccessibility() {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](accessibility))
	if err != nil {
		tb.t.Fatalf("accessibility check: %v", err)
	}
	for _, p := range problems {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		tb.t.Errorf("accessibility on %s: %s", loc, p)
	}
	// On a phone (390 px) the page reflows: nothing scrolls sideways.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateTouch)); err != nil {
		tb.t.Fatalf("phone width: %v", err)
	}
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[int]("document.documentElement.scrollWidth"))
	if err != nil {
		tb.t.Fatalf("phone width: %v", err)
	}
	if wide > 390 {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		tb.screenshot("phone")
		tb.t.Errorf("on a phone %s is %d px wide, past the 390 px screen", loc, wide)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(820, 1180, chromedp.EmulateTouch)); err != nil {
		tb.t.Fatalf("tablet width: %v", err)
	}
}

// A teacher marks today's register on a tablet; the case worker sees it on
// the person's pathway.
func TestBrowserRegisterReachesPathway(t *testing.T) {
	sys := whole(t)
	d := sys.Demo
	joy := d.People[1] // marked late below
	tb := newTab(t, sys.WebURL)

	tb.signIn("maria.rossi")
	tb.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid=lessons]`)))
	tb.checkAccessibility()
	tb.screenshot("lessons")
	tb.do(
		chromedp.Click(chromedp.CSS(`a[href="/lessons/`+d.TodayLessonID+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#register")),
	)
	if body := tb.body(); !strings.Contains(body, joy.DisplayName) || strings.Contains(body, joy.Pseudonym) {
		t.Errorf("the register shows people by display name only")
	}
	// One tap each: Joy late (then her minutes), Blessing absent; the
	// rest stay present.
	tb.do(
		chromedp.Click(chromedp.CSS(`input[name="status-`+joy.Pseudonym+`"][value=late] + span`)),
		chromedp.WaitVisible(chromedp.CSS(`#minutes-`+joy.Pseudonym)),
		chromedp.SendKeys(chromedp.CSS(`#minutes-`+joy.Pseudonym), "47"),
		chromedp.Click(chromedp.CSS(`input[name="status-`+d.People[2].Pseudonym+`"][value=absent] + span`)),
	)
	tb.checkAccessibility()
	tb.screenshot("marked")
	tb.do(
		chromedp.Click(chromedp.CSS("button.big")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=recorded]`)),
	)
	if notice := tb.text(`[data-testid=notice]`); notice != "Registro salvato." {
		t.Errorf("after saving the page says %q", notice)
	}
	tb.screenshot("saved")
	tb.signOut()

	tb.signIn("giulia.bianchi")
	tb.do(
		chromedp.Navigate(sys.WebURL+"/persons"),
		chromedp.WaitVisible(chromedp.CSS("#pseudonym")),
		chromedp.SendKeys(chromedp.CSS("#pseudonym"), joy.Pseudonym+"\r"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=timeline]`)),
	)
	// The register travels to the pathway as events: wait for it.
	want := "In ritardo alla lezione di Italiano L2"
	deadline := time.Now().Add(time.Minute) // generous: make test runs every package at once on two cores
	for !strings.Contains(tb.text(`[data-testid=timeline]`), "(47 di 120 minuti)") {
		if time.Now().After(deadline) {
			tb.screenshot("timeline-missing")
			t.Fatalf("today's late mark never reached %s's timeline", joy.DisplayName)
		}
		time.Sleep(300 * time.Millisecond)
		tb.do(chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`[data-testid=timeline]`)))
	}
	if h1 := tb.text("h1"); h1 != joy.DisplayName {
		t.Errorf("the pathway page is titled %q, want the display name %q", h1, joy.DisplayName)
	}
	if !strings.Contains(tb.text(`[data-testid=timeline]`), want) {
		t.Errorf("the timeline lacks %q", want)
	}
	if hours := tb.text(`[data-testid=hours]`); !strings.Contains(hours, "Italiano L2") {
		t.Errorf("hours by course: %q", hours)
	}
	tb.checkAccessibility()
	tb.screenshot("pathway")

	// The same page in English.
	tb.do(chromedp.Click(chromedp.CSS(`a[href^="/lang/en"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=timeline]`)))
	if body := tb.body(); !strings.Contains(body, "Hours by course") || !strings.Contains(body, "Late at the Italian L2 lesson") {
		t.Error("the pathway page in English lacks its English texts")
	}
	lang, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string]("document.documentElement.lang"))
	if err != nil || lang != "en" {
		t.Errorf("html lang = %q (%v), want en", lang, err)
	}
	tb.screenshot("pathway-en")
}

// Every role against the pages and APIs it must not reach.
func TestBrowserAccess(t *testing.T) {
	sys := whole(t)
	d := sys.Demo
	amina := d.People[0].Pseudonym
	pages := []struct {
		user, path string
	}{
		{"giulia.bianchi", "/lessons"},
		{"giulia.bianchi", "/lessons/" + d.TodayLessonID},
		{"luca.verdi", "/persons/" + amina},           // another organisation's case worker: refused by pathway
		{"paolo.neri", "/lessons/" + d.TodayLessonID}, // not his class: refused by courses
		{"maria.rossi", "/persons"},
		{"maria.rossi", "/persons/" + amina},
		{"anna.conti", "/persons/" + amina},
		{"marta.gallo", "/lessons"},
		{"marta.gallo", "/persons/" + amina},
		{"elena.ferri", "/lessons/" + d.TodayLessonID},
		{"elena.ferri", "/persons/" + amina},
		{"gino.esposito", "/lessons"},
		{"gino.esposito", "/persons/" + amina},
	}
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

	// Signed out, every page leads to the sign-in form.
	for _, path := range []string{"/lessons", "/lessons/" + d.TodayLessonID, "/persons/" + amina} {
		tb.do(chromedp.Navigate(sys.WebURL+path), chromedp.WaitVisible(chromedp.CSS("#password")))
	}
	tb.checkAccessibility()

	// The services refuse the same users on their own, whatever the pages do.
	apis := []struct {
		user, url string
	}{
		{"giulia.bianchi", sys.CoursesURL + "/v1/lessons/" + d.TodayLessonID},
		{"maria.rossi", sys.PathwayURL + "/v1/persons/" + amina + "/timeline"},
		{"luca.verdi", sys.PathwayURL + "/v1/persons/" + amina + "/timeline"},
		{"paolo.neri", sys.CoursesURL + "/v1/lessons/" + d.TodayLessonID},
		{"marta.gallo", sys.CoursesURL + "/v1/lessons/" + d.TodayLessonID},
		{"elena.ferri", sys.PathwayURL + "/v1/persons/" + amina + "/timeline"},
		{"gino.esposito", sys.PathwayURL + "/v1/persons/" + amina + "/timeline"},
		{"gino.esposito", sys.CoursesURL + "/v1/lessons/" + d.TodayLessonID},
	}
	for _, a := range apis {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, a.url, nil)
		req.Header.Set("Authorization", "Bearer "+d.Tokens[a.user])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s GET %s: status %d, want 403", a.user, a.url, resp.StatusCode)
		}
	}
}

// switchable stands between web and a service like a plug: pulled, the
// service's port refuses connections; pushed back, it answers again.
type switchable struct {
	addr, target string
	mu           sync.Mutex
	ln           net.Listener
	conns        map[net.Conn]bool
}

func newSwitchable(t *testing.T, target string) *switchable {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &switchable{addr: ln.Addr().String(), target: target, conns: map[net.Conn]bool{}}
	s.serve(ln)
	t.Cleanup(s.pull)
	return s
}

func (s *switchable) serve(ln net.Listener) {
	s.mu.Lock()
	s.ln = ln
	s.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.pipe(c)
		}
	}()
}

func (s *switchable) pipe(c net.Conn) {
	up, err := net.Dial("tcp", s.target)
	if err != nil {
		c.Close()
		return
	}
	s.mu.Lock()
	s.conns[c], s.conns[up] = true, true
	s.mu.Unlock()
	go func() { _, _ = io.Copy(up, c); up.Close() }()
	_, _ = io.Copy(c, up)
	c.Close()
}

// pull stops listening and cuts every open connection.
func (s *switchable) pull() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		s.ln.Close()
		s.ln = nil
	}
	for c := range s.conns {
		c.Close()
	}
	clear(s.conns)
}

// push listens again on the same address.
func (s *switchable) push(t *testing.T) {
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		t.Fatalf("listen again on %s: %v", s.addr, err)
	}
	s.serve(ln)
}

// With pathway stopped, the case worker's page says the pathway part is
// unavailable while the rest of the page works; the breaker opens and
// spares pathway; when pathway is back the page recovers.
func TestBrowserServiceDown(t *testing.T) {
	sys := whole(t)
	d := sys.Demo
	plug := newSwitchable(t, sys.GRPCAddrs["pathway"])
	// A web of its own, on the same store, calling pathway through the plug.
	app, err := web.Open(t.Context(), web.Config{
		Config:      process.Config{MongoURI: sys.Stack.MongoURI(), KafkaBrokers: sys.Stack.KafkaBrokers(), TokenKey: tokenKey(t)},
		CoursesGRPC: sys.GRPCAddrs["courses"], PathwayGRPC: plug.addr, Resilience: browserResilience,
		TrainingGRPC: sys.GRPCAddrs["training"], JobsGRPC: sys.GRPCAddrs["jobs"], HousingGRPC: sys.GRPCAddrs["housing"],
	}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler(app.Pages))
	t.Cleanup(srv.Close)
	breakerState := func() string {
		resp, err := http.Get(srv.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, `percorsi_breaker_state{breaker="web_pathway"}`) {
				return strings.TrimSpace(strings.TrimPrefix(line, `percorsi_breaker_state{breaker="web_pathway"}`))
			}
		}
		return "absent"
	}

	person := srv.URL + "/persons/" + d.People[0].Pseudonym
	tb := newTab(t, srv.URL)
	tb.signIn("giulia.bianchi")
	tb.do(chromedp.Navigate(person), chromedp.WaitVisible(chromedp.CSS(`[data-testid=timeline]`)))

	plug.pull()
	// The breaker opens after five failed calls in a row (fewer pages when
	// a slow run spreads them over more than its counting window).
	for i := 0; breakerState() != "2"; i++ {
		if i == 15 {
			t.Fatalf("the breaker did not open after %d pages with pathway stopped", i)
		}
		tb.do(chromedp.Navigate(person), chromedp.WaitVisible(chromedp.CSS(`[data-testid=unavailable]`)))
		if got := tb.text(`[data-testid=unavailable]`); !strings.Contains(got, "Il servizio del percorso non risponde") {
			t.Errorf("with pathway stopped the page says %q", got)
		}
	}
	// Open, the breaker answers for pathway (the component test counts
	// that no call reaches it) and the page still says which part is away.
	tb.do(chromedp.Navigate(person), chromedp.WaitVisible(chromedp.CSS(`[data-testid=unavailable]`)))
	tb.checkAccessibility()
	tb.screenshot("pathway-down")
	// The rest works: the navigation, the search form, signing out.
	tb.do(
		chromedp.Click(chromedp.CSS(`nav a[href="/persons"]`)),
		chromedp.WaitVisible(chromedp.CSS("#pseudonym")),
	)

	plug.push(t)
	// Back once the breaker lets a call through again and web has
	// reconnected: the page is read again until it shows the timeline.
	for deadline := time.Now().Add(2 * time.Minute); ; {
		tb.do(chromedp.Navigate(person), chromedp.WaitVisible(chromedp.CSS(`[data-testid=timeline], [data-testid=unavailable]`)))
		if tb.visible(`[data-testid=timeline]`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the timeline did not come back within 2 minutes of pathway's return")
		}
		time.Sleep(time.Second)
	}
	if state := breakerState(); state != "0" {
		t.Errorf("breaker state %s after pathway returned, want 0 (closed)", state)
	}
	tb.screenshot("pathway-back")
	tb.signOut()
}

// tokenKey reads the system's signing key, which web shares with the
// services.
func tokenKey(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(systemDir, "token.key"))
	if err != nil {
		t.Fatalf("signing key: %v", err)
	}
	return string(b)
}
