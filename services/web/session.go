package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"sync"
	"time"

	"github.com/percorsi/percorsi/services/web/domain"
)

// Cookies web sets. Both are HttpOnly and SameSite=Lax: a page of another
// site can neither read them nor send them along with a form it posts.
const (
	sessionCookie = "percorsi_session"
	// csrfCookie carries the anti-forgery token of a browser that has not
	// signed in yet, for the sign-in form itself.
	csrfCookie = "percorsi_csrf"
	csrfField  = "csrf"
)

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashID is what the store keeps of a session id.
func hashID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

type sessionKey struct{}

func withSession(ctx context.Context, s *domain.Session) context.Context {
	return context.WithValue(ctx, sessionKey{}, s)
}

func sessionFrom(ctx context.Context) *domain.Session {
	s, _ := ctx.Value(sessionKey{}).(*domain.Session)
	return s
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

// limiter counts failed sign-ins by key (a user name, a client address)
// in a fixed window, so that guessing a password is slow whichever of
// the two an attacker varies.
type limiter struct {
	max    int
	window time.Duration

	mu    sync.Mutex
	fails map[string]*failures
}

type failures struct {
	start time.Time
	n     int
}

func newLimiter(max int, window time.Duration) *limiter {
	return &limiter{max: max, window: window, fails: map[string]*failures{}}
}

// blocked reports whether key has used up its attempts at now, and for
// how much longer.
func (l *limiter) blocked(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w, ok := l.fails[key]
	if !ok || now.Sub(w.start) >= l.window {
		return false, 0
	}
	return w.n >= l.max, w.start.Add(l.window).Sub(now)
}

// fail counts one failed attempt of key, dropping stale windows as it
// goes so the map stays bounded by recent failures.
func (l *limiter) fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w, ok := l.fails[key]
	if !ok || now.Sub(w.start) >= l.window {
		if len(l.fails) > 10000 {
			for k, old := range l.fails {
				if now.Sub(old.start) >= l.window {
					delete(l.fails, k)
				}
			}
		}
		w = &failures{start: now}
		l.fails[key] = w
	}
	w.n++
}

// reset forgets key's failures after a successful sign-in.
func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, key)
}
