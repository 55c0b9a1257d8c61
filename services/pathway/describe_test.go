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
		{domain.Fact{Kind: "interview_held", Detail: "accepted"},
			"Colloquio di lavoro del 01/06/2026: esito positivo", "Job interview on 01/06/2026: accepted"},
		{domain.Fact{Kind: "housing_step_ended", Level: "semi_autonomy_flat", Detail: "own_lease"},
			"Uscita da appartamento di semi-autonomia il 01/06/2026 (casa in affitto propria)", "Left a semi-autonomy flat on 01/06/2026 (a home of one's own)"},
		{domain.Fact{Kind: "placement_follow_up", Level: "3", Detail: "still_working"},
			"Verifica dell'inserimento a 3 mesi, il 01/06/2026: lavora ancora", "Placement follow-up at 3 months, on 01/06/2026: still working"},
		{domain.Fact{Kind: "enrolled_in_training", Detail: "LZ-AIUTO-CUOCO", Level: "3"},
			"Iscrizione al corso di formazione professionale LZ-AIUTO-CUOCO (EQF 3) il 01/06/2026", "Enrolled in vocational course LZ-AIUTO-CUOCO (EQF 3) on 01/06/2026"},
		{domain.Fact{Kind: "module_completed", Detail: "practice", Level: "m2", Flag: true},
			"Modulo di pratica concluso il 01/06/2026 (frequenza minima raggiunta)", "Module of practice completed on 01/06/2026 (minimum attendance reached)"},
		{domain.Fact{Kind: "internship_hours", Minutes: 270, Total: 2400, Planned: 9000},
			"Tirocinio curricolare: 4h30 il 01/06/2026 (40h su 150h)", "Internship: 4h30 on 01/06/2026 (40h of 150h)"},
		{domain.Fact{Kind: "exam_taken", Detail: "passed", Level: "78"},
			"Esame finale del 01/06/2026: superato (punteggio 78/100)", "Final exam on 01/06/2026: passed (score 78/100)"},
		{domain.Fact{Kind: "training_withdrawn", Detail: "other"},
			"Ritiro dal corso di formazione professionale il 01/06/2026 (motivo: altro)", "Withdrew from vocational training on 01/06/2026 (reason: other)"},
	} {
		e := domain.Entry{OccurredAt: at, Fact: &tc.fact}
		if got := describe(e, "it"); got != tc.it {
			t.Errorf("it: %q, want %q", got, tc.it)
		}
		if got := describe(e, "en"); got != tc.en {
			t.Errorf("en: %q, want %q", got, tc.en)
		}
	}
	for _, tc := range []struct {
		a      domain.Attendance
		it, en string
	}{
		{domain.Attendance{CourseKind: "vocational", Status: "late", Minutes: 200, LessonMinutes: 240},
			"In ritardo alla lezione di formazione professionale del 01/06/2026 (200 di 240 minuti)",
			"Late at the vocational training lesson of 01/06/2026 (200 of 240 minutes)"},
		{domain.Attendance{CourseKind: "vocational", Status: "present", Minutes: 240, LessonMinutes: 240, Correction: true, PreviousStatus: "absent"},
			"Registro di formazione professionale corretto il 01/06/2026: Presente (prima: Assente), 240 di 240 minuti",
			"Register of vocational training corrected on 01/06/2026: Present (was: Absent), 240 of 240 minutes"},
	} {
		e := domain.Entry{OccurredAt: at, Attendance: &tc.a}
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
