package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Languages the pages speak, Italian first: it is the default.
var languages = []string{"it", "en"}

// langCookie keeps the language a user chose.
const langCookie = "lang"

// language picks the page language: the user's choice, then the browser's
// preference, then Italian.
func language(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && known(c.Value) {
		return c.Value
	}
	best, bestQ := "it", -1.0
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if known(base) && q > bestQ {
			best, bestQ = base, q
		}
	}
	return best
}

func known(lang string) bool {
	for _, l := range languages {
		if l == lang {
			return true
		}
	}
	return false
}

// translate returns the message key in lang, formatted with args. A
// missing English text falls back to Italian, a missing key shows itself
// (a test checks that every key has both).
func translate(lang, key string, args ...any) string {
	msg, ok := catalogue[lang][key]
	if !ok {
		if msg, ok = catalogue["it"][key]; !ok {
			return key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

var monthsIT = [...]string{"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"}
var weekdaysIT = [...]string{"domenica", "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato"}

// longDate is a day written out, as people read it.
func longDate(lang string, t time.Time) string {
	if lang == "it" {
		return fmt.Sprintf("%s %d %s %d", weekdaysIT[t.Weekday()], t.Day(), monthsIT[t.Month()-1], t.Year())
	}
	return t.Format("Monday 2 January 2006")
}

// shortDateTime is a moment in a list.
func shortDateTime(lang string, t time.Time) string {
	if lang == "it" {
		return t.Format("02/01/2006 15:04")
	}
	return t.Format("2 Jan 2006 15:04")
}

// catalogue holds every text the pages show, by language and key.
var catalogue = map[string]map[string]string{
	"it": {
		"app.name":               "Percorsi",
		"app.skip":               "Vai al contenuto",
		"nav.home":               "Inizio",
		"nav.lessons":            "Lezioni di oggi",
		"nav.persons":            "Persone",
		"nav.signout":            "Esci",
		"nav.language":           "Lingua",
		"nav.signed_in_as":       "Accesso come %s",
		"lang.it":                "Italiano",
		"lang.en":                "English",
		"role.teacher":           "docente",
		"role.coordinator":       "coordinatrice o coordinatore dei corsi",
		"role.trainer":           "formatrice o formatore",
		"role.counsellor":        "orientatrice o orientatore al lavoro",
		"role.employer":          "datore di lavoro",
		"role.housing_worker":    "operatrice o operatore dell'abitare",
		"role.case_worker":       "operatrice o operatore di riferimento",
		"role.monitoring":        "monitoraggio",
		"signin.title":           "Accedi",
		"signin.intro":           "Accedi con il nome utente e la password che ti ha dato la tua organizzazione.",
		"signin.username":        "Nome utente",
		"signin.password":        "Password",
		"signin.submit":          "Accedi",
		"signin.failed":          "Nome utente o password non corretti.",
		"signin.limited":         "Troppi tentativi. Riprova tra %d minuti.",
		"signin.missing":         "Scrivi il nome utente e la password.",
		"signout.done":           "Sei uscita o uscito da Percorsi.",
		"home.title":             "Benvenuta, benvenuto",
		"home.role":              "Il tuo ruolo: %s (%s).",
		"home.nothing":           "Le pagine per il tuo ruolo non sono ancora pronte.",
		"lessons.title":          "Lezioni di oggi",
		"lessons.today":          "Oggi è %s.",
		"lessons.open_label":     "Codice della lezione",
		"lessons.open_hint":      "Per esempio lez-oggi-20261126: lo trovi nel calendario della classe.",
		"lessons.open":           "Apri il registro",
		"lessons.none":           "Oggi non hai lezioni.",
		"lessons.other":          "Un'altra lezione",
		"lessons.item":           "ore %s · %d minuti · %d iscritte e iscritti",
		"lessons.cancelled":      "annullata",
		"unavailable.lessons":    "Il servizio dei corsi non risponde in questo momento: l'elenco delle lezioni di oggi non è disponibile. Riprova tra poco.",
		"register.title":         "Registro",
		"register.lesson":        "Lezione del %s, %d minuti",
		"register.hint":          "Tutte le persone sono presenti. Tocca una persona per cambiare: assente, in ritardo (con i minuti di presenza), giustificata.",
		"register.present":       "Presente",
		"register.absent":        "Assente",
		"register.late":          "In ritardo",
		"register.excused":       "Giustificata",
		"register.minutes":       "Minuti di presenza di %s",
		"register.save":          "Salva il registro",
		"register.saved":         "Registro salvato.",
		"register.recorded":      "Registro salvato il %s.",
		"register.cancelled":     "Questa lezione è stata annullata.",
		"register.status_of":     "Presenza di %s",
		"register.count":         "%d presenti su %d",
		"register.check_minutes": "Controlla i minuti di presenza di %s: un numero tra 0 e %d.",
		"person.title":           "Percorso",
		"person.find_label":      "Pseudonimo della persona",
		"person.find":            "Apri il percorso",
		"person.hours":           "Ore per corso",
		"person.no_hours":        "Ancora nessuna ora registrata.",
		"person.timeline":        "Cronologia",
		"person.no_entries":      "Ancora nessun evento nel percorso.",
		"person.course":          "Corso",
		"person.hours_col":       "Ore",
		"course.italian_l2":      "Italiano L2",
		"course.digital":         "Competenze digitali",
		"error.title":            "Qualcosa non va",
		"error.forbidden":        "Non hai accesso a questa pagina.",
		"error.not_found":        "Non abbiamo trovato quello che cerchi.",
		"error.invalid":          "Controlla i dati: %s",
		"error.conflict":         "Il registro di questa lezione è già stato salvato con altri dati. Ricarica la pagina.",
		"error.internal":         "Si è verificato un errore. Riprova; se continua, avvisa l'assistenza.",
		"error.csrf":             "Il modulo è scaduto. Ricarica la pagina e riprova.",
		"error.signin_again":     "La sessione è scaduta: accedi di nuovo.",
		"unavailable.courses":    "Il servizio dei corsi non risponde in questo momento: il registro non è disponibile. Il resto di Percorsi funziona; riprova tra poco.",
		"unavailable.pathway":    "Il servizio del percorso non risponde in questo momento: la cronologia e le ore non sono disponibili. Riprova tra poco.",
		"unavailable.retry":      "Riprova",
	},
	"en": {
		"app.name":               "Percorsi",
		"app.skip":               "Skip to content",
		"nav.home":               "Home",
		"nav.lessons":            "Today's lessons",
		"nav.persons":            "People",
		"nav.signout":            "Sign out",
		"nav.language":           "Language",
		"nav.signed_in_as":       "Signed in as %s",
		"lang.it":                "Italiano",
		"lang.en":                "English",
		"role.teacher":           "teacher",
		"role.coordinator":       "course coordinator",
		"role.trainer":           "trainer",
		"role.counsellor":        "job counsellor",
		"role.employer":          "employer",
		"role.housing_worker":    "housing worker",
		"role.case_worker":       "case worker",
		"role.monitoring":        "monitoring",
		"signin.title":           "Sign in",
		"signin.intro":           "Sign in with the user name and password your organisation gave you.",
		"signin.username":        "User name",
		"signin.password":        "Password",
		"signin.submit":          "Sign in",
		"signin.failed":          "Wrong user name or password.",
		"signin.limited":         "Too many attempts. Try again in %d minutes.",
		"signin.missing":         "Enter your user name and password.",
		"signout.done":           "You have signed out of Percorsi.",
		"home.title":             "Welcome",
		"home.role":              "Your role: %s (%s).",
		"home.nothing":           "The pages for your role are not ready yet.",
		"lessons.title":          "Today's lessons",
		"lessons.today":          "Today is %s.",
		"lessons.open_label":     "Lesson code",
		"lessons.open_hint":      "For example lez-oggi-20261126: it is in the class calendar.",
		"lessons.open":           "Open the register",
		"lessons.none":           "You have no lessons today.",
		"lessons.other":          "Another lesson",
		"lessons.item":           "at %s · %d minutes · %d enrolled",
		"lessons.cancelled":      "cancelled",
		"unavailable.lessons":    "The courses service is not answering right now: today's lessons cannot be listed. Try again shortly.",
		"register.title":         "Register",
		"register.lesson":        "Lesson of %s, %d minutes",
		"register.hint":          "Everyone is present. Tap a person to change: absent, late (with the minutes attended), excused.",
		"register.present":       "Present",
		"register.absent":        "Absent",
		"register.late":          "Late",
		"register.excused":       "Excused",
		"register.minutes":       "Minutes attended by %s",
		"register.save":          "Save the register",
		"register.saved":         "Register saved.",
		"register.recorded":      "Register saved on %s.",
		"register.cancelled":     "This lesson was cancelled.",
		"register.status_of":     "Attendance of %s",
		"register.count":         "%d present out of %d",
		"register.check_minutes": "Check the minutes attended by %s: a number between 0 and %d.",
		"person.title":           "Pathway",
		"person.find_label":      "The person's pseudonym",
		"person.find":            "Open the pathway",
		"person.hours":           "Hours by course",
		"person.no_hours":        "No hours recorded yet.",
		"person.timeline":        "Timeline",
		"person.no_entries":      "Nothing on the pathway yet.",
		"person.course":          "Course",
		"person.hours_col":       "Hours",
		"course.italian_l2":      "Italian L2",
		"course.digital":         "Digital skills",
		"error.title":            "Something is wrong",
		"error.forbidden":        "You have no access to this page.",
		"error.not_found":        "We could not find what you are looking for.",
		"error.invalid":          "Please check the data: %s",
		"error.conflict":         "This lesson's register was already saved with other marks. Reload the page.",
		"error.internal":         "Something went wrong. Try again; if it persists, tell the help desk.",
		"error.csrf":             "The form has expired. Reload the page and try again.",
		"error.signin_again":     "Your session has expired: please sign in again.",
		"unavailable.courses":    "The courses service is not answering right now: the register is unavailable. The rest of Percorsi works; try again shortly.",
		"unavailable.pathway":    "The pathway service is not answering right now: the timeline and hours are unavailable. Try again shortly.",
		"unavailable.retry":      "Try again",
	},
}
