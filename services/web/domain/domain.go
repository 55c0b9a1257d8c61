// Package domain holds what web keeps of its own: the accounts people sign
// in with and their sessions. Everything else the pages show belongs to
// the services behind them.
package domain

import (
	"context"
	"time"

	"github.com/percorsi/percorsi/pkg/auth"
)

// Session is one signed-in browser. Its id travels only in the cookie; the
// store keeps a hash of it, so a copy of the store opens no session.
type Session struct {
	IDHash       string
	Username     string
	DisplayName  string
	Role         auth.Role
	Organisation string
	CSRF         string // the token every form of this session carries
	Expires      time.Time
}

// Principal is who the session's calls to the services speak for.
func (s *Session) Principal() auth.Principal {
	return auth.Principal{Subject: s.Username, Role: s.Role, Organisation: s.Organisation}
}

// Accounts stores accounts. Account returns NotFound for an unknown user.
type Accounts interface {
	Account(ctx context.Context, username string) (*Account, error)
	Put(ctx context.Context, a *Account) error
}

// Sessions stores sessions. Session returns NotFound for an unknown or
// expired session.
type Sessions interface {
	Create(ctx context.Context, s *Session) error
	Session(ctx context.Context, idHash string, now time.Time) (*Session, error)
	Delete(ctx context.Context, idHash string) error
}
