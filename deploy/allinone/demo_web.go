package allinone

import (
	"context"
	"fmt"

	"github.com/percorsi/percorsi/pkg/process"
	"github.com/percorsi/percorsi/services/web"
	"github.com/percorsi/percorsi/services/web/domain"
)

// DemoPassword signs in every demo user on the pages. It is for the
// embedded demo only; the accounts of a real deployment have their own.
const DemoPassword = "percorsi-demo"

// demoDisplayNames are how the pages greet the demo users.
var demoDisplayNames = map[string]string{
	"maria.rossi": "Maria Rossi", "anna.conti": "Anna Conti", "paolo.neri": "Paolo Neri",
	"giulia.bianchi": "Giulia Bianchi", "luca.verdi": "Luca Verdi", "marta.gallo": "Marta Gallo",
	"elena.ferri": "Elena Ferri", "gino.esposito": "Gino Esposito", "franco.marino": "Franco Marino",
	"sofia.ricci": "Sofia Ricci",
}

// startWeb serves the pages, calling the services this system runs.
func (s *System) startWeb(ctx, runCtx context.Context, cfg Config, base process.Config) error {
	w, err := web.Open(ctx, web.Config{
		Config: base, PathwayGRPC: s.GRPCAddrs["pathway"], HousingGRPC: s.GRPCAddrs["housing"],
		CoursesGRPC: s.GRPCAddrs["courses"], TrainingGRPC: s.GRPCAddrs["training"], JobsGRPC: s.GRPCAddrs["jobs"],
		Resilience: cfg.WebResilience,
	}, cfg.Logger)
	if err != nil {
		return err
	}
	s.Web = w
	s.WebURL, err = s.serve(runCtx, w.Process, w.Pages, nil, cfg.Host, cfg.WebPort)
	return err
}

// seedWebAccounts gives every demo user an account on the pages, with
// DemoPassword. Running it again changes nothing.
func seedWebAccounts(ctx context.Context, s *System) error {
	hash, err := domain.HashPassword(DemoPassword)
	if err != nil {
		return err
	}
	for name, p := range demoUsers {
		a := &domain.Account{
			Username: name, DisplayName: demoDisplayNames[name], Role: p.Role, Organisation: p.Organisation, PasswordHash: hash,
		}
		if a.DisplayName == "" {
			a.DisplayName = name
		}
		if err := s.Web.Accounts.Put(ctx, a); err != nil {
			return fmt.Errorf("demo account %s: %w", name, err)
		}
	}
	return nil
}
