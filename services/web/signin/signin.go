// Package signin is what the sign-in pages stand on: the random tokens of
// sessions and forms, the hash the store keeps of a session id, the
// signed-in session in a request's context, the limiter of failed
// sign-ins, and the external OpenID Connect provider.
package signin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"sync"
	"time"

	"github.com/percorsi/percorsi/services/web/domain"
)

// Token returns a fresh random token: a session id, a form's token.
func Token() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashID is what the store keeps of a session id.
func HashID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

// SameToken compares a token sent with the one expected, in constant
// time; an empty token matches nothing.
func SameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

type sessionKey struct{}

// WithSession returns ctx carrying the signed-in session s.
func WithSession(ctx context.Context, s *domain.Session) context.Context {
	return context.WithValue(ctx, sessionKey{}, s)
}

// SessionFrom returns the session of ctx; nil when signed out.
func SessionFrom(ctx context.Context) *domain.Session {
	s, _ := ctx.Value(sessionKey{}).(*domain.Session)
	return s
}

// Limiter counts failed sign-ins by key (a user name, a client address)
// in a fixed window, so that guessing a password is slow whichever of
// the two an attacker varies.
type Limiter struct {
	max    int
	window time.Duration

	mu    sync.Mutex
	fails map[string]*failures
}

type failures struct {
	start time.Time
	n     int
}

// NewLimiter allows max failures of a key in a window.
func NewLimiter(max int, window time.Duration) *Limiter {
	return &Limiter{max: max, window: window, fails: map[string]*failures{}}
}

// Blocked reports whether key has used up its attempts at now, and for
// how much longer.
func (l *Limiter) Blocked(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w, ok := l.fails[key]
	if !ok || now.Sub(w.start) >= l.window {
		return false, 0
	}
	return w.n >= l.max, w.start.Add(l.window).Sub(now)
}

// Fail counts one failed attempt of key, dropping stale windows as it
// goes so the map stays bounded by recent failures.
func (l *Limiter) Fail(key string, now time.Time) {
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

// Reset forgets key's failures after a successful sign-in.
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, key)
}
