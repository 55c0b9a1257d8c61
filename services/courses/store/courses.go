package store

import (
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/percorsi/percorsi/pkg/versioned"
	"github.com/percorsi/percorsi/services/courses/domain"
)

// Courses is the catalogue.
type Courses = versioned.Collection[domain.Course, courseFields]

// NewCourses returns the catalogue of db.
func NewCourses(db *mongo.Database) *Courses {
	return versioned.New(db.Collection(coursesColl), versioned.Config[domain.Course, courseFields]{
		What: "course", Fields: toCourseFields, Value: toCourse, Legacy: true,
	})
}

type courseFields struct {
	Kind          string `bson:"kind"`
	Title         string `bson:"title"`
	Organisation  string `bson:"organisation"`
	TotalHours    int    `bson:"total_hours"`
	TargetLevel   string `bson:"target_level,omitempty"`
	TargetDigComp int    `bson:"target_digcomp,omitempty"`
}

func toCourseFields(c *domain.Course) courseFields {
	return courseFields{
		Kind: string(c.Kind), Title: c.Title, Organisation: c.Organisation, TotalHours: c.TotalHours,
		TargetLevel: string(c.TargetLevel), TargetDigComp: c.TargetDigComp,
	}
}

func toCourse(id string, _ int64, d *courseFields) *domain.Course {
	return &domain.Course{
		ID: id, Kind: domain.CourseKind(d.Kind), Title: d.Title, Organisation: d.Organisation, TotalHours: d.TotalHours,
		TargetLevel: domain.Level(d.TargetLevel), TargetDigComp: d.TargetDigComp,
	}
}
