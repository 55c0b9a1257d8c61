package jobs

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // the zone must resolve in a scratch container too

	"github.com/percorsi/percorsi/pkg/httpkit"
	"github.com/percorsi/percorsi/services/jobs/domain"
	"github.com/percorsi/percorsi/services/jobs/match"
)

// rome is where the counsellors who read the reasons are.
var rome = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		panic(err) // embedded by time/tzdata: cannot happen
	}
	return loc
}()

// reasons put match.Reason in words. The arguments, by index: the
// person's Italian, the least level, N, Most, the day On, the day Until,
// the sector, the contract, the shift, the shifts the person works, how
// many of the skills the person has, how many skills, N days in words
// (one day in the singular). The skills themselves follow a skills
// reason, as the data names them.
var reasons = map[string]map[match.ReasonCode]string{
	"it": {
		match.ReasonSkillsNoneAsked:      "l'offerta non chiede competenze specifiche",
		match.ReasonSkillsRequired:       "richieste %[11]d su %[12]d",
		match.ReasonSkillsDesirable:      "gradite %[11]d su %[12]d",
		match.ReasonItalianMinimum:       "italiano %[1]s; minimo richiesto %[2]s",
		match.ReasonItalianReference:     "italiano %[1]s; nessun minimo richiesto (riferimento %[2]s)",
		match.ReasonDistance:             "%[3]d km, spostamento massimo %[4]d km",
		match.ReasonAvailableByStart:     "disponibile per l'inizio del %[5]s",
		match.ReasonAvailableLate:        "disponibile dal %[5]s, %[13]s dopo l'inizio",
		match.ReasonNoSectorPreference:   "nessuna preferenza di settore",
		match.ReasonSectorPreferred:      "settore %[7]s tra i preferiti",
		match.ReasonSectorNotPreferred:   "settore %[7]s non tra i preferiti",
		match.ReasonNoContractPreference: "nessuna preferenza di contratto",
		match.ReasonContractPreferred:    "contratto %[8]s tra i preferiti",
		match.ReasonContractNotPreferred: "contratto %[8]s non tra i preferiti",
		match.ReasonPermitUnknown:        "nessun permesso di soggiorno noto",
		match.ReasonPermitNoWork:         "il permesso di soggiorno non consente di lavorare",
		match.ReasonPermitExpires:        "il permesso di soggiorno scade il %[6]s, prima dell'inizio del %[5]s",
		match.ReasonItalianBelowMinimum:  "italiano %[1]s, sotto il minimo %[2]s",
		match.ReasonTooManyHours:         "%[3]d ore a settimana, più delle %[4]d che la persona può lavorare",
		match.ReasonShiftNotWorked:       "turno: %[9]s; la persona può lavorare: %[10]s",
	},
	"en": {
		match.ReasonSkillsNoneAsked:      "the vacancy asks for no specific skills",
		match.ReasonSkillsRequired:       "required %[11]d of %[12]d",
		match.ReasonSkillsDesirable:      "desirable %[11]d of %[12]d",
		match.ReasonItalianMinimum:       "Italian %[1]s; minimum %[2]s",
		match.ReasonItalianReference:     "Italian %[1]s; no minimum set (reference %[2]s)",
		match.ReasonDistance:             "%[3]d km, maximum commute %[4]d km",
		match.ReasonAvailableByStart:     "available by the start on %[5]s",
		match.ReasonAvailableLate:        "available from %[5]s, %[13]s after the start",
		match.ReasonNoSectorPreference:   "no sector preference",
		match.ReasonSectorPreferred:      "sector %[7]s preferred",
		match.ReasonSectorNotPreferred:   "sector %[7]s not among the preferred",
		match.ReasonNoContractPreference: "no contract preference",
		match.ReasonContractPreferred:    "contract %[8]s preferred",
		match.ReasonContractNotPreferred: "contract %[8]s not among the preferred",
		match.ReasonPermitUnknown:        "no permit known",
		match.ReasonPermitNoWork:         "the permit does not allow work",
		match.ReasonPermitExpires:        "the permit expires on %[6]s, before the start on %[5]s",
		match.ReasonItalianBelowMinimum:  "Italian %[1]s, below the minimum %[2]s",
		match.ReasonTooManyHours:         "%[3]d hours a week, more than the %[4]d the person can work",
		match.ReasonShiftNotWorked:       "%[9]s shift; the person can work %[10]s",
	},
}

