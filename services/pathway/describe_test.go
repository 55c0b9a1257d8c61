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

func TestExplain(t *testing.T) {
	t.Parallel()
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, tc := range []struct {
		why    domain.Reason
		it, en string
	}{
		{domain.Reason{Code: domain.ReasonCEFRReached, On: day("2026-03-02"), Level: "b1", Want: "a2"},
			"Livello QCER b1 raggiunto il 02/03/2026 (richiesto: a2)", "CEFR level b1 reached on 02/03/2026 (a2 required)"},
		{domain.Reason{Code: domain.ReasonDigCompBelow, On: day("2026-03-02"), Level: "2", Want: "3"},
			"Livello DigComp 2 il 02/03/2026, sotto il livello richiesto 3", "DigComp level 2 on 02/03/2026, below the 3 required"},
		{domain.Reason{Code: domain.ReasonAttendingCourse, On: day("2026-09-01"), Detail: "italian_l2"},
			"Frequenta il corso di Italiano L2 (lezione del 01/09/2026)", "Attending the Italian L2 course (lesson of 01/09/2026)"},
		{domain.Reason{Code: domain.ReasonPlacementLasted, On: day("2026-02-01"), Months: 3, Until: day("2026-05-01")},
			"Inserimento confermato dal datore di lavoro, iniziato il 01/02/2026: 3 mesi compiuti il 01/05/2026",
			"Placement confirmed by the employer, started on 01/02/2026: 3 months completed on 01/05/2026"},
		{domain.Reason{Code: domain.ReasonPlacementConfirmed, On: day("2026-02-01"), Months: 3, Until: day("2026-05-01")},
			"Inserimento confermato dal datore di lavoro, iniziato il 01/02/2026: i 3 mesi si compiono il 01/05/2026",
			"Placement confirmed by the employer, started on 01/02/2026: 3 months reached on 01/05/2026"},
		{domain.Reason{Code: domain.ReasonHousingStep, On: day("2026-06-01"), Level: "semi_autonomy_flat"},
			"In appartamento di semi-autonomia dal 01/06/2026", "In a semi-autonomy flat since 01/06/2026"},
		{domain.Reason{Code: domain.ReasonPermitUntil, On: day("2026-01-10"), Level: "special_cases_art18", Until: day("2027-02-10")},
			"Permesso di soggiorno casi speciali (art. 18) valido fino al 10/02/2027", "Residence permit special cases (art. 18) valid until 10/02/2027"},
		{domain.Reason{Code: domain.ReasonTrainingWithdrawn, On: day("2026-04-01"), Detail: "health"},
			"Ritiro dalla formazione professionale il 01/04/2026 (motivo: salute)", "Withdrew from vocational training on 01/04/2026 (reason: health)"},
		{domain.Reason{Code: domain.ReasonGroundsWork, On: day("2026-08-18")},
			"lavoro: inserimento confermato dal datore di lavoro dal 18/08/2026", "work: placement confirmed by the employer since 18/08/2026"},
		{domain.Reason{Code: domain.ReasonGroundsStudy, On: day("2026-10-05")},
			"studio: frequenta un corso (ultima lezione il 05/10/2026)", "study: attending a course (last lesson on 05/10/2026)"},
		{domain.Reason{Code: domain.ReasonNoGrounds},
			"nessun inserimento confermato e nessuna iscrizione attiva", "no confirmed placement and no active enrolment"},
		{domain.Reason{}, "", ""}, // an area with nothing yet
	} {
		if got := explain(tc.why, "it"); got != tc.it {
			t.Errorf("it: %q, want %q", got, tc.it)
		}
		if got := explain(tc.why, "en"); got != tc.en {
			t.Errorf("en: %q, want %q", got, tc.en)
		}
	}
	// Every code has its words in both languages.
	for _, lang := range []string{"it", "en"} {
		if len(reasons[lang]) != len(reasons["it"]) {
			t.Errorf("%s has %d reasons, it %d", lang, len(reasons[lang]), len(reasons["it"]))
		}
		for code := range reasons["it"] {
			if reasons[lang][code] == "" {
				t.Errorf("%s: no words for %s", lang, code)
			}
		}
	}
}
