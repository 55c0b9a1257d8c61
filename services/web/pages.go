package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/euro"
	"github.com/percorsi/percorsi/services/web/clients"
	"github.com/percorsi/percorsi/services/web/domain"
	"github.com/percorsi/percorsi/services/web/i18n"
	"github.com/percorsi/percorsi/services/web/signin"
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
	// One file per path, never the directory's listing; a name that is no
	// file is not found.
	mux.HandleFunc("GET /static/{file}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("file")
		if st, err := fs.Stat(static, name); err != nil || st.IsDir() {
			http.NotFound(w, r)
			return
		}
		http.ServeFileFS(w, r, static, name)
	})
	mux.HandleFunc("GET /lang/{lang}", a.setLanguage)
	mux.Handle("GET /{$}", a.signedIn(nil, a.home))
	a.signInRoutes(mux)
	a.teacherRoutes(mux)
	a.counsellorRoutes(mux)
	a.employerRoutes(mux)
	a.housingRoutes(mux)
	a.caseRoutes(mux)
	a.monitoringRoutes(mux)
	// Refuse cross-origin form posts by the browser's own Sec-Fetch-Site
	// and Origin headers, beside the token every form carries.
	return headers(http.NewCrossOriginProtection().Handler(a.readableText(mux)))
}

// readableText refuses a request whose path, query or form holds text that
// is not UTF-8: no browser sends it, and the services' contracts
// (protobuf strings) cannot carry it.
func (a *App) readableText(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err == nil && utf8.ValidString(r.URL.Path) && readable(r.Form) {
			next.ServeHTTP(w, r)
			return
		}
		p := a.newPage(r, "error.title")
		p.Error = p.T("error.encoding")
		a.render(w, r, http.StatusBadRequest, "error", p)
	})
}

func readable(form url.Values) bool {
	for k, vs := range form {
		if !utf8.ValidString(k) {
			return false
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return false
			}
		}
	}
	return true
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
	p := &page{Lang: i18n.Language(r), Path: r.URL.RequestURI(), Session: signin.SessionFrom(r.Context())}
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
		s, err := a.Sessions.Session(r.Context(), signin.HashID(c.Value), time.Now())
		switch {
		case errcode.Of(err) == errcode.NotFound:
			http.SetCookie(w, a.cookie(r, sessionCookie, "", -1))
			a.redirectToSignIn(w, r)
			return
		case err != nil:
			a.fail(w, r, a.newPage(r, "error.title"), "", err)
			return
		}
		ctx := signin.WithSession(r.Context(), s)
		r = r.WithContext(ctx)
		if r.Method == http.MethodPost && !signin.SameToken(r.PostFormValue(csrfField), s.CSRF) {
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

// openByCode sends the pseudonym typed in a form on to its page under
// to; a code no service hands out is not found.
func (a *App) openByCode(to string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ps := strings.TrimSpace(r.URL.Query().Get("pseudonym"))
		if !clients.ValidID(ps) {
			p := a.newPage(r, "error.title")
			p.Error = p.T("error.not_found")
			a.render(w, r, http.StatusNotFound, "error", p)
			return
		}
		http.Redirect(w, r, to+url.PathEscape(ps), http.StatusSeeOther)
	}
}
