package web

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/services/web/domain"
	"github.com/percorsi/percorsi/services/web/signin"
)

// The pages everyone sees: signing in with an account of web's own or
// with the external provider, and signing out.

// Cookies web sets. Both are HttpOnly and SameSite=Lax: a page of another
// site can neither read them nor send them along with a form it posts.
const (
	sessionCookie = "percorsi_session"
	// csrfCookie carries the anti-forgery token of a browser that has not
	// signed in yet, for the sign-in form itself.
	csrfCookie = "percorsi_csrf"
	csrfField  = "csrf"
)

// signInRoutes adds signing in and out, with the provider's flow when
// one is configured.
func (a *App) signInRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /signin", a.signInPage)
	mux.HandleFunc("POST /signin", a.signIn)
	mux.Handle("POST /signout", a.signedIn(nil, a.signOut))
	if a.oidc == nil {
		return
	}
	mux.HandleFunc("GET /signin/oidc", a.oidcStart)
	mux.HandleFunc("GET /signin/oidc/callback", a.oidcCallback)
}

// cookie returns a cookie with the attributes every cookie of web has.
// Secure is set when the request came over TLS, or when web is told it
// sits behind a proxy that terminates TLS.
func (a *App) cookie(r *http.Request, name, value string, maxAge time.Duration) *http.Cookie {
	c := &http.Cookie{
		Name: name, Value: value, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: r.TLS != nil || a.cfg.SecureCookies,
	}
	switch {
	case maxAge < 0:
		c.MaxAge = -1
	case maxAge > 0:
		c.MaxAge = int(maxAge.Seconds())
	}
	return c
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
	token := signin.Token()
	http.SetCookie(w, a.cookie(r, csrfCookie, token, 0))
	return token
}

func (a *App) signInPage(w http.ResponseWriter, r *http.Request) {
	p := a.newPage(r, "signin.title")
	p.CSRF = a.anonymousCSRF(w, r)
	if r.URL.Query().Get("out") == "1" {
		p.Notice = p.T("signout.done")
	}
	p.Data = signInData{Next: localPath(r.URL.Query().Get("next")), OIDC: a.oidc.Name()}
	a.render(w, r, http.StatusOK, "signin", p)
}

