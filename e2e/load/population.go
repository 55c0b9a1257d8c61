package load

import (
	"fmt"
	"hash/fnv"
	"time"

	"github.com/percorsi/percorsi/pkg/register"
	coursesdomain "github.com/percorsi/percorsi/services/courses/domain"
	jobsdomain "github.com/percorsi/percorsi/services/jobs/domain"
	pathwaydomain "github.com/percorsi/percorsi/services/pathway/domain"
)

// Size is how big the population is; the rest follows from it.
type Size struct {
	People        int // in pathways; 50,000 is a national programme
	Organisations int // in charge of them, one per territory (at most 12)
	Classes       int // Italian L2 and digital classes of the CPIAs
}

// DefaultSize is a national programme.
var DefaultSize = Size{People: 50000, Organisations: 12, Classes: 2000}

// territory is where an organisation works: its CPIA, its employers and
// its accommodations are there too.
type territory struct {
	Code, City string
	Lat, Lon   float64
}

var territories = []territory{
	{"RM", "roma", 41.893, 12.483}, {"MI", "milano", 45.464, 9.190}, {"NA", "napoli", 40.852, 14.268},
	{"TO", "torino", 45.070, 7.686}, {"PA", "palermo", 38.116, 13.361}, {"BA", "bari", 41.117, 16.872},
	{"BO", "bologna", 44.494, 11.343}, {"FI", "firenze", 43.770, 11.256}, {"GE", "genova", 44.405, 8.946},
	{"VE", "venezia", 45.438, 12.327}, {"CT", "catania", 37.502, 15.087}, {"CA", "cagliari", 39.224, 9.122},
}

// Population is the generated programme: who is followed, by whom, in
// which class, with which lessons, seeking which work. Everything is
// derived from the size and the day, so two runs of the same size hold the
// same people; names are invented ("Persona 000042").
type Population struct {
	Size
	Now          time.Time
	YearStart    time.Time // the school year began this morning, a few days ago
	Persons      []*pathwaydomain.Person
	Classes      []*coursesdomain.Class
	Lessons      []coursesdomain.Lesson
	Profiles     []*jobsdomain.Profile // the people seeking work
	Housed       []string              // pseudonyms seeded into a housing step
	ToHouse      []string              // pseudonyms the housing workers will place during the run
	Registerable []int                 // indexes in Lessons held and not locked: the teachers' work
}

// Organisation returns the name of organisation k (a social cooperative
// in charge of people), and its CPIA's.
func Organisation(k int) string { return "coop-" + territories[k].City }
func cpia(k int) string         { return "cpia-" + territories[k].City }

// CaseWorker, Counsellor, HousingWorker and Teacher name the users.
func CaseWorker(k, n int) string { return fmt.Sprintf("cw-%s-%02d", territories[k].City, n) }
func Counsellor(k int) string    { return "co-" + territories[k].City }
func HousingWorker(k int) string { return "hw-" + territories[k].City }
func Teacher(k, n int) string    { return fmt.Sprintf("te-%s-%03d", territories[k].City, n) }
func pseudonym(i int) string     { return fmt.Sprintf("ps-%06d", i) }
func classID(c int) string       { return fmt.Sprintf("cl-%04d", c) }
func lessonID(c, n int) string   { return fmt.Sprintf("le-%04d-%03d", c, n) }

// caseWorkersPerOrg have a web account each; the people of an
// organisation are shared among them.
const caseWorkersPerOrg = 2

// Lesson times are on Rome's clock.
var rome = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		panic(err) // time/tzdata is linked in by the command; the test has the system's
	}
	return loc
}()

// Generate builds the population of size as of now.
func Generate(size Size, now time.Time) (*Population, error) {
	if size.People < size.Classes || size.Classes < size.Organisations || size.Organisations < 1 || size.Organisations > len(territories) {
		return nil, fmt.Errorf("size %+v: want people >= classes >= organisations, 1 to %d organisations", size, len(territories))
	}
	local := now.In(rome)
	p := &Population{Size: size, Now: now, YearStart: time.Date(local.Year(), local.Month(), local.Day()-6, 0, 0, 0, 0, rome)}
	yearEnd := p.YearStart.AddDate(0, 0, 7*34)
	for c := range size.Classes {
		k := c % size.Organisations
		kind, title := coursesdomain.ItalianL2, "Italiano L2 A2"
		if c%5 == 4 {
			kind, title = coursesdomain.Digital, "Competenze digitali di base"
		}
		p.Classes = append(p.Classes, &coursesdomain.Class{
			ID: classID(c), CourseID: "crs-" + string(kind), CourseKind: kind, Title: title,
			Organisation: cpia(k), Teachers: []string{Teacher(k, c/size.Organisations/3)},
			StartDate: p.YearStart, EndDate: yearEnd, Capacity: 30,
		})
	}
	// Person i is in class i mod classes, followed by the organisation of
	// its territory.
	for i := range size.People {
		c := i % size.Classes
		k := c % size.Organisations
		ps := pseudonym(i)
		p.Persons = append(p.Persons, &pathwaydomain.Person{
			Pseudonym: ps, Organisation: Organisation(k), Territory: territories[k].Code, DisplayName: fmt.Sprintf("Persona %06d", i),
			CaseWorker: CaseWorker(k, i/size.Classes%caseWorkersPerOrg), Since: now.AddDate(0, -1-i%18, 0), Programme: pathwaydomain.Art18,
		})
		class := p.Classes[c]
		class.Roster = append(class.Roster, coursesdomain.Enrolment{Person: ps, DisplayName: fmt.Sprintf("Persona %06d", i), Status: coursesdomain.Enrolled, Since: p.YearStart})
		// One in ten seeks work, one in fifty is housed already, one in
		// ten waits for housing: counted along each class's roster, so
		// that every organisation has its share.
		switch j := (i/size.Classes + c) % 50; {
		case j%10 == 0:
			p.Profiles = append(p.Profiles, profile(i, k, now))
		case j == 1:
			p.Housed = append(p.Housed, ps)
		case j%10 == 5:
			p.ToHouse = append(p.ToHouse, ps)
		}
	}
	// A school year of lessons: even classes on Monday, Wednesday and
	// Friday mornings, odd ones on Tuesday and Thursday afternoons.
	lockedBefore := now.Add(-6*24*time.Hour - 12*time.Hour) // within the 7-day lock, with a margin
	for c, class := range p.Classes {
		n := 0
		for day := p.YearStart; day.Before(yearEnd); day = day.AddDate(0, 0, 1) {
			wd := day.Weekday()
			hour, minutes := 9, 120
			switch {
			case c%2 == 0 && (wd == time.Monday || wd == time.Wednesday || wd == time.Friday):
			case c%2 == 1 && (wd == time.Tuesday || wd == time.Thursday):
				hour, minutes = 14, 180
			default:
				continue
			}
			start := time.Date(day.Year(), day.Month(), day.Day(), hour, 0, 0, 0, rome)
			if !start.After(now) && start.After(lockedBefore) {
				p.Registerable = append(p.Registerable, len(p.Lessons))
			}
			p.Lessons = append(p.Lessons, coursesdomain.Lesson{ID: lessonID(c, n), ClassID: class.ID, Start: start, Minutes: minutes, Status: coursesdomain.Scheduled})
			class.PlannedMinutes += minutes
			n++
		}
	}
	// The teachers' work, interleaved across classes as a morning's is.
	shuffle(p.Registerable)
	return p, nil
}

