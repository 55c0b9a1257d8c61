package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/euro"
	"github.com/percorsi/percorsi/services/web/domain"
	"github.com/percorsi/percorsi/services/web/i18n"
)

// tokenTTL is how long the token web issues for one page's calls lives:
// web signs a fresh one per request, so no token is kept at rest.
const tokenTTL = 5 * time.Minute

// Who may open which pages. The services check again with the token.
var (
	// teachers keep registers: of courses' classes, or of training's
	// editions for trainers.
	teachers       = []auth.Role{auth.Teacher, auth.Coordinator, auth.Trainer}
	classTeams     = []auth.Role{auth.Teacher, auth.Coordinator}
	editionTeam    = []auth.Role{auth.Trainer, auth.Coordinator}
	caseWorkers    = []auth.Role{auth.CaseWorker}
	counsellors    = []auth.Role{auth.Counsellor}
	housingWorkers = []auth.Role{auth.HousingWorker}
	// Monitoring officers see aggregates only: no page of theirs names or
	// links to a person.
	monitoringOfficers = []auth.Role{auth.Monitoring}
)

func (a *App) routes() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(assets, "static") // the directory is embedded: cannot fail
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /signin", a.signInPage)
	mux.HandleFunc("POST /signin", a.signIn)
	mux.HandleFunc("GET /lang/{lang}", a.setLanguage)
	mux.Handle("POST /signout", a.signedIn(nil, a.signOut))
	mux.Handle("GET /{$}", a.signedIn(nil, a.home))
	mux.Handle("GET /lessons", a.signedIn(teachers, a.lessonsPage))
	mux.Handle("GET /lessons/open", a.signedIn(teachers, a.openLesson))
	mux.Handle("GET /lessons/{id}", a.signedIn(teachers, a.registerPage))
	mux.Handle("POST /lessons/{id}/register", a.signedIn(teachers, a.saveRegister))
	mux.Handle("GET /classes/{id}", a.signedIn(classTeams, a.classPage))
	mux.Handle("GET /editions/{id}", a.signedIn(editionTeam, a.editionPage))
	mux.Handle("GET /jobs", a.signedIn(counsellors, a.jobsHome))
	mux.Handle("GET /jobs/candidates/open", a.signedIn(counsellors, a.openCandidate))
	mux.Handle("GET /jobs/candidates/{pseudonym}", a.signedIn(counsellors, a.candidatePage))
	mux.Handle("GET /jobs/vacancies/{id}", a.signedIn(counsellors, a.vacancyPage))
	mux.Handle("POST /jobs/proposals", a.signedIn(counsellors, a.propose))
	mux.Handle("POST /jobs/proposals/{id}/interview", a.signedIn(counsellors, a.recordInterview))
	mux.Handle("POST /jobs/proposals/{id}/placement", a.signedIn(counsellors, a.startPlacement))
	mux.Handle("GET /jobs/placements/{id}", a.signedIn(counsellors, a.placementPage))
	mux.Handle("POST /jobs/placements/{id}/links", a.signedIn(counsellors, a.issueLink))
	mux.Handle("POST /jobs/placements/{id}/follow-ups", a.signedIn(counsellors, a.recordFollowUp))
	// The employer's page: no account, the link's token is the credential.
	mux.HandleFunc("GET /employer-links/{id}", a.employerPage)
	mux.HandleFunc("POST /employer-links/{id}", a.confirmByLink)
	mux.Handle("GET /housing", a.signedIn(housingWorkers, a.housingHome))
	mux.Handle("GET /housing/persons/open", a.signedIn(housingWorkers, a.openHousingPerson))
	mux.Handle("GET /housing/persons/{pseudonym}", a.signedIn(housingWorkers, a.housingPersonPage))
	mux.Handle("POST /housing/steps", a.signedIn(housingWorkers, a.startStep))
	mux.Handle("POST /housing/steps/{id}/move", a.signedIn(housingWorkers, a.moveStep))
	mux.Handle("POST /housing/steps/{id}/end", a.signedIn(housingWorkers, a.endStep))
	mux.Handle("POST /housing/offers/{id}/proposals", a.signedIn(housingWorkers, a.proposeOffer))
	mux.Handle("POST /housing/proposals/{id}/outcome", a.signedIn(housingWorkers, a.decideOffer))
	mux.Handle("POST /housing/proposals/{id}/lease", a.signedIn(housingWorkers, a.signLease))
	mux.Handle("GET /persons", a.signedIn(caseWorkers, a.personsPage))
	mux.Handle("GET /persons/open", a.signedIn(caseWorkers, a.openPerson))
	mux.Handle("GET /persons/{pseudonym}", a.signedIn(caseWorkers, a.personPage))
	a.caseRoutes(mux)
	a.oidcRoutes(mux)
	a.monitoringRoutes(mux)
	// Refuse cross-origin form posts by the browser's own Sec-Fetch-Site
	// and Origin headers, beside the token every form carries.
	return headers(http.NewCrossOriginProtection().Handler(mux))
}

