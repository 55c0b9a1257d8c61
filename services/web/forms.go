package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/services/web/i18n"
)

// What the pages of the counsellor and the housing worker say once a form
// was saved; the key comes back in ?done= after the redirect, so only
// these are shown.
var doneKeys = []string{"proposed", "interview", "follow_up", "step_started", "step_moved", "step_ended", "offer_proposed", "outcome", "lease"}

// doneNotice sets the page's notice from ?done=.
func doneNotice(p *page, r *http.Request) {
	if k := r.URL.Query().Get("done"); slices.Contains(doneKeys, k) {
		p.Notice = p.T("done." + k)
	}
}

// labels name the fields a service may refuse on a page: the service's
// field -> the catalogue key of the page's label for it.
type labels map[string]string

// refusal says a service's refusal in the page's language, from its code
// and the page's label for the field it names. The service's own message,
// in English, stays only where the page labels no such field; named
// reports whether the label was found.
func refusal(p *page, e *errcode.Error, l labels) (what string, named bool) {
	key, ok := l[e.Field]
	switch {
	case !ok:
		return e.Message, false
	case e.Code == errcode.Conflict:
		return p.T("refused.conflict", p.T(key)), true
	}
	return p.T("refused.invalid", p.T(key)), true
}

// writeFailed shows what a form's write got back: a business answer (bad
// input, a conflict) in words on the page, at its status, the field named
// by its label in l; it reports false for anything else, which fails the
// page.
func writeFailed(p *page, err error, l labels) (int, bool) {
	e := errcode.As(err)
	if e == nil {
		return 0, false
	}
	what, named := refusal(p, e, l)
	if !named && e.Field != "" {
		what = e.Field + ": " + what
	}
	switch e.Code {
	case errcode.Invalid:
		p.Error = p.T("error.invalid", what)
		return http.StatusBadRequest, true
	case errcode.Conflict:
		p.Error = p.T("error.conflict_write", what)
		return http.StatusConflict, true
	}
	return 0, false
}

// formInt reads a whole number typed in a form; a blank or a mistake is
// 0, which the service refuses by the field's name.
func formInt(r *http.Request, field string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue(field)))
	return n
}

// formCents reads an amount in euros typed in a form ("450" or "450,50")
// as cents; a mistake is 0, which the service refuses by the field's name.
func formCents(r *http.Request, field string) int64 {
	v := strings.ReplaceAll(strings.TrimSpace(r.PostFormValue(field)), ",", ".")
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 {
		return 0
	}
	return int64(f*100 + 0.5)
}

// today is the date forms propose, in web's time zone.
func (a *App) today() string { return time.Now().In(a.loc).Format(time.DateOnly) }

// dayText writes a "2006-01-02" date as people read it; "" stays "".
func dayText(lang, day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return i18n.ShortDate(lang, t)
}

// times reads the RFC 3339 times of a service's answer, "" being none.
// The first it cannot read is kept in err: the page then fails as on any
// answer web cannot read.
type times struct {
	loc *time.Location
	err error
}

// at is s in web's time zone; false for none, or one it cannot read.
func (t *times) at(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		if t.err == nil {
			t.err = errcode.Wrap(errcode.Internal, err, "a time web cannot read")
		}
		return time.Time{}, false
	}
	return v.In(t.loc), true
}

// day is s as a short date in lang; "" for none.
func (t *times) day(lang, s string) string {
	if v, ok := t.at(s); ok {
		return i18n.ShortDate(lang, v)
	}
	return ""
}
