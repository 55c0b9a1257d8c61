package allinone

import (
	"context"
	"fmt"
	"time"

	"github.com/percorsi/percorsi/pkg/auth"
	pathwaydomain "github.com/percorsi/percorsi/services/pathway/domain"
)

// seedCaseWorkerDemo gives Amina K. and Joy O. what the case worker's
// pathway page shows beyond the timeline: the programme, an individual
// plan and an art. 18 permit whose expiry comes close, recorded through
// the pathway use cases so that their events and alerts follow as in
// real use. Running it again changes nothing.
func seedCaseWorkerDemo(ctx context.Context, s *System, now time.Time) error {
	giulia := auth.With(ctx, demoUsers["giulia.bianchi"])
	svc := s.Pathway.Service
	for i, p := range demoPeople[:2] {
		person, err := svc.Person(giulia, p.Pseudonym)
		if err != nil {
			return fmt.Errorf("demo pathway %s: %w", p.Pseudonym, err)
		}
		if person.Plan.Revision == 0 {
			goals := []pathwaydomain.Goal{
				{Domain: pathwaydomain.Italian, Title: "Certificazione di italiano A2", Target: now.AddDate(0, 3, 0), FollowBy: "maria.rossi"},
				{Domain: pathwaydomain.Work, Title: "Tirocinio come aiuto cuoca", Target: now.AddDate(0, 6, 0), FollowBy: "elena.ferri"},
				{Domain: pathwaydomain.Housing, Title: "Appartamento di semi-autonomia", Target: now.AddDate(0, 8, 0), FollowBy: "marta.gallo"},
			}
			if _, err := svc.UpdatePlan(giulia, p.Pseudonym, goals); err != nil {
				return fmt.Errorf("demo plan %s: %w", p.Pseudonym, err)
			}
		}
		if len(person.Permits) == 0 {
			// Six months, issued so that it expires in 40 and 75 days.
			until := now.AddDate(0, 0, 40+35*i).Truncate(24 * time.Hour)
			permit := pathwaydomain.Permit{Kind: pathwaydomain.PermitSpecialCases, ValidFrom: until.AddDate(0, -6, 0), ValidUntil: until, MayWork: true}
			if _, err := svc.RecordPermit(giulia, p.Pseudonym, permit); err != nil {
				return fmt.Errorf("demo permit %s: %w", p.Pseudonym, err)
			}
		}
	}
	return nil
}
