package pathway

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // the zone must resolve in a scratch container too

	"github.com/percorsi/percorsi/pkg/httpkit"
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
	},
	"en": {
		"italian_l2": "Italian L2", "digital": "computer skills", "vocational": "vocational training",
		"present": "Present", "late": "Late", "absent": "Absent", "excused": "Excused absence",
		"lesson":     "%s at the %s lesson of %s (%d of %d minutes)",
		"correction": "Register of %[2]s corrected on %[3]s: %[1]s (was: %[6]s), %[4]d of %[5]d minutes",
		"other":      "Event %s on %s",
	},
}

// facts say what a fact means: the day, its detail, its level, whether
// attendance was reached, then minutes done, in all and planned.
var facts = map[string]map[domain.FactKind]string{
	"it": {
		domain.FactLevelAssessed:        "Valutazione di %[2]s del %[1]s: livello %[3]s",
		domain.FactQualificationAwarded: "Qualifica professionale conseguita il %[1]s (EQF %[3]s)",
		domain.FactCompetencesCertified: "Competenze certificate il %[1]s",
		domain.FactEnrolledInTraining:   "Iscrizione al corso di formazione professionale %[2]s (EQF %[3]s) il %[1]s",
		domain.FactEnrolledInCourse:     "Iscrizione al corso di %[2]s il %[1]s",
		domain.FactCourseCompleted:      "Corso di %[2]s concluso il %[1]s",
		domain.FactCertificateIssued:    "Attestato del corso di %[2]s rilasciato il %[1]s (livello %[3]s)",
		domain.FactCourseWithdrawn:      "Ritiro dal corso di %[2]s il %[1]s (motivo: %[3]s)",
		domain.FactModuleCompleted:      "Modulo di %[2]s concluso il %[1]s (%[4]s)",
		domain.FactInternshipHours:      "Tirocinio curricolare: %[5]s il %[1]s (%[6]s su %[7]s)",
		domain.FactExamTaken:            "Esame finale del %[1]s: %[2]s (punteggio %[3]s/100)",
		domain.FactTrainingWithdrawn:    "Ritiro dal corso di formazione professionale il %[1]s (motivo: %[2]s)",
		domain.FactMatchProposed:        "Candidatura proposta per un'offerta di lavoro il %[1]s",
		domain.FactInterviewHeld:        "Colloquio di lavoro del %[1]s: %[2]s",
		domain.FactPlacementFollowUp:    "Verifica dell'inserimento a %[3]s mesi, il %[1]s: %[2]s",
		domain.FactHousingStepEnded:     "Uscita da %[3]s il %[1]s (%[2]s)",
		domain.FactRentSupportGranted:   "Contributo all'affitto concesso il %[1]s per %[3]s mesi",
		domain.FactHousingOfferProposed: "Proposta di alloggio il %[1]s (%[2]s)",
		domain.FactPlacementStarted:     "Inserimento lavorativo (%[2]s) iniziato il %[1]s",
		domain.FactPlacementConfirmed:   "Inserimento lavorativo confermato dal datore di lavoro il %[1]s",
		domain.FactPlacementUnconfirmed: "Inserimento lavorativo non confermato dal datore di lavoro (%[1]s)",
		domain.FactPlacementEnded:       "Inserimento lavorativo concluso il %[1]s (%[2]s)",
		domain.FactHousingStepStarted:   "Ingresso in %[3]s il %[1]s",
		domain.FactLeaseSigned:          "Contratto di affitto proprio firmato il %[1]s",
		domain.FactHousingExited:        "Uscita dall'accoglienza il %[1]s (destinazione: %[2]s)",
		domain.FactTakenInCharge:        "Presa in carico il %[1]s (programma %[2]s)",
		domain.FactPermitRecorded:       "Permesso di soggiorno %[3]s registrato il %[1]s",
		domain.FactPlanUpdated:          "Progetto individuale aggiornato il %[1]s (revisione %[3]s)",
		domain.FactAlertRaised:          "Allerta \"%[2]s\" del %[1]s",
		domain.FactAlertResolved:        "Allerta \"%[2]s\" chiusa il %[1]s",
		domain.FactTransferRequested:    "Trasferimento richiesto il %[1]s verso %[2]s",
		domain.FactPersonTransferred:    "Trasferimento a %[2]s accettato il %[1]s",
		domain.FactPathwayClosed:        "Percorso chiuso il %[1]s (%[2]s)",
	},
	"en": {
		domain.FactLevelAssessed:        "%[2]s assessment on %[1]s: level %[3]s",
		domain.FactQualificationAwarded: "Vocational qualification awarded on %[1]s (EQF %[3]s)",
		domain.FactCompetencesCertified: "Competences certified on %[1]s",
		domain.FactEnrolledInTraining:   "Enrolled in vocational course %[2]s (EQF %[3]s) on %[1]s",
		domain.FactEnrolledInCourse:     "Enrolled in a %[2]s course on %[1]s",
		domain.FactCourseCompleted:      "%[2]s course completed on %[1]s",
		domain.FactCertificateIssued:    "%[2]s certificate issued on %[1]s (level %[3]s)",
		domain.FactCourseWithdrawn:      "Withdrew from the %[2]s course on %[1]s (reason: %[3]s)",
		domain.FactModuleCompleted:      "Module of %[2]s completed on %[1]s (%[4]s)",
		domain.FactInternshipHours:      "Internship: %[5]s on %[1]s (%[6]s of %[7]s)",
		domain.FactExamTaken:            "Final exam on %[1]s: %[2]s (score %[3]s/100)",
		domain.FactTrainingWithdrawn:    "Withdrew from vocational training on %[1]s (reason: %[2]s)",
		domain.FactMatchProposed:        "Proposed for a vacancy on %[1]s",
		domain.FactInterviewHeld:        "Job interview on %[1]s: %[2]s",
		domain.FactPlacementFollowUp:    "Placement follow-up at %[3]s months, on %[1]s: %[2]s",
		domain.FactHousingStepEnded:     "Left %[3]s on %[1]s (%[2]s)",
		domain.FactRentSupportGranted:   "Rent support granted on %[1]s for %[3]s months",
		domain.FactHousingOfferProposed: "Housing offer proposed on %[1]s (%[2]s)",
		domain.FactPlacementStarted:     "Work placement (%[2]s) started on %[1]s",
		domain.FactPlacementConfirmed:   "Work placement confirmed by the employer on %[1]s",
		domain.FactPlacementUnconfirmed: "Work placement not confirmed by the employer (%[1]s)",
		domain.FactPlacementEnded:       "Work placement ended on %[1]s (%[2]s)",
		domain.FactHousingStepStarted:   "Moved into %[3]s on %[1]s",
		domain.FactLeaseSigned:          "Own lease signed on %[1]s",
		domain.FactHousingExited:        "Left the accommodation on %[1]s (destination: %[2]s)",
		domain.FactTakenInCharge:        "Taken in charge on %[1]s (programme %[2]s)",
		domain.FactPermitRecorded:       "Residence permit %[3]s recorded on %[1]s",
		domain.FactPlanUpdated:          "Individual plan updated on %[1]s (revision %[3]s)",
		domain.FactAlertRaised:          "Alert \"%[2]s\" on %[1]s",
		domain.FactAlertResolved:        "Alert \"%[2]s\" closed on %[1]s",
		domain.FactTransferRequested:    "Transfer to %[2]s requested on %[1]s",
		domain.FactPersonTransferred:    "Transfer to %[2]s accepted on %[1]s",
		domain.FactPathwayClosed:        "Pathway closed on %[1]s (%[2]s)",
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
	if _, ok := words[lang]; !ok {
		lang = "it"
	}
	w := words[lang]
	on := day(e.OccurredAt)
	if a := e.Attendance; a != nil {
		if a.Correction {
			return fmt.Sprintf(w["correction"], w[a.Status], w[a.CourseKind], on, a.Minutes, a.LessonMinutes, label(lang, a.PreviousStatus))
		}
		return fmt.Sprintf(w["lesson"], w[a.Status], w[a.CourseKind], on, a.Minutes, a.LessonMinutes)
	}
	if f := e.Fact; f != nil {
		if format, ok := facts[lang][f.Kind]; ok {
			reached := "not_reached"
			if f.Flag {
				reached = "reached"
			}
			return fmt.Sprintf(format, on, label(lang, f.Detail), label(lang, f.Level), label(lang, reached),
				duration(f.Minutes), duration(f.Total), duration(f.Planned))
		}
	}
	return fmt.Sprintf(w["other"], e.Type, on)
}

// reasons put domain.Reason in words. The arguments, by index: the day
// of the fact, the later day, the level, the level asked, the months, the
// detail (a course kind, a withdrawal reason, in words where there are).
var reasons = map[string]map[domain.ReasonCode]string{
	"it": {
		domain.ReasonAttendingCourse:      "Frequenta il corso di %[6]s (lezione del %[1]s)",
		domain.ReasonAttendingTraining:    "Frequenta la formazione professionale (lezione del %[1]s)",
		domain.ReasonEnrolledInCourse:     "Iscrizione al corso di %[6]s il %[1]s",
		domain.ReasonCEFRReached:          "Livello QCER %[3]s raggiunto il %[1]s (richiesto: %[4]s)",
		domain.ReasonCEFRBelow:            "Livello QCER %[3]s il %[1]s, sotto il livello richiesto %[4]s",
		domain.ReasonDigCompReached:       "Livello DigComp %[3]s raggiunto il %[1]s (richiesto: %[4]s)",
		domain.ReasonDigCompBelow:         "Livello DigComp %[3]s il %[1]s, sotto il livello richiesto %[4]s",
		domain.ReasonEnrolledInTraining:   "Iscrizione al corso di formazione professionale %[6]s (EQF %[3]s) il %[1]s",
		domain.ReasonModuleCompleted:      "Modulo concluso il %[1]s",
		domain.ReasonInternshipHours:      "Ore di tirocinio curricolare il %[1]s",
		domain.ReasonExamTaken:            "Esame finale il %[1]s",
		domain.ReasonQualification:        "Qualifica professionale EQF %[3]s conseguita il %[1]s",
		domain.ReasonCompetencesCertified: "Competenze certificate il %[1]s",
		domain.ReasonTrainingWithdrawn:    "Ritiro dalla formazione professionale il %[1]s (motivo: %[6]s)",
		domain.ReasonPlacementStarted:     "Inserimento lavorativo iniziato il %[1]s, non ancora confermato dal datore di lavoro",
		domain.ReasonPlacementConfirmed:   "Inserimento confermato dal datore di lavoro, iniziato il %[1]s: i %[5]d mesi si compiono il %[2]s",
		domain.ReasonPlacementLasted:      "Inserimento confermato dal datore di lavoro, iniziato il %[1]s: %[5]d mesi compiuti il %[2]s",
		domain.ReasonHired:                "Assunzione al termine dell'inserimento il %[1]s",
		domain.ReasonOwnLease:             "In casa in affitto propria dal %[1]s",
		domain.ReasonHousingStep:          "In %[3]s dal %[1]s",
		domain.ReasonLeaseSigned:          "Contratto di affitto proprio firmato il %[1]s",
		domain.ReasonPermit:               "Permesso di soggiorno %[3]s registrato il %[1]s",
		domain.ReasonPermitUntil:          "Permesso di soggiorno %[3]s valido fino al %[2]s",
		domain.ReasonGroundsWork:          "lavoro: inserimento confermato dal datore di lavoro dal %[1]s",
		domain.ReasonGroundsStudy:         "studio: frequenta un corso (ultima lezione il %[1]s)",
		domain.ReasonNoGrounds:            "nessun inserimento confermato e nessuna iscrizione attiva",
	},
	"en": {
		domain.ReasonAttendingCourse:      "Attending the %[6]s course (lesson of %[1]s)",
		domain.ReasonAttendingTraining:    "Attending vocational training (lesson of %[1]s)",
		domain.ReasonEnrolledInCourse:     "Enrolled in a %[6]s course on %[1]s",
		domain.ReasonCEFRReached:          "CEFR level %[3]s reached on %[1]s (%[4]s required)",
		domain.ReasonCEFRBelow:            "CEFR level %[3]s on %[1]s, below the %[4]s required",
		domain.ReasonDigCompReached:       "DigComp level %[3]s reached on %[1]s (%[4]s required)",
		domain.ReasonDigCompBelow:         "DigComp level %[3]s on %[1]s, below the %[4]s required",
		domain.ReasonEnrolledInTraining:   "Enrolled in vocational course %[6]s (EQF %[3]s) on %[1]s",
		domain.ReasonModuleCompleted:      "Module completed on %[1]s",
		domain.ReasonInternshipHours:      "Internship hours on %[1]s",
		domain.ReasonExamTaken:            "Final exam on %[1]s",
		domain.ReasonQualification:        "Vocational qualification EQF %[3]s awarded on %[1]s",
		domain.ReasonCompetencesCertified: "Competences certified on %[1]s",
		domain.ReasonTrainingWithdrawn:    "Withdrew from vocational training on %[1]s (reason: %[6]s)",
		domain.ReasonPlacementStarted:     "Work placement started on %[1]s, not yet confirmed by the employer",
		domain.ReasonPlacementConfirmed:   "Placement confirmed by the employer, started on %[1]s: %[5]d months reached on %[2]s",
		domain.ReasonPlacementLasted:      "Placement confirmed by the employer, started on %[1]s: %[5]d months completed on %[2]s",
		domain.ReasonHired:                "Hired at the end of the placement on %[1]s",
		domain.ReasonOwnLease:             "In a home of one's own since %[1]s",
		domain.ReasonHousingStep:          "In %[3]s since %[1]s",
		domain.ReasonLeaseSigned:          "Own lease signed on %[1]s",
		domain.ReasonPermit:               "Residence permit %[3]s recorded on %[1]s",
		domain.ReasonPermitUntil:          "Residence permit %[3]s valid until %[2]s",
		domain.ReasonGroundsWork:          "work: placement confirmed by the employer since %[1]s",
		domain.ReasonGroundsStudy:         "study: attending a course (last lesson on %[1]s)",
		domain.ReasonNoGrounds:            "no confirmed placement and no active enrolment",
	},
}

// explain says a reason in plain Italian or English, its days as the
// timeline writes them; a reason without a code says nothing.
func explain(r domain.Reason, lang string) string {
	lang = httpkit.Lang(lang)
	format, ok := reasons[lang][r.Code]
	switch {
	case !ok:
		return string(r.Code)
	case !strings.Contains(format, "%"):
		return format // Sprintf would complain of the arguments it has no use for
	}
	return fmt.Sprintf(format, day(r.On), day(r.Until), label(lang, r.Level), label(lang, r.Want), r.Months, label(lang, r.Detail))
}

// day writes a date as the timeline does, in Rome; no date is "".
func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(rome).Format("02/01/2006")
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
