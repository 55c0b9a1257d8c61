package training

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// ExportRequest asks for one of an edition's CSV exports.
type ExportRequest struct{ EditionID string }

// CSVResponse is a table the secretariat files: a header and rows.
type CSVResponse struct {
	Filename string
	Header   []string
	Rows     [][]string
}

// makeExportRegisters lists every mark of the edition's registers, one line
// per person per lesson, in lesson order.
func (s *Service) exportRegisters(ctx context.Context, req ExportRequest) (CSVResponse, error) {
	v, err := s.Edition(ctx, req.EditionID)
	if err != nil {
		return CSVResponse{}, err
	}
	resp := CSVResponse{
		Filename: v.Edition.ID + "-registers.csv",
		Header:   []string{"lesson_id", "module_id", "lesson_start", "lesson_minutes", "person", "display_name", "status", "minutes_attended", "recorded_by"},
	}
	for _, r := range v.Registers {
		for _, m := range r.Marks {
			name := ""
			if en := v.Edition.Find(m.Person); en != nil {
				name = en.DisplayName
			}
			resp.Rows = append(resp.Rows, []string{
				r.LessonID, r.ModuleID, r.LessonStart.Format(time.RFC3339), strconv.Itoa(r.LessonMinutes),
				m.Person, name, string(m.Status), strconv.Itoa(m.Minutes), r.RecordedBy,
			})
		}
	}
	return resp, nil
}

// makeExportRoster lists each person's standing: attendance, internship,
// exam and what was certified.
func (s *Service) exportRoster(ctx context.Context, req ExportRequest) (CSVResponse, error) {
	v, err := s.Edition(ctx, req.EditionID)
	if err != nil {
		return CSVResponse{}, err
	}
	e, c := v.Edition, v.Course
	resp := CSVResponse{
		Filename: e.ID + "-roster.csv",
		Header: []string{"person", "display_name", "status", "minutes_attended", "internship_minutes", "planned_minutes",
			"admitted", "exam_outcome", "exam_score", "qualified", "certified_units", "withdraw_reason"},
	}
	for _, en := range e.Roster {
		internship, outcome, score := 0, "", ""
		if en.Internship != nil {
			internship = en.Internship.Done()
		}
		if en.Exam != nil {
			outcome, score = string(en.Exam.Outcome), strconv.Itoa(en.Exam.Score)
		}
		resp.Rows = append(resp.Rows, []string{
			en.Person, en.DisplayName, string(en.Status), strconv.Itoa(v.Attendance.Total(en.Person)), strconv.Itoa(internship),
			strconv.Itoa(c.PlannedMinutes()), strconv.FormatBool(e.Admitted(c, en.Person, v.Attendance)), outcome, score,
			strconv.FormatBool(en.Qualified), strings.Join(en.CertifiedUnits, " "), string(en.Reason),
		})
	}
	return resp, nil
}

// sanitiseCell keeps a spreadsheet from reading a cell as a formula: a
// display name typed as "=HYPERLINK(...)" must stay text.
func sanitiseCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