// headers sets what every page answers with: nothing cached (pages show
// people), no framing, scripts and styles from web only.
func headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// page is what every template gets.
type page struct {
	Lang    string
	Title   string
	Path    string
	Session *domain.Session
	CSRF    string
	Notice  string   // a success, announced politely
	Error   string   // what went wrong, announced at once
	Away    []string // the parts of the page that are unavailable
	Data    any
}

// T translates key into the page's language.
func (p *page) T(key string, args ...any) string { return i18n.T(p.Lang, key, args...) }

// Role is the signed-in user's role in words.
func (p *page) Role() string { return p.T("role." + string(p.Session.Role)) }

// Can reports whether the user may open the pages of area.
func (p *page) Can(area string) bool {
	if p.Session == nil {
		return false
	}
	switch area {
	case "lessons":
		return slices.Contains(teachers, p.Session.Role)
	case "persons":
		return slices.Contains(caseWorkers, p.Session.Role)
	case "monitoring":
		return slices.Contains(monitoringOfficers, p.Session.Role)
	case "jobs":
		return slices.Contains(counsellors, p.Session.Role)
	case "housing":
		return slices.Contains(housingWorkers, p.Session.Role)
	}
	return false
}

func (a *App) newPage(r *http.Request, title string) *page {
	p := &page{Lang: i18n.Language(r), Path: r.URL.RequestURI(), Session: sessionFrom(r.Context())}
	p.Title = p.T(title)
	if p.Session != nil {
		p.CSRF = p.Session.CSRF
	}
	return p
}

func parseTemplates() (map[string]*template.Template, error) {
	funcs := template.FuncMap{"euros": euro.Format}
	maps.Copy(funcs, formFuncs)
	// The layout and the parts every page may use (templates/parts).
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/parts/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimPrefix(n, "templates/")
		if name == "layout.html" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(assets, n)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		out[strings.TrimSuffix(name, ".html")] = t
	}
	return out, nil
}

func (a *App) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := a.templates[name].ExecuteTemplate(w, "layout.html", p); err != nil {
		a.Log.ErrorContext(r.Context(), "rendering a page", "page", name, "err", err)
	}
}

// fail shows err as a page: business errors in words, an unavailable
// service by name (part), anything else without detail.
func (a *App) fail(w http.ResponseWriter, r *http.Request, p *page, part string, err error) {
	status := http.StatusInternalServerError
	switch errcode.Of(err) {
	case errcode.Unavailable:
		status = http.StatusServiceUnavailable
		p.Away = append(p.Away, p.T("unavailable."+part))
	case errcode.Forbidden:
		status, p.Error = http.StatusForbidden, p.T("error.forbidden")
	case errcode.NotFound:
		status, p.Error = http.StatusNotFound, p.T("error.not_found")
	case errcode.Unauthorized:
		// The token web signed was refused: sign in again.
		a.redirectToSignIn(w, r)
		return
	default:
		if errors.Is(err, context.Canceled) {
			return // the user left
		}
		a.Log.ErrorContext(r.Context(), "page failed", "path", r.URL.Path, "err", err)
		p.Error = p.T("error.internal")
	}
	a.render(w, r, status, "error", p)
}

