package courses

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/register"
)

// registerRows is a class's register as a CPIA secretariat files it: one
// row per lesson and person, cancelled lessons included, in lesson order.
func registerRows(r *ClassRecords, loc *time.Location) [][]string {
	rows := [][]string{{"lesson_id", "date", "start", "lesson_minutes", "lesson_status", "person", "display_name", "attendance", "minutes_attended", "corrections"}}
	names := displayNames(r)
	for _, l := range r.Lessons {
		start := l.Start.In(loc)
		base := []string{l.ID, start.Format(time.DateOnly), start.Format("15:04"), strconv.Itoa(l.Minutes), string(l.Status)}
		reg := r.Registers[l.ID]
		if reg == nil {
			rows = append(rows, append(base, "", "", "not_recorded", "", ""))
			continue
		}
		corrected := map[string]int{}
		for _, c := range reg.Corrections {
			corrected[c.Person]++
		}
		for _, m := range reg.Marks {
			rows = append(rows, append(slices.Clone(base), m.Person, names[m.Person], string(m.Status), strconv.Itoa(m.Minutes), strconv.Itoa(corrected[m.Person])))
		}
	}
	return rows
}

// monthRows is the monthly attendance summary per person: the lessons held
// in the month, and hours, counted from the registers of the month.
func monthRows(r *ClassRecords, month time.Time) [][]string {
	rows := [][]string{{"person", "display_name", "status", "lessons_held", "present", "late", "absent", "excused", "hours_attended", "hours_held", "rate_percent"}}
	end := month.AddDate(0, 1, 0)
	type counts struct {
		f   register.Figures
		by  map[register.Status]int
		any bool
	}
	per := map[string]*counts{}
	for _, l := range r.Lessons {
		reg := r.Registers[l.ID]
		if reg == nil || l.Start.Before(month) || !l.Start.Before(end) {
			continue
		}
		for _, m := range reg.Marks {
			c := per[m.Person]
			if c == nil {
				c = &counts{by: map[register.Status]int{}}
				per[m.Person] = c
			}
			c.f.Add(m, reg.LessonMinutes)
			c.by[m.Status]++
		}
	}
	hours := func(min int) string { return strconv.FormatFloat(float64(min)/60, 'f', 1, 64) }
	for _, e := range r.Class.Roster {
		c := per[e.Person]
		if c == nil {
			c = &counts{by: map[register.Status]int{}}
		}
		rows = append(rows, []string{
			e.Person, e.DisplayName, string(e.Status), strconv.Itoa(c.f.LessonsHeld),
			strconv.Itoa(c.by[register.Present]), strconv.Itoa(c.by[register.Late]), strconv.Itoa(c.by[register.Absent]), strconv.Itoa(c.by[register.Excused]),
			hours(c.f.MinutesAttended), hours(c.f.MinutesHeld), strconv.FormatFloat(float64(c.f.RateBP())/100, 'f', 1, 64),
		})
	}
	return rows
}

func displayNames(r *ClassRecords) map[string]string {
	names := make(map[string]string, len(r.Class.Roster))
	for _, e := range r.Class.Roster {
		names[e.Person] = e.DisplayName
	}
	return names
}

// maxRosterRows bounds an import: a class is never this big.
const maxRosterRows = 500

// ParseRoster reads a roster CSV: a header naming the columns "person" and
// "display_name" (in any order, others ignored), then one person per line.
// A file that is not such a CSV is an errcode.Invalid naming "body" (with
// the line): nothing of it is imported. Lines that parse but break a rule
// are left to the import's per-line report.
func ParseRoster(r io.Reader) ([]RosterRow, error) {
	cr := csv.NewReader(io.LimitReader(r, 1<<20))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errcode.New(errcode.Invalid, "body", "is empty: a header line person,display_name is required")
	}
	if err != nil {
		return nil, csvError(err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	pc, ok1 := col["person"]
	nc, ok2 := col["display_name"]
	if !ok1 || !ok2 {
		return nil, errcode.New(errcode.Invalid, "body", "line 1 must name the columns person and display_name")
	}
	var rows []RosterRow
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		if len(rec) != len(header) {
			return nil, errcode.New(errcode.Invalid, "body", "line %d has %d fields, the header %d", line, len(rec), len(header))
		}
		for _, f := range rec {
			if !utf8.ValidString(f) {
				return nil, errcode.New(errcode.Invalid, "body", "line %d is not UTF-8 text", line)
			}
		}
		if len(rows) == maxRosterRows {
			return nil, errcode.New(errcode.Invalid, "body", "has more than %d people", maxRosterRows)
		}
		rows = append(rows, RosterRow{Line: line, Person: strings.TrimSpace(rec[pc]), DisplayName: strings.TrimSpace(rec[nc])})
	}
	if len(rows) == 0 {
		return nil, errcode.New(errcode.Invalid, "body", "lists nobody")
	}
	return rows, nil
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return errcode.New(errcode.Invalid, "body", "is not valid CSV at line %d: %v", pe.Line, pe.Err)
	}
	return errcode.New(errcode.Invalid, "body", "cannot be read as CSV")
}

// WriteCSV writes rows; a cell that a spreadsheet would run as a formula is
// quoted with a leading apostrophe.
func WriteCSV(w io.Writer, rows [][]string) error {
	cw := csv.NewWriter(w)
	for _, row := range rows {
		safe := make([]string, len(row))
		for i, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				cell = "'" + cell
			}
			safe[i] = cell
		}
		if err := cw.Write(safe); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	cw.Flush()
	return cw.Error()
}