// skillsBySector are the ESCO skills the vacancies ask and the profiles
// hold, a few per sector.
var skillsBySector = [][]string{
	{"esco:prepare-food", "esco:food-hygiene"},
	{"esco:clean-surfaces", "esco:use-cleaning-equipment"},
	{"esco:stock-management", "esco:operate-forklift"},
	{"esco:sew-textiles", "esco:operate-sewing-machine"},
}

var sectors = []string{"ristorazione", "pulizie", "logistica", "tessile"}

// profile is person i's candidate profile with the facts courses and
// pathway would have published applied: an Italian level and a permit.
func profile(i, k int, now time.Time) *jobsdomain.Profile {
	sector := i / 10 % len(sectors)
	t := territories[k]
	jitter := float64(i%97-48) / 1000
	pr := &jobsdomain.Profile{
		Person: pseudonym(i), Organisation: Organisation(k), DisplayName: fmt.Sprintf("Persona %06d", i), Active: true,
		Prefs:         jobsdomain.Preferences{MaxWeeklyHours: 40, MaxCommuteKm: 30},
		Home:          jobsdomain.Point{Lat: t.Lat + jitter, Lon: t.Lon - jitter},
		AvailableFrom: now.Truncate(24 * time.Hour), Italian: jobsdomain.A2, ItalianAt: now.AddDate(0, -1, 0),
		Permit: jobsdomain.Permit{Known: true, MayWork: true, ValidUntil: now.AddDate(1, 0, 0), At: now.AddDate(0, -2, 0)},
	}
	for n, code := range skillsBySector[sector] {
		ev := jobsdomain.Assessed
		if (i+n)%3 == 0 {
			ev = jobsdomain.Declared
		}
		pr.Skills = append(pr.Skills, jobsdomain.Skill{Code: code, Evidence: ev})
	}
	return pr
}

// Marks returns the register of a lesson of class as its teacher fills it:
// mostly present, some late, a few absent or excused, repeatably.
func Marks(class *coursesdomain.Class, lesson *coursesdomain.Lesson) []register.Mark {
	marks := make([]register.Mark, len(class.Roster))
	for i, e := range class.Roster {
		switch n := hash(e.Person+lesson.ID) % 10; {
		case n < 6:
			marks[i] = register.Mark{Person: e.Person, Status: register.Present}
		case n < 8:
			marks[i] = register.Mark{Person: e.Person, Status: register.Late, Minutes: lesson.Minutes / 2}
		case n < 9:
			marks[i] = register.Mark{Person: e.Person, Status: register.Excused}
		default:
			marks[i] = register.Mark{Person: e.Person, Status: register.Absent}
		}
	}
	return marks
}

func hash(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// shuffle permutes s repeatably.
func shuffle(s []int) {
	for i := len(s) - 1; i > 0; i-- {
		j := int(hash(fmt.Sprint(i)) % uint32(i+1))
		s[i], s[j] = s[j], s[i]
	}
}

// organisationOf returns the organisation in charge of the person named ps.
func (p *Population) organisationOf(ps string) int {
	var i int
	_, _ = fmt.Sscanf(ps, "ps-%06d", &i)
	return i % p.Size.Classes % p.Organisations
}

// What seeding makes through HTTP grows with each organisation's people:
// at national size, 10 employers, 26 vacancies and 29 accommodations each.
func (p *Population) perOrg() int               { return len(p.Persons) / p.Organisations }
func (p *Population) employersPerOrg() int      { return max(1, p.perOrg()/400) }
func (p *Population) vacanciesPerOrg() int      { return max(2, p.perOrg()/160) }
func (p *Population) accommodationsPerOrg() int { return max(2, p.perOrg()/140) }
