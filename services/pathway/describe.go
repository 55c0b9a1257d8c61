package pathway

import (
	"fmt"
	"time"
	_ "time/tzdata" // the zone must resolve in a scratch container too

	"github.com/percorsi/percorsi/services/pathway/domain"
)

// rome is where the people who read timelines are.
var rome = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		panic(err) // embedded by time/tzdata: cannot happen
	}
	return loc
}()

var words = map[string]map[string]string{
	"it": {
		"italian_l2": "Italiano L2", "digital": "informatica", "vocational": "formazione professionale",
		"present": "Presente", "late": "In ritardo", "absent": "Assente", "excused": "Assenza giustificata",
		"lesson":     "%s alla lezione di %s del %s (%d di %d minuti)",
		"correction": "Registro di %[2]s corretto il %[3]s: %[1]s (prima: %[6]s), %[4]d di %[5]d minuti",
		"other":      "Evento %s del %s",

		"level_assessed":         "Valutazione di %[2]s del %[1]s: livello %[3]s",
		"qualification_awarded":  "Qualifica professionale conseguita il %[1]s (EQF %[3]s)",
		"competences_certified":  "Competenze certificate il %[1]s",
		"enrolled_in_training":   "Iscrizione al corso di formazione professionale %[2]s (EQF %[3]s) il %[1]s",
		"enrolled_in_course":     "Iscrizione al corso di %[2]s il %[1]s",
		"course_completed":       "Corso di %[2]s concluso il %[1]s",
		"certificate_issued":     "Attestato del corso di %[2]s rilasciato il %[1]s (livello %[3]s)",
		"course_withdrawn":       "Ritiro dal corso di %[2]s il %[1]s (motivo: %[3]s)",
		"module_completed":       "Modulo di %[2]s concluso il %[1]s (%[4]s)",
		"internship_hours":       "Tirocinio curricolare: %[5]s il %[1]s (%[6]s su %[7]s)",
		"exam_taken":             "Esame finale del %[1]s: %[2]s (punteggio %[3]s/100)",
		"training_withdrawn":     "Ritiro dal corso di formazione professionale il %[1]s (motivo: %[2]s)",
		"match_proposed":         "Candidatura proposta per un'offerta di lavoro il %[1]s",
		"interview_held":         "Colloquio di lavoro del %[1]s: %[2]s",
		"placement_follow_up":    "Verifica dell'inserimento a %[3]s mesi, il %[1]s: %[2]s",
		"housing_step_ended":     "Uscita da %[3]s il %[1]s (%[2]s)",
		"rent_support_granted":   "Contributo all'affitto concesso il %[1]s per %[3]s mesi",
		"housing_offer_proposed": "Proposta di alloggio il %[1]s (%[2]s)",
		"placement_started":      "Inserimento lavorativo (%[2]s) iniziato il %[1]s",
		"placement_confirmed":    "Inserimento lavorativo confermato dal datore di lavoro il %[1]s",
		"placement_unconfirmed":  "Inserimento lavorativo non confermato dal datore di lavoro (%[1]s)",
		"placement_ended":        "Inserimento lavorativo concluso il %[1]s (%[2]s)",
		"housing_step_started":   "Ingresso in %[3]s il %[1]s",
		"lease_signed":           "Contratto di affitto proprio firmato il %[1]s",
		"housing_exited":         "Uscita dall'accoglienza il %[1]s (destinazione: %[2]s)",
		"taken_in_charge":        "Presa in carico il %[1]s (programma %[2]s)",
		"permit_recorded":        "Permesso di soggiorno %[3]s registrato il %[1]s",
		"plan_updated":           "Progetto individuale aggiornato il %[1]s (revisione %[3]s)",
		"alert_raised":           "Allerta \"%[2]s\" del %[1]s",
		"alert_resolved":         "Allerta \"%[2]s\" chiusa il %[1]s",
		"transfer_requested":     "Trasferimento richiesto il %[1]s verso %[2]s",
		"person_transferred":     "Trasferimento a %[2]s accettato il %[1]s",
		"pathway_closed":         "Percorso chiuso il %[1]s (%[2]s)",
	},
	"en": {
		"italian_l2": "Italian L2", "digital": "computer skills", "vocational": "vocational training",
		"present": "Present", "late": "Late", "absent": "Absent", "excused": "Excused absence",
		"lesson":     "%s at the %s lesson of %s (%d of %d minutes)",
		"correction": "Register of %[2]s corrected on %[3]s: %[1]s (was: %[6]s), %[4]d of %[5]d minutes",
		"other":      "Event %s on %s",

		"level_assessed":         "%[2]s assessment on %[1]s: level %[3]s",
		"qualification_awarded":  "Vocational qualification awarded on %[1]s (EQF %[3]s)",
		"competences_certified":  "Competences certified on %[1]s",
		"enrolled_in_training":   "Enrolled in vocational course %[2]s (EQF %[3]s) on %[1]s",
		"enrolled_in_course":     "Enrolled in a %[2]s course on %[1]s",
		"course_completed":       "%[2]s course completed on %[1]s",
		"certificate_issued":     "%[2]s certificate issued on %[1]s (level %[3]s)",
		"course_withdrawn":       "Withdrew from the %[2]s course on %[1]s (reason: %[3]s)",
		"module_completed":       "Module of %[2]s completed on %[1]s (%[4]s)",
		"internship_hours":       "Internship: %[5]s on %[1]s (%[6]s of %[7]s)",
		"exam_taken":             "Final exam on %[1]s: %[2]s (score %[3]s/100)",
		"training_withdrawn":     "Withdrew from vocational training on %[1]s (reason: %[2]s)",
		"match_proposed":         "Proposed for a vacancy on %[1]s",
		"interview_held":         "Job interview on %[1]s: %[2]s",
		"placement_follow_up":    "Placement follow-up at %[3]s months, on %[1]s: %[2]s",
		"housing_step_ended":     "Left %[3]s on %[1]s (%[2]s)",
		"rent_support_granted":   "Rent support granted on %[1]s for %[3]s months",
		"housing_offer_proposed": "Housing offer proposed on %[1]s (%[2]s)",
		"placement_started":      "Work placement (%[2]s) started on %[1]s",
		"placement_confirmed":    "Work placement confirmed by the employer on %[1]s",
		"placement_unconfirmed":  "Work placement not confirmed by the employer (%[1]s)",
		"placement_ended":        "Work placement ended on %[1]s (%[2]s)",
		"housing_step_started":   "Moved into %[3]s on %[1]s",
		"lease_signed":           "Own lease signed on %[1]s",
		"housing_exited":         "Left the accommodation on %[1]s (destination: %[2]s)",
		"taken_in_charge":        "Taken in charge on %[1]s (programme %[2]s)",
		"permit_recorded":        "Residence permit %[3]s recorded on %[1]s",
		"plan_updated":           "Individual plan updated on %[1]s (revision %[3]s)",
		"alert_raised":           "Alert \"%[2]s\" on %[1]s",
		"alert_resolved":         "Alert \"%[2]s\" closed on %[1]s",
		"transfer_requested":     "Transfer to %[2]s requested on %[1]s",
		"person_transferred":     "Transfer to %[2]s accepted on %[1]s",
		"pathway_closed":         "Pathway closed on %[1]s (%[2]s)",
	},
}