// signedIn admits a request with a live session of one of roles (any role
// when roles is nil), checks the form token of every POST, and gives the
// handler a context that carries the user's token for the services.
func (a *App) signedIn(roles []auth.Role, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil {
			a.redirectToSignIn(w, r)
			return
		}
		s, err := a.Sessions.Session(r.Context(), hashID(c.Value), time.Now())
		switch {
		case errcode.Of(err) == errcode.NotFound:
			http.SetCookie(w, a.cookie(r, sessionCookie, "", -1))
			a.redirectToSignIn(w, r)
			return
		case err != nil:
			a.fail(w, r, a.newPage(r, "error.title"), "", err)
			return
		}
		ctx := withSession(r.Context(), s)
		r = r.WithContext(ctx)
		if r.Method == http.MethodPost && !sameToken(r.PostFormValue(csrfField), s.CSRF) {
			p := a.newPage(r, "error.title")
			p.Error = p.T("error.csrf")
			a.render(w, r, http.StatusForbidden, "error", p)
			return
		}
		if roles != nil && !slices.Contains(roles, s.Role) {
			p := a.newPage(r, "error.title")
			p.Error = p.T("error.forbidden")
			a.render(w, r, http.StatusForbidden, "error", p)
			return
		}
		token, err := a.Tokens.Issue(s.Principal(), tokenTTL)
		if err != nil {
			a.fail(w, r, a.newPage(r, "error.title"), "", err)
			return
		}
		h(w, r.WithContext(auth.WithToken(ctx, token)))
	})
}

func (a *App) redirectToSignIn(w http.ResponseWriter, r *http.Request) {
	target := "/signin"
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// localPath returns next when it is a path of this site, else "/": a
// sign-in link must not send the user elsewhere. Browsers drop tabs and
// newlines from a URL and read a backslash as a slash, so
// "/\t/evil.example" leads to another site: no control character or
// backslash is let through.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) {
		return "/"
	}
	return next
}

type signInData struct {
	Username string
	Next     string
	OIDC     string // the external provider's name, when there is one
}

// anonymousCSRF returns the sign-in form's token, setting its cookie on
// first sight.
func (a *App) anonymousCSRF(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && c.Value != "" {
		return c.Value
	}
	token := randomToken()
	http.SetCookie(w, a.cookie(r, csrfCookie, token, 0))
	return token
}

