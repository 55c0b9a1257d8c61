package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/percorsi/percorsi/services/courses/domain"
)

// Courses implements domain.Courses: the catalogue.
type Courses struct{ c *mongo.Collection }

// NewCourses returns the catalogue of db.
func NewCourses(db *mongo.Database) *Courses { return &Courses{db.Collection(coursesColl)} }

type courseDoc struct {
	Kind          string `bson:"kind"`
	Title         string `bson:"title"`
	Organisation  string `bson:"organisation"`
	TotalHours    int    `bson:"total_hours"`
	TargetLevel   string `bson:"target_level,omitempty"`
	TargetDigComp int    `bson:"target_digcomp,omitempty"`
}

func (s *Courses) Get(ctx context.Context, id string) (*domain.Course, error) {
	d, err := get[courseDoc](ctx, s.c, id, "course")
	if err != nil {
		return nil, err
	}
	return &domain.Course{
		ID: id, Kind: domain.CourseKind(d.Kind), Title: d.Title, Organisation: d.Organisation, TotalHours: d.TotalHours,
		TargetLevel: domain.Level(d.TargetLevel), TargetDigComp: d.TargetDigComp,
	}, nil
}

func (s *Courses) Put(ctx context.Context, c *domain.Course) error {
	return putFields(ctx, s.c, c.ID, courseDoc{
		Kind: string(c.Kind), Title: c.Title, Organisation: c.Organisation, TotalHours: c.TotalHours,
		TargetLevel: string(c.TargetLevel), TargetDigComp: c.TargetDigComp,
	}, "course")
}
