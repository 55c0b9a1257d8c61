package jobs_test

import (
	"testing"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/services/jobs"
	"github.com/percorsi/percorsi/services/jobs/domain"
)

// A fact delivered again changes nothing, an older fact never overwrites a
// newer one, and facts kept before the counsellor opens the profile are
// there when she does.
func TestFactsAreAppliedOnceAndNewestWins(t *testing.T) {
	f := start(t)
	ctx := t.Context()
	apply := func(fact jobs.ProfileFact) {
		t.Helper()
		if err := f.app.Service.ApplyFact(ctx, &fact); err != nil {
			t.Fatal(err)
		}
	}
	b1 := jobs.ProfileFact{EventID: "e-b1", Person: "ps-1", OccurredAt: today.AddDate(0, 0, -1), Italian: domain.B1}
	apply(b1)
	apply(jobs.ProfileFact{EventID: "e-a1", Person: "ps-1", OccurredAt: today.AddDate(0, -2, 0), Italian: domain.A1})
	apply(jobs.ProfileFact{EventID: "e-q", Person: "ps-1", OccurredAt: today, Skills: []string{"esco:haccp"},
		Qualification: &domain.Qualification{Code: "LAZ-1", Region: "Lazio", Title: "Operatore della ristorazione", EQF: 3}})
	f.must(t, "counsellor", "PUT", "/v1/profiles/ps-1", profileBody("Amina K.", `{"code":"esco:haccp","evidence":"declared"}`), 200, nil)

	counsellor := auth.With(ctx, auth.Principal{Subject: "sara", Role: auth.Counsellor, Organisation: "coop-aurora"})
	before, err := f.app.Service.Profile(counsellor, "ps-1")
	if err != nil {
		t.Fatal(err)
	}
	if before.Italian != domain.B1 || len(before.Qualifications) != 1 || len(before.Skills) != 1 || before.Skills[0].Evidence != domain.Certified {
		t.Fatalf("profile %+v", before)
	}
	b1.Italian = domain.C2 // the same event id again, whatever it says
	apply(b1)
	after, err := f.app.Service.Profile(counsellor, "ps-1")
	if err != nil || after.Version != before.Version || after.Italian != domain.B1 {
		t.Fatalf("redelivered fact: version %d -> %d, Italian %s (%v)", before.Version, after.Version, after.Italian, err)
	}
}
