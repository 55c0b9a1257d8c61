// Package domain holds the training service's entities and rules: vocational
// courses of a regional repertoire, their editions and enrolments, lessons
// and registers, internships, exams and certification. Standard library and
// pkg/register only.
package domain

import (
	"fmt"
	"slices"
	"strings"

	"github.com/percorsi/percorsi/pkg/errcode"
)

// ModuleKind is what a module is made of.
type ModuleKind string

const (
	Theory     ModuleKind = "theory"
	Practice   ModuleKind = "practice"
	Internship ModuleKind = "internship" // hours at a host company, not in registers
)

// DefaultMinAttendanceBP is the share of planned hours a person must attend
// to sit the exam when a course names none: regional rules commonly ask 70%.
const DefaultMinAttendanceBP = 7000

// Unit is a unit of competence of the repertoire, certifiable on its own,
// with the ESCO skills it stands for.
type Unit struct {
	Code       string
	Title      string
	ESCOSkills []string
}

// Module is one part of a course.
type Module struct {
	ID    string
	Title string
	Kind  ModuleKind
	Hours int
}

// Course is a vocational course of a regional qualifications repertoire.
type Course struct {
	ID             string
	Title          string
	RepertoireCode string
	Region         string
	Sector         string
	Provider       string // the training organisation that runs it
	EQFLevel       int
	ESCOOccupation string
	Modules        []Module
	Units          []Unit
	// MinAttendanceBP is the share (basis points) of planned hours needed
	// to sit the exam.
	MinAttendanceBP int
}

// Validate checks c, naming the first faulty field. A zero MinAttendanceBP
// becomes the default.
func (c *Course) Validate() error {
	required := []struct{ field, value string }{
		{"id", c.ID}, {"title", c.Title}, {"repertoire_code", c.RepertoireCode},
		{"region", c.Region}, {"sector", c.Sector}, {"provider", c.Provider},
	}
	for _, r := range required {
		if strings.TrimSpace(r.value) == "" {
			return errcode.New(errcode.Invalid, r.field, "is required")
		}
	}
	if c.EQFLevel < 1 || c.EQFLevel > 8 {
		return errcode.New(errcode.Invalid, "eqf_level", "must be between 1 and 8")
	}
	if c.MinAttendanceBP == 0 {
		c.MinAttendanceBP = DefaultMinAttendanceBP
	}
	if c.MinAttendanceBP < 1 || c.MinAttendanceBP > 10000 {
		return errcode.New(errcode.Invalid, "min_attendance_bp", "must be between 1 and 10000 basis points")
	}
	if len(c.Modules) == 0 {
		return errcode.New(errcode.Invalid, "modules", "must list at least one module")
	}
	if len(c.Modules) > 50 {
		return errcode.New(errcode.Invalid, "modules", "must be at most 50")
	}
	ids := map[string]bool{}
	for i, m := range c.Modules {
		field := func(name string) string { return fmt.Sprintf("modules[%d].%s", i, name) }
		switch {
		case strings.TrimSpace(m.ID) == "":
			return errcode.New(errcode.Invalid, field("id"), "is required")
		case ids[m.ID]:
			return errcode.New(errcode.Invalid, field("id"), "is listed twice")
		case strings.TrimSpace(m.Title) == "":
			return errcode.New(errcode.Invalid, field("title"), "is required")
		case m.Kind != Theory && m.Kind != Practice && m.Kind != Internship:
			return errcode.New(errcode.Invalid, field("kind"), "must be theory, practice or internship")
		case m.Hours < 1 || m.Hours > 2000:
			return errcode.New(errcode.Invalid, field("hours"), "must be between 1 and 2000")
		}
		ids[m.ID] = true
	}
	if len(c.Units) == 0 {
		return errcode.New(errcode.Invalid, "units", "must list the units of competence")
	}
	codes := map[string]bool{}
	for i, u := range c.Units {
		field := func(name string) string { return fmt.Sprintf("units[%d].%s", i, name) }
		switch {
		case strings.TrimSpace(u.Code) == "":
			return errcode.New(errcode.Invalid, field("code"), "is required")
		case codes[u.Code]:
			return errcode.New(errcode.Invalid, field("code"), "is listed twice")
		case strings.TrimSpace(u.Title) == "":
			return errcode.New(errcode.Invalid, field("title"), "is required")
		case len(u.ESCOSkills) == 0:
			return errcode.New(errcode.Invalid, field("esco_skills"), "must name the ESCO skills of the unit")
		}
		codes[u.Code] = true
		for j, s := range u.ESCOSkills {
			if !isESCO(s, "skill/") {
				return errcode.New(errcode.Invalid, fmt.Sprintf("units[%d].esco_skills[%d]", i, j), "must be an ESCO skill: a URI (http://data.europa.eu/esco/skill/...) or a compact esco:... code")
			}
		}
	}
	if c.ESCOOccupation != "" && !isESCO(c.ESCOOccupation, "occupation/") {
		return errcode.New(errcode.Invalid, "esco_occupation", "must be an ESCO occupation: a URI (http://data.europa.eu/esco/occupation/...) or a compact esco:... code")
	}
	return nil
}

// isESCO reports whether code names an ESCO concept of kind ("skill/",
// "occupation/"): a full URI, or the compact "esco:" form jobs matches on.
func isESCO(code, kind string) bool {
	rest, ok := strings.CutPrefix(code, "esco:")
	if !ok {
		rest, ok = strings.CutPrefix(code, "http://data.europa.eu/esco/"+kind)
	}
	return ok && strings.TrimSpace(rest) != "" && !strings.ContainsAny(rest, " \t\n")
}

// Module returns the module with id, or nil.
func (c *Course) Module(id string) *Module {
	for i := range c.Modules {
		if c.Modules[i].ID == id {
			return &c.Modules[i]
		}
	}
	return nil
}

// PlannedMinutes is the length of the whole course, internship included.
func (c *Course) PlannedMinutes() int {
	total := 0
	for _, m := range c.Modules {
		total += m.Hours * 60
	}
	return total
}

// UnitCodes returns the codes of all units, in order.
func (c *Course) UnitCodes() []string {
	out := make([]string, len(c.Units))
	for i, u := range c.Units {
		out[i] = u.Code
	}
	return out
}

// Skills returns the ESCO skills of the given units, without repeats, in
// the course's order.
func (c *Course) Skills(units []string) []string {
	var out []string
	for _, u := range c.Units {
		if !slices.Contains(units, u.Code) {
			continue
		}
		for _, s := range u.ESCOSkills {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}
