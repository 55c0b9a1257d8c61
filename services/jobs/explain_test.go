package jobs

import (
	"testing"
	"time"

	"github.com/percorsi/percorsi/services/jobs/domain"
	"github.com/percorsi/percorsi/services/jobs/match"
)

// Every reason a score or an exclusion can give, in Italian and in
// English; the skills as the data names them.
func TestExplain(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	seen := map[match.ReasonCode]bool{}
	for _, tc := range []struct {
		why    match.Reason
		it, en string
	}{
		{match.Reason{Code: match.ReasonSkillsNoneAsked},
			"l'offerta non chiede competenze specifiche", "the vacancy asks for no specific skills"},
		{match.Reason{Code: match.ReasonSkillsRequired, Held: []domain.Skill{{Code: "esco:prepare-food", Evidence: domain.Certified}, {Code: "s2", Evidence: domain.Assessed}}},
			"richieste 2 su 2: esco:prepare-food (certificata), s2 (verificata)", "required 2 of 2: esco:prepare-food (certified), s2 (assessed)"},
		{match.Reason{Code: match.ReasonSkillsRequired, Held: []domain.Skill{{Code: "s1", Evidence: domain.Declared}}, Lacks: []string{"s2"}},
			"richieste 1 su 2: s1 (dichiarata); mancanti: s2", "required 1 of 2: s1 (declared); lacks s2"},
		{match.Reason{Code: match.ReasonSkillsDesirable, Lacks: []string{"s3", "s4"}},
			"gradite 0 su 2; mancanti: s3, s4", "desirable 0 of 2; lacks s3, s4"},
		{match.Reason{Code: match.ReasonItalianMinimum, Italian: domain.B1, Least: domain.A2},
			"italiano B1; minimo richiesto A2", "Italian B1; minimum A2"},
		{match.Reason{Code: match.ReasonItalianReference, Italian: domain.PreA1, Least: domain.A2},
			"italiano pre-A1; nessun minimo richiesto (riferimento A2)", "Italian pre-A1; no minimum set (reference A2)"},
		{match.Reason{Code: match.ReasonDistance, N: 12, Most: 20},
			"12 km, spostamento massimo 20 km", "12 km, maximum commute 20 km"},
		{match.Reason{Code: match.ReasonAvailableByStart, On: start},
			"disponibile per l'inizio del 01/12/2026", "available by the start on 01/12/2026"},
		{match.Reason{Code: match.ReasonAvailableLate, On: start.AddDate(0, 0, 10), N: 10},
			"disponibile dal 11/12/2026, 10 giorni dopo l'inizio", "available from 11/12/2026, 10 days after the start"},
		{match.Reason{Code: match.ReasonAvailableLate, On: start.AddDate(0, 0, 1), N: 1},
			"disponibile dal 02/12/2026, 1 giorno dopo l'inizio", "available from 02/12/2026, 1 day after the start"},
		{match.Reason{Code: match.ReasonNoSectorPreference}, "nessuna preferenza di settore", "no sector preference"},
		{match.Reason{Code: match.ReasonSectorPreferred, Sector: "hospitality"}, "settore hospitality tra i preferiti", "sector hospitality preferred"},
		{match.Reason{Code: match.ReasonSectorNotPreferred, Sector: "cleaning"}, "settore cleaning non tra i preferiti", "sector cleaning not among the preferred"},
		{match.Reason{Code: match.ReasonNoContractPreference}, "nessuna preferenza di contratto", "no contract preference"},
		{match.Reason{Code: match.ReasonContractPreferred, Contract: domain.FixedTerm}, "contratto tempo determinato tra i preferiti", "contract fixed term preferred"},
		{match.Reason{Code: match.ReasonContractNotPreferred, Contract: domain.Internship},
			"contratto tirocinio extracurricolare non tra i preferiti", "contract internship not among the preferred"},
		{match.Reason{Code: match.ReasonPermitUnknown}, "nessun permesso di soggiorno noto", "no permit known"},
		{match.Reason{Code: match.ReasonPermitNoWork}, "il permesso di soggiorno non consente di lavorare", "the permit does not allow work"},
		{match.Reason{Code: match.ReasonPermitExpires, Until: start.AddDate(0, 0, -1), On: start},
			"il permesso di soggiorno scade il 30/11/2026, prima dell'inizio del 01/12/2026", "the permit expires on 30/11/2026, before the start on 01/12/2026"},
		{match.Reason{Code: match.ReasonItalianBelowMinimum, Italian: domain.NoLevel, Least: domain.A2},
			"italiano nessuno, sotto il minimo A2", "Italian none, below the minimum A2"},
		{match.Reason{Code: match.ReasonTooManyHours, N: 30, Most: 20},
			"30 ore a settimana, più delle 20 che la persona può lavorare", "30 hours a week, more than the 20 the person can work"},
		{match.Reason{Code: match.ReasonShiftNotWorked, Shift: domain.Morning, Shifts: []domain.Shift{domain.Afternoon, domain.Evening}},
			"turno: mattina; la persona può lavorare: pomeriggio, sera", "morning shift; the person can work afternoon, evening"},
	} {
		seen[tc.why.Code] = true
		if got := explain(tc.why, "it"); got != tc.it {
			t.Errorf("%s in it: %q, want %q", tc.why.Code, got, tc.it)
		}
		if got := explain(tc.why, "en"); got != tc.en {
			t.Errorf("%s in en: %q, want %q", tc.why.Code, got, tc.en)
		}
	}
	for code := range reasons["it"] {
		if !seen[code] {
			t.Errorf("%s: no case here", code)
		}
	}
	// A late day in Rome is still that day, a language unknown is Italian.
	if got := explain(match.Reason{Code: match.ReasonAvailableByStart, On: time.Date(2026, 6, 30, 23, 30, 0, 0, time.UTC)}, "de"); got != "disponibile per l'inizio del 01/07/2026" {
		t.Errorf("in Rome, in an unknown language: %q", got)
	}
}

// Every code has its words in both languages, and a part's reasons are
// said one after the other.
func TestReasonsInBothLanguages(t *testing.T) {
	t.Parallel()
	for code := range reasons["it"] {
		if reasons["en"][code] == "" {
			t.Errorf("en: no words for %s", code)
		}
	}
	for code := range reasons["en"] {
		if reasons["it"][code] == "" {
			t.Errorf("it: no words for %s", code)
		}
	}
	for key := range words["it"] {
		if words["en"][key] == "" {
			t.Errorf("en: no word for %s", key)
		}
	}
	if len(words["en"]) != len(words["it"]) {
		t.Errorf("en has %d words, it %d", len(words["en"]), len(words["it"]))
	}
	prefs := []match.Reason{{Code: match.ReasonSectorPreferred, Sector: "hospitality"}, {Code: match.ReasonContractNotPreferred, Contract: domain.Permanent}}
	if got := explainAll(prefs, "it"); got != "settore hospitality tra i preferiti; contratto tempo indeterminato non tra i preferiti" {
		t.Errorf("preferences in it: %q", got)
	}
}