func (a *App) signInPage(w http.ResponseWriter, r *http.Request) {
	p := a.newPage(r, "signin.title")
	p.CSRF = a.anonymousCSRF(w, r)
	if r.URL.Query().Get("out") == "1" {
		p.Notice = p.T("signout.done")
	}
	p.Data = signInData{Next: localPath(r.URL.Query().Get("next")), OIDC: a.oidcName()}
	a.render(w, r, http.StatusOK, "signin", p)
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (a *App) signIn(w http.ResponseWriter, r *http.Request) {
	p := a.newPage(r, "signin.title")
	p.CSRF = a.anonymousCSRF(w, r)
	username := strings.TrimSpace(r.PostFormValue("username"))
	password := r.PostFormValue("password")
	data := signInData{Username: username, Next: localPath(r.PostFormValue("next")), OIDC: a.oidcName()}
	p.Data = data
	c, err := r.Cookie(csrfCookie)
	if err != nil || !sameToken(r.PostFormValue(csrfField), c.Value) {
		p.Error = p.T("error.csrf")
		a.render(w, r, http.StatusForbidden, "signin", p)
		return
	}
	if username == "" || password == "" {
		p.Error = p.T("signin.missing")
		a.render(w, r, http.StatusBadRequest, "signin", p)
		return
	}
	now := time.Now()
	userKey, addrKey := "user:"+strings.ToLower(username), "addr:"+clientAddr(r)
	for _, l := range []struct {
		lim *limiter
		key string
	}{{a.byUser, userKey}, {a.byAddr, addrKey}} {
		if blocked, wait := l.lim.blocked(l.key, now); blocked {
			w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
			p.Error = p.T("signin.limited", int(wait.Minutes())+1)
			a.render(w, r, http.StatusTooManyRequests, "signin", p)
			return
		}
	}
	acc, err := a.Accounts.Account(r.Context(), username)
	if err != nil && errcode.Of(err) != errcode.NotFound {
		a.fail(w, r, p, "", err)
		return
	}
	// An unknown user costs the same hash as a known one, so timing does
	// not tell which user names exist.
	hash := unknownUserHash
	if acc != nil && !acc.Disabled {
		hash = acc.PasswordHash
	}
	if !domain.CheckPassword(hash, password) || acc == nil || acc.Disabled {
		a.byUser.fail(userKey, now)
		a.byAddr.fail(addrKey, now)
		a.Log.InfoContext(r.Context(), "sign-in refused") // no user name: it may be a mistyped password
		p.Error = p.T("signin.failed")
		a.render(w, r, http.StatusUnauthorized, "signin", p)
		return
	}
	a.byUser.reset(userKey)
	a.startSession(w, r, &domain.Session{Username: acc.Username, DisplayName: acc.DisplayName, Role: acc.Role, Organisation: acc.Organisation}, data.Next)
}

// startSession stores s with a fresh id, form token and expiry, sets its
// cookie and sends the browser on to next.
func (a *App) startSession(w http.ResponseWriter, r *http.Request, s *domain.Session, next string) {
	id := randomToken()
	s.IDHash, s.CSRF, s.Expires = hashID(id), randomToken(), time.Now().Add(a.cfg.SessionTTL)
	if err := a.Sessions.Create(r.Context(), s); err != nil {
		a.fail(w, r, a.newPage(r, "signin.title"), "", err)
		return
	}
	http.SetCookie(w, a.cookie(r, sessionCookie, id, a.cfg.SessionTTL))
	http.SetCookie(w, a.cookie(r, csrfCookie, "", -1))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// unknownUserHash is checked against when a user name is unknown.
var unknownUserHash = func() string {
	h, err := domain.HashPassword(randomToken())
	if err != nil {
		panic(err) // only crypto/rand can fail here, and it does not
	}
	return h
}()

func (a *App) signOut(w http.ResponseWriter, r *http.Request) {
	if err := a.Sessions.Delete(r.Context(), sessionFrom(r.Context()).IDHash); err != nil {
		a.fail(w, r, a.newPage(r, "error.title"), "", err)
		return
	}
	http.SetCookie(w, a.cookie(r, sessionCookie, "", -1))
	http.Redirect(w, r, "/signin?out=1", http.StatusSeeOther)
}

func (a *App) setLanguage(w http.ResponseWriter, r *http.Request) {
	lang := r.PathValue("lang")
	if i18n.Known(lang) {
		http.SetCookie(w, a.cookie(r, i18n.Cookie, lang, 365*24*time.Hour))
	}
	http.Redirect(w, r, localPath(r.URL.Query().Get("back")), http.StatusSeeOther)
}

func (a *App) home(w http.ResponseWriter, r *http.Request) {
	p := a.newPage(r, "home.title")
	switch {
	case p.Can("lessons"):
		http.Redirect(w, r, "/lessons", http.StatusSeeOther)
	case p.Can("persons"):
		http.Redirect(w, r, "/persons", http.StatusSeeOther)
	case p.Can("monitoring"):
		http.Redirect(w, r, "/monitoring", http.StatusSeeOther)
	case p.Can("jobs"):
		http.Redirect(w, r, "/jobs", http.StatusSeeOther)
	case p.Can("housing"):
		http.Redirect(w, r, "/housing", http.StatusSeeOther)
	default:
		a.render(w, r, http.StatusOK, "home", p)
	}
}