// labels name the codes facts carry (alert kinds, reasons, steps...).
var labels = map[string]map[string]string{
	"it": {
		"absence_streak": "assenze consecutive", "permit_without_grounds": "permesso in scadenza senza requisiti per la conversione",
		"placement_unconfirmed": "inserimento non confermato", "housing_exit_without_destination": "uscita dall'alloggio senza destinazione",
		"inactivity":       "nessuna attività",
		"autonomy_reached": "autonomia raggiunta", "assisted_voluntary_return": "rimpatrio volontario assistito",
		"dropped_out": "abbandono", "transferred": "trasferimento",
		"art18_social_integration": "art. 18", "art13_emersion": "art. 13",
		"internship": "tirocinio", "apprenticeship": "apprendistato", "fixed_term": "tempo determinato", "permanent": "tempo indeterminato",
		"completed": "completato", "resigned": "dimissioni", "dismissed": "licenziamento", "hired": "assunzione",
		"emergency_shelter": "pronta accoglienza", "protected_shelter": "struttura protetta", "semi_autonomy_flat": "appartamento di semi-autonomia",
		"host_family": "famiglia ospitante", "own_lease": "casa in affitto propria", "unknown": "sconosciuta", "homeless": "senza dimora",
		"special_cases_art18": "casi speciali (art. 18)", "work_employed": "lavoro subordinato", "work_self_employed": "lavoro autonomo", "study": "studio",
		"theory": "teoria", "practice": "pratica", "reached": "frequenza minima raggiunta", "not_reached": "frequenza minima non raggiunta",
		"passed": "superato", "failed": "non superato", "work": "lavoro", "moved": "trasferimento", "health": "salute",
		"family": "motivi familiari", "no_show": "mancata frequenza", "other": "altro",
		"accepted": "esito positivo", "rejected": "esito negativo", "withdrawn": "candidatura ritirata",
		"still_working": "lavora ancora", "not_working": "non lavora più",
		"moved_on": "passaggio ad altra sistemazione", "programme_completed": "programma concluso", "left_voluntarily": "uscita volontaria",
		"rules_breach": "violazione delle regole", "landlord": "proprietario privato", "agency": "agenzia", "public_programme": "programma pubblico",
	},
	"en": {
		"absence_streak": "absences in a row", "permit_without_grounds": "permit ending without grounds for conversion",
		"placement_unconfirmed": "placement unconfirmed", "housing_exit_without_destination": "housing exit without a destination",
		"inactivity":       "no activity",
		"autonomy_reached": "autonomy reached", "assisted_voluntary_return": "assisted voluntary return",
		"dropped_out": "dropped out", "transferred": "transferred",
		"art18_social_integration": "art. 18", "art13_emersion": "art. 13",
		"internship": "internship", "apprenticeship": "apprenticeship", "fixed_term": "fixed term", "permanent": "permanent",
		"completed": "completed", "resigned": "resigned", "dismissed": "dismissed", "hired": "hired",
		"emergency_shelter": "emergency shelter", "protected_shelter": "protected shelter", "semi_autonomy_flat": "a semi-autonomy flat",
		"host_family": "a host family", "own_lease": "a home of one's own", "unknown": "unknown", "homeless": "homeless",
		"special_cases_art18": "special cases (art. 18)", "work_employed": "employed work", "work_self_employed": "self-employment", "study": "study",
		"theory": "theory", "practice": "practice", "reached": "minimum attendance reached", "not_reached": "minimum attendance not reached",
		"passed": "passed", "failed": "failed", "work": "work", "moved": "moved", "health": "health",
		"family": "family reasons", "no_show": "no show", "other": "other",
		"accepted": "accepted", "rejected": "rejected", "withdrawn": "withdrawn",
		"still_working": "still working", "not_working": "no longer working",
		"moved_on": "moved on", "programme_completed": "programme completed", "left_voluntarily": "left voluntarily",
		"rules_breach": "rules breached", "landlord": "private landlord", "agency": "agency", "public_programme": "public programme",
	},
}

