package pathway

import (
	"fmt"
	"time"
	_ "time/tzdata" // the zone must resolve in a scratch container too

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
		"italian_l2": "Italiano L2", "digital": "informatica",
		"present": "Presente", "late": "In ritardo", "absent": "Assente", "excused": "Assenza giustificata",
		"lesson": "%s alla lezione di %s del %s (%d di %d minuti)",
		"other":  "Evento %s del %s",
	},
	"en": {
		"italian_l2": "Italian L2", "digital": "computer skills",
		"present": "Present", "late": "Late", "absent": "Absent", "excused": "Excused absence",
		"lesson": "%s at the %s lesson of %s (%d of %d minutes)",
		"other":  "Event %s on %s",
	},
}

// describe says what an entry means, in plain Italian or English.
func describe(e domain.Entry, lang string) string {
	w, ok := words[lang]
	if !ok {
		w = words["it"]
	}
	day := e.OccurredAt.In(rome).Format("02/01/2006")
	if a := e.Attendance; a != nil {
		return fmt.Sprintf(w["lesson"], w[a.Status], w[a.CourseKind], day, a.Minutes, a.LessonMinutes)
	}
	return fmt.Sprintf(w["other"], e.Type, day)
}