func (a *App) signIn(w http.ResponseWriter, r *http.Request) {
	p := a.newPage(r, "signin.title")
	p.CSRF = a.anonymousCSRF(w, r)
	username := strings.TrimSpace(r.PostFormValue("username"))
	password := r.PostFormValue("password")
	data := signInData{Username: username, Next: localPath(r.PostFormValue("next")), OIDC: a.oidc.Name()}
	p.Data = data
	c, err := r.Cookie(csrfCookie)
	if err != nil || !signin.SameToken(r.PostFormValue(csrfField), c.Value) {
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
	addr, user := signin.ClientAddress(r, a.proxies), strings.ToLower(username)
	limits := []struct {
		lim *signin.Limiter
		key string
	}{{a.byPair, user + "\x00" + addr}, {a.byAddr, addr}, {a.byUser, user}}
	if c, err := r.Cookie(deviceCookie); err == nil && signin.IsDevice([]byte(a.cfg.TokenKey), user, c.Value) {
		limits = limits[:2] // the user's own browser
	}
	for _, l := range limits {
		if blocked, wait := l.lim.Blocked(l.key, now); blocked {
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
		for _, l := range limits {
			l.lim.Fail(l.key, now)
		}
		a.Log.InfoContext(r.Context(), "sign-in refused") // no user name: it may be a mistyped password
		p.Error = p.T("signin.failed")
		a.render(w, r, http.StatusUnauthorized, "signin", p)
		return
	}
	a.byPair.Reset(limits[0].key)
	http.SetCookie(w, a.cookie(r, deviceCookie, signin.DeviceToken([]byte(a.cfg.TokenKey), user), 365*24*time.Hour))
	a.startSession(w, r, &domain.Session{Username: acc.Username, DisplayName: acc.DisplayName, Role: acc.Role, Organisation: acc.Organisation}, data.Next)
}

// startSession stores s with a fresh id, form token and expiry, sets its
// cookie and sends the browser on to next.
func (a *App) startSession(w http.ResponseWriter, r *http.Request, s *domain.Session, next string) {
	id := signin.Token()
	s.IDHash, s.CSRF, s.Expires = signin.HashID(id), signin.Token(), time.Now().Add(a.cfg.SessionTTL)
	if err := a.Sessions.Create(r.Context(), s); err != nil {
		a.fail(w, r, a.newPage(r, "signin.title"), "", err)
		return
	}
	http.SetCookie(w, a.cookie(r, sessionCookie, id, a.cfg.SessionTTL))
	http.SetCookie(w, a.cookie(r, csrfCookie, "", -1))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// deviceCookie says the browser signed in as a user before.
const deviceCookie = "percorsi_device"

// unknownUserHash is checked against when a user name is unknown.
var unknownUserHash = func() string {
	h, err := domain.HashPassword(signin.Token())
	if err != nil {
		panic(err) // only crypto/rand can fail here, and it does not
	}
	return h
}()

func (a *App) signOut(w http.ResponseWriter, r *http.Request) {
	if err := a.Sessions.Delete(r.Context(), signin.SessionFrom(r.Context()).IDHash); err != nil {
		a.fail(w, r, a.newPage(r, "error.title"), "", err)
		return
	}
	http.SetCookie(w, a.cookie(r, sessionCookie, "", -1))
	http.Redirect(w, r, "/signin?out=1", http.StatusSeeOther)
}

// oidcCookie carries one sign-in's state, nonce and PKCE verifier from
// the redirect to the provider to the callback, and nowhere else.
const oidcCookie = "percorsi_oidc"

type oidcState struct {
	State, Nonce, Verifier, Next string
}

// oidcStart sends the browser to the provider.
func (a *App) oidcStart(w http.ResponseWriter, r *http.Request) {
	_, conf, err := a.oidc.Client(r.Context())
	if err != nil {
		a.oidcFailed(w, r, http.StatusServiceUnavailable, "signin.oidc_away", err)
		return
	}
	st := oidcState{State: signin.Token(), Nonce: signin.Token(), Verifier: oauth2.GenerateVerifier(), Next: localPath(r.URL.Query().Get("next"))}
	b, err := json.Marshal(st)
	if err != nil {
		a.oidcFailed(w, r, http.StatusInternalServerError, "error.internal", err)
		return
	}
	c := a.cookie(r, oidcCookie, base64.RawURLEncoding.EncodeToString(b), 10*time.Minute)
	c.Path = "/signin/oidc"
	http.SetCookie(w, c)
	http.Redirect(w, r, conf.AuthCodeURL(st.State, oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(st.Verifier)), http.StatusFound)
}

// oidcCallback takes the provider's answer: the code is exchanged with
// the verifier, the ID token checked (signature, issuer, audience, expiry,
// the nonce of this browser's sign-in), and a session starts as for an
// account of web's own.
func (a *App) oidcCallback(w http.ResponseWriter, r *http.Request) {
	var st oidcState
	c, err := r.Cookie(oidcCookie)
	if err == nil {
		var b []byte
		if b, err = base64.RawURLEncoding.DecodeString(c.Value); err == nil {
			err = json.Unmarshal(b, &st)
		}
	}
	gone := a.cookie(r, oidcCookie, "", -1)
	gone.Path = "/signin/oidc"
	http.SetCookie(w, gone)
	q := r.URL.Query()
	if err != nil || !signin.SameToken(q.Get("state"), st.State) {
		a.oidcFailed(w, r, http.StatusForbidden, "error.csrf", nil)
		return
	}
	if q.Get("error") != "" {
		// The user declined or the provider refused: say so, no detail.
		a.oidcFailed(w, r, http.StatusUnauthorized, "signin.oidc_failed", nil)
		return
	}
	verifier, conf, err := a.oidc.Client(r.Context())
	if err != nil {
		a.oidcFailed(w, r, http.StatusServiceUnavailable, "signin.oidc_away", err)
		return
	}
	tok, err := conf.Exchange(r.Context(), q.Get("code"), oauth2.VerifierOption(st.Verifier))
	if err != nil {
		a.oidcFailed(w, r, http.StatusUnauthorized, "signin.oidc_failed", err)
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	id, err := verifier.Identify(r.Context(), raw)
	switch {
	case errcode.Of(err) == errcode.Forbidden:
		a.oidcFailed(w, r, http.StatusForbidden, "signin.oidc_no_role", nil)
		return
	case err != nil:
		a.oidcFailed(w, r, http.StatusUnauthorized, "signin.oidc_failed", err)
		return
	case !signin.SameToken(id.Nonce, st.Nonce):
		a.oidcFailed(w, r, http.StatusForbidden, "error.csrf", nil)
		return
	}
	name := id.Name
	if name == "" {
		name = id.Subject
	}
	a.startSession(w, r, &domain.Session{Username: id.Subject, DisplayName: name, Role: id.Role, Organisation: id.Organisation}, st.Next)
}

// oidcFailed shows the sign-in page saying why the provider's sign-in did
// not work; the cause goes to the log, without the user's data.
func (a *App) oidcFailed(w http.ResponseWriter, r *http.Request, status int, key string, cause error) {
	if cause != nil {
		a.Log.WarnContext(r.Context(), "sign-in with the provider failed", "err", cause)
	}
	p := a.newPage(r, "signin.title")
	p.CSRF = a.anonymousCSRF(w, r)
	p.Error = p.T(key)
	p.Data = signInData{Next: "/", OIDC: a.oidc.Name()}
	a.render(w, r, status, "signin", p)
}