// describe says what an entry means, in plain Italian or English.
func describe(e domain.Entry, lang string) string {
	w, ok := words[lang]
	if !ok {
		w = words["it"]
	}
	day := e.OccurredAt.In(rome).Format("02/01/2006")
	if a := e.Attendance; a != nil {
		if a.Correction {
			return fmt.Sprintf(w["correction"], w[a.Status], w[a.CourseKind], day, a.Minutes, a.LessonMinutes, label(lang, a.PreviousStatus))
		}
		return fmt.Sprintf(w["lesson"], w[a.Status], w[a.CourseKind], day, a.Minutes, a.LessonMinutes)
	}
	if f := e.Fact; f != nil {
		if format, ok := w[f.Kind]; ok {
			reached := "not_reached"
			if f.Flag {
				reached = "reached"
			}
			return fmt.Sprintf(format, day, label(lang, f.Detail), label(lang, f.Level), label(lang, reached),
				duration(f.Minutes), duration(f.Total), duration(f.Planned))
		}
	}
	return fmt.Sprintf(w["other"], e.Type, day)
}

// label is a code in words, or the code itself when there are none.
func label(lang, code string) string {
	if _, ok := labels[lang]; !ok {
		lang = "it"
	}
	if l, ok := labels[lang][code]; ok {
		return l
	}
	if l, ok := words[lang][code]; ok && code != "" {
		return l
	}
	return code
}

// duration says minutes as hours and minutes: 4h, 3h30.
func duration(min int) string {
	if min%60 == 0 {
		return fmt.Sprintf("%dh", min/60)
	}
	return fmt.Sprintf("%dh%02d", min/60, min%60)
}
