package store

import (
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/percorsi/percorsi/pkg/versioned"
	"github.com/percorsi/percorsi/services/training/domain"
)

// Courses is the course catalogue.
type Courses = versioned.Collection[domain.Course, courseFields]

// NewCourses returns the course store of db.
func NewCourses(db *mongo.Database) *Courses {
	return versioned.New(db.Collection(coursesColl), versioned.Config[domain.Course, courseFields]{
		What: "course", Fields: toCourseFields, Value: toCourse, Legacy: true,
	})
}

type courseFields struct {
	Title           string      `bson:"title"`
	RepertoireCode  string      `bson:"repertoire_code"`
	Region          string      `bson:"region"`
	Sector          string      `bson:"sector"`
	Provider        string      `bson:"provider"`
	EQFLevel        int         `bson:"eqf_level"`
	ESCOOccupation  string      `bson:"esco_occupation"`
	Modules         []moduleDoc `bson:"modules"`
	Units           []unitDoc   `bson:"units"`
	MinAttendanceBP int         `bson:"min_attendance_bp"`
}

type moduleDoc struct {
	ID    string `bson:"id"`
	Title string `bson:"title"`
	Kind  string `bson:"kind"`
	Hours int    `bson:"hours"`
}

type unitDoc struct {
	Code       string   `bson:"code"`
	Title      string   `bson:"title"`
	ESCOSkills []string `bson:"esco_skills"`
}

func toCourse(id string, _ int64, d *courseFields) *domain.Course {
	c := &domain.Course{
		ID: id, Title: d.Title, RepertoireCode: d.RepertoireCode, Region: d.Region, Sector: d.Sector,
		Provider: d.Provider, EQFLevel: d.EQFLevel, ESCOOccupation: d.ESCOOccupation, MinAttendanceBP: d.MinAttendanceBP,
	}
	for _, m := range d.Modules {
		c.Modules = append(c.Modules, domain.Module{ID: m.ID, Title: m.Title, Kind: domain.ModuleKind(m.Kind), Hours: m.Hours})
	}
	for _, u := range d.Units {
		c.Units = append(c.Units, domain.Unit{Code: u.Code, Title: u.Title, ESCOSkills: u.ESCOSkills})
	}
	return c
}

func toCourseFields(c *domain.Course) courseFields {
	d := courseFields{
		Title: c.Title, RepertoireCode: c.RepertoireCode, Region: c.Region, Sector: c.Sector,
		Provider: c.Provider, EQFLevel: c.EQFLevel, ESCOOccupation: c.ESCOOccupation, MinAttendanceBP: c.MinAttendanceBP,
		Modules: make([]moduleDoc, len(c.Modules)), Units: make([]unitDoc, len(c.Units)),
	}
	for i, m := range c.Modules {
		d.Modules[i] = moduleDoc{ID: m.ID, Title: m.Title, Kind: string(m.Kind), Hours: m.Hours}
	}
	for i, u := range c.Units {
		d.Units[i] = unitDoc{Code: u.Code, Title: u.Title, ESCOSkills: u.ESCOSkills}
	}
	return d
}
