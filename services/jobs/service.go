// Package jobs is the service of job-orientation counsellors and the
// employers they work with: candidate profiles fed by the facts other
// services publish, vacancies, ranked matches with their reasons, an
// optimal batch assignment, proposals, placements confirmed by employers
// through signed single-use links, and follow-ups.
package jobs

import (
	"context"
	"time"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/services/jobs/link"
	"github.com/percorsi/percorsi/services/jobs/match"
	"github.com/percorsi/percorsi/services/jobs/store"
)

// Config holds the jobs policies that vary by Region or project.
type Config struct {
	// ConfirmAfter is how long after the start an unconfirmed placement
	// is reported (PlacementUnconfirmed).
	ConfirmAfter time.Duration
	// LinkTTL is how long an employer link stays valid.
	LinkTTL time.Duration
	// MinAllowanceCents is the regional minimum monthly allowance of a
	// tirocinio extracurricolare.
	MinAllowanceCents int
	Match             match.Config
	// Now is the clock; nil means time.Now. Tests move it.
	Now func() time.Time
}

// DefaultConfig is used unless configured otherwise.
var DefaultConfig = Config{
	ConfirmAfter:      7 * 24 * time.Hour,
	LinkTTL:           14 * 24 * time.Hour,
	MinAllowanceCents: 50000,
	Match:             match.DefaultConfig,
}

// Service holds the use cases, by area: profiles.go, vacancies.go,
// matching.go, proposals.go, placements.go and links.go.
type Service struct {
	profiles   *store.Profiles
	employers  *store.Employers
	vacancies  *store.Vacancies
	proposals  *store.Proposals
	placements *store.Placements
	links      *link.Signer
	cfg        Config
	now        func() time.Time
	newID      func() string
}

// NewService returns the use cases over the given stores.
func NewService(st store.Stores, links *link.Signer, cfg Config, newID func() string) *Service {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Service{
		profiles: st.Profiles, employers: st.Employers, vacancies: st.Vacancies, proposals: st.Proposals,
		placements: st.Placements, links: links, cfg: cfg, now: now, newID: newID,
	}
}

func caller(ctx context.Context) (auth.Principal, error) {
	p, ok := auth.From(ctx)
	if !ok {
		return p, errcode.New(errcode.Unauthorized, "authorization", "a signed-in user is required")
	}
	return p, nil
}
