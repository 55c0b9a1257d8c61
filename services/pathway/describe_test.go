package pathway

import (
	"testing"
	"time"

	"github.com/percorsi/percorsi/services/pathway/domain"
)

func TestDescribe(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		fact   domain.Fact
		it, en string
	}{
		{domain.Fact{Kind: "housing_step_started", Level: "semi_autonomy_flat"},
			"Ingresso in appartamento di semi-autonomia il 01/06/2026", "Moved into a semi-autonomy flat on 01/06/2026"},
		{domain.Fact{Kind: "alert_raised", Detail: "placement_unconfirmed"},
			`Allerta "inserimento non confermato" del 01/06/2026`, `Alert "placement unconfirmed" on 01/06/2026`},
		{domain.Fact{Kind: "pathway_closed", Detail: "autonomy_reached"},
			"Percorso chiuso il 01/06/2026 (autonomia raggiunta)", "Pathway closed on 01/06/2026 (autonomy reached)"},
		{domain.Fact{Kind: "permit_recorded", Level: "work_employed"},
			"Permesso di soggiorno lavoro subordinato registrato il 01/06/2026", "Residence permit employed work recorded on 01/06/2026"},
		{domain.Fact{Kind: "level_assessed", Detail: "italian_l2", Level: "a2"},
			"Valutazione di Italiano L2 del 01/06/2026: livello a2", "Italian L2 assessment on 01/06/2026: level a2"},
	} {
		e := domain.Entry{OccurredAt: at, Fact: &tc.fact}
		if got := describe(e, "it"); got != tc.it {
			t.Errorf("it: %q, want %q", got, tc.it)
		}
		if got := describe(e, "en"); got != tc.en {
			t.Errorf("en: %q, want %q", got, tc.en)
		}
	}
	if got := describe(domain.Entry{OccurredAt: at, Type: "percorsi.x.v1.New"}, "fr"); got != "Evento percorsi.x.v1.New del 01/06/2026" {
		t.Errorf("unknown type in an unknown language: %q", got)
	}
}