// words are the codes a reason names that have words of their own
// (evidence, contracts, shifts, no level), a day and days, and the words
// around a list of skills and a batch's explanation.
var words = map[string]map[string]string{
	"it": {
		"declared": "dichiarata", "assessed": "verificata", "certified": "certificata",
		"internship": "tirocinio extracurricolare", "apprenticeship": "apprendistato",
		"fixed_term": "tempo determinato", "permanent": "tempo indeterminato",
		"morning": "mattina", "afternoon": "pomeriggio", "evening": "sera", "night": "notte",
		"none": "nessuno", "day": "1 giorno", "days": "%d giorni",
		"lacks": "mancanti: %s",
		"batch": "Le %d coppie hanno il punteggio totale più alto possibile (%d) con un posto per persona e al più i posti di ogni offerta; " +
			"prendendo ogni volta la migliore coppia rimasta il totale sarebbe %d. Le persone lasciate fuori erano idonee solo dove un'altra aggiunge di più al totale.",
		"left_out":     "offerta più adatta %q (punteggio %d); i suoi posti sono andati a punteggi %v",
		"adds_nothing": "offerta più adatta %q con punteggio %d, che non aggiunge nulla al totale",
	},
	"en": {
		"declared": "declared", "assessed": "assessed", "certified": "certified",
		"internship": "internship", "apprenticeship": "apprenticeship",
		"fixed_term": "fixed term", "permanent": "permanent",
		"morning": "morning", "afternoon": "afternoon", "evening": "evening", "night": "night",
		"none": "none", "day": "1 day", "days": "%d days",
		"lacks": "lacks %s",
		"batch": "The %d pairs have the greatest total score possible (%d) with one position per person and at most the positions of each vacancy; " +
			"taking the best remaining pair each time would total %d. People left out were eligible only where someone else adds more to the total.",
		"left_out":     "best fit %q (score %d); its positions went to scores %v",
		"adds_nothing": "best fit %q scores %d, which adds nothing to the total",
	},
}

// explain says a reason in plain Italian or English, its days as
// dd/mm/yyyy in Rome; a code without words says itself.
func explain(r match.Reason, l string) string {
	l = httpkit.Lang(l)
	format, ok := reasons[l][r.Code]
	if !ok {
		return string(r.Code)
	}
	w := words[l]
	s := format
	if strings.Contains(format, "%") { // Sprintf would complain of the arguments a plain text has no use for
		shifts := make([]string, len(r.Shifts))
		for i, sh := range r.Shifts {
			shifts[i] = label(w, string(sh))
		}
		s = fmt.Sprintf(format, level(w, r.Italian), level(w, r.Least), r.N, r.Most, dayText(r.On), dayText(r.Until),
			r.Sector, label(w, string(r.Contract)), label(w, string(r.Shift)), strings.Join(shifts, ", "), len(r.Held), len(r.Held)+len(r.Lacks), days(w, r.N))
	}
	if len(r.Held) > 0 {
		held := make([]string, len(r.Held))
		for i, sk := range r.Held {
			held[i] = sk.Code + " (" + label(w, sk.Evidence.String()) + ")"
		}
		s += ": " + strings.Join(held, ", ")
	}
	if len(r.Lacks) > 0 {
		s += "; " + fmt.Sprintf(w["lacks"], strings.Join(r.Lacks, ", "))
	}
	return s
}

// explainAll says a part's reasons one after the other.
func explainAll(rs []match.Reason, l string) string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = explain(r, l)
	}
	return strings.Join(out, "; ")
}

// label is a code in words, or the code itself when there are none.
func label(w map[string]string, code string) string {
	if s, ok := w[code]; ok {
		return s
	}
	return code
}

// days says n days, one in the singular.
func days(w map[string]string, n int) string {
	if n == 1 {
		return w["day"]
	}
	return fmt.Sprintf(w["days"], n)
}

func level(w map[string]string, l domain.Level) string {
	if l == domain.NoLevel {
		return w["none"]
	}
	return l.String()
}

// dayText writes a date as dd/mm/yyyy in Rome; no date is "".
func dayText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(rome).Format("02/01/2006")
}
