// Package i18n is the one catalogue of the pages' words: every text by
// language and key, its plural forms by x/text's plural rules, the page's
// language from the user's choice or the browser's, and dates as people
// read them. Italian is the default; English is available.
//
// Which side words what: the services answer a refusal with a code and
// the field it concerns (pkg/errcode), and the pages word it here, with
// the form's own label for the field; the service's English message shows
// only where a page labels no such field. That is the one way for all:
// a service does not know the page's labels or its reader's language,
// another client of the API wants a code and not prose, and one catalogue
// gives one place to add a language and one set of plural rules. The
// reasons of a match or of a stage (jobs' score parts and exclusions,
// housing's offer reasons, pathway's timeline, autonomy and legal
// grounds) are still worded by the services in the ?lang= web asks for,
// each with its own plural rules; they come here as codes with their
// figures when the services' contracts carry them, so that the pages show
// the same words from this catalogue.
package i18n

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"time"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// Languages the pages speak, Italian first: it is the default.
var Languages = []string{"it", "en"}

// Cookie keeps the language a user chose.
const Cookie = "lang"

var matcher = language.NewMatcher([]language.Tag{language.Italian, language.English})

// texts is every text of the pages by language and key.
var texts = map[string]map[string]string{"it": {}, "en": {}}

// singular are the texts whose count, argument arg (from 1), may take the
// singular; the text in texts is every other count's. Each language's
// plural rules choose.
var singular = map[string]struct {
	arg int
	one [2]string // Italian, English
}{
	"signin.limited":       {1, [2]string{"Troppi tentativi. Riprova tra %d minuto.", "Too many attempts. Try again in %d minute."}},
	"register.lesson":      {2, [2]string{"Lezione del %s, %d minuto", "Lesson of %s, %d minute"}},
	"class.lesson_minutes": {1, [2]string{"%d minuto", "%d minute"}},
	"jobs.hours":           {1, [2]string{"%d ora a settimana", "%d hour a week"}},
	"legal.days_left":      {1, [2]string{"Manca %d giorno alla scadenza.", "%d day left before it expires."}},
	"alerts.open":          {1, [2]string{"%d aperto", "%d open"}},
	"autonomy.chart_desc": {5, [2]string{
		"Da %s il %s a %s oggi, fase %s; %d cambiamento. Le cifre sono nella tabella che segue.",
		"From %s on %s to %s today, stage %s; %d change. The figures are in the table that follows.",
	}},
}

// printers format each language's texts from the catalogue.
var printers = map[string]*message.Printer{}

func init() {
	for _, part := range []map[string]map[string]string{pageTexts, pathwayTexts, monitoringTexts} {
		for lang, msgs := range part {
			maps.Copy(texts[lang], msgs)
		}
	}
	b := catalog.NewBuilder(catalog.Fallback(language.Italian))
	for i, lang := range Languages {
		tag := language.Make(lang)
		for key, text := range texts[lang] {
			var err error
			if s, ok := singular[key]; ok {
				err = b.Set(tag, key, plural.Selectf(s.arg, "%d", plural.One, s.one[i], plural.Other, text))
			} else {
				err = b.SetString(tag, key, text)
			}
			if err != nil {
				panic(fmt.Sprintf("i18n: %s %s: %v", lang, key, err))
			}
		}
		printers[lang] = message.NewPrinter(tag, message.Catalog(b))
	}
}

// Texts returns lang's texts by key, for the checks that a page speaks
// one language only.
func Texts(lang string) map[string]string { return maps.Clone(texts[lang]) }

// Language picks the page language: the user's choice, then the browser's
// preference, then Italian.
func Language(r *http.Request) string {
	if c, err := r.Cookie(Cookie); err == nil && Known(c.Value) {
		return c.Value
	}
	_, i := language.MatchStrings(matcher, r.Header.Get("Accept-Language"))
	return Languages[i]
}

// Known reports whether the pages speak lang.
func Known(lang string) bool { return slices.Contains(Languages, lang) }

// T returns the text key in lang, formatted with args. A missing key
// shows itself (a test checks that every key has both languages).
func T(lang, key string, args ...any) string {
	text, ok := texts[lang][key]
	if !ok {
		if text, ok = texts["it"][key]; !ok {
			return key
		}
	}
	if len(args) == 0 {
		return text
	}
	args = slices.Clone(args)
	for i, a := range args {
		switch n := a.(type) {
		case int:
			args[i] = count(n)
		case int32: // the services' generated messages
			args[i] = count(n)
		}
	}
	p, ok := printers[lang]
	if !ok {
		p = printers["it"]
	}
	return p.Sprintf(key, args...)
}

// Or translates key, or shows fallback (what the service sent) when the
// catalogue does not know the key.
func Or(lang, key, fallback string) string {
	if _, ok := texts[lang][key]; ok {
		return T(lang, key)
	}
	return fallback
}

// count is an int argument written as fmt writes it: x/text would group
// its thousands ("1.800"), which the pages never did. The plural rules
// still read its value.
type count int

func (n count) Format(s fmt.State, verb rune) { fmt.Fprintf(s, fmt.FormatString(s, verb), int(n)) }

func (n count) PluralForm(t language.Tag, _ int) (plural.Form, int) {
	return plural.Cardinal.MatchPlural(t, int(n), 0, 0, 0, 0), int(n)
}

var monthsIT = [...]string{"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"}
var weekdaysIT = [...]string{"domenica", "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato"}

// LongDate is a day written out, as people read it.
func LongDate(lang string, t time.Time) string {
	if lang == "it" {
		return fmt.Sprintf("%s %d %s %d", weekdaysIT[t.Weekday()], t.Day(), monthsIT[t.Month()-1], t.Year())
	}
	return t.Format("Monday 2 January 2006")
}

// ShortDate is a day in a list.
func ShortDate(lang string, t time.Time) string {
	if lang == "it" {
		return t.Format("02/01/2006")
	}
	return t.Format("2 Jan 2006")
}

// ShortDateTime is a moment in a list.
func ShortDateTime(lang string, t time.Time) string {
	if lang == "it" {
		return t.Format("02/01/2006 15:04")
	}
	return t.Format("2 Jan 2006 15:04")
}
