package load

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/percorsi/percorsi/pkg/auth"
	coursesstore "github.com/percorsi/percorsi/services/courses/store"
	jobsstore "github.com/percorsi/percorsi/services/jobs/store"
	pathwaystore "github.com/percorsi/percorsi/services/pathway/store"
	webdomain "github.com/percorsi/percorsi/services/web/domain"
	webstore "github.com/percorsi/percorsi/services/web/store"
)

// Password of the load's web accounts; they exist only in its own data.
const password = "percorsi-load"

// Seeded is what seeding made that the users work with.
type Seeded struct {
	Steps          []SeedStep
	Vacancies      [][]string // ids by organisation
	Accommodations [][]accommodation
}

type accommodation struct{ ID, Kind string }

// SeedStep is one part of the seeding, for the report.
type SeedStep struct {
	What  string
	Count int
	How   string
	Took  time.Duration
}

// step runs one part of the seeding and notes how long it took.
func (s *Seeded) step(progress func(string, ...any), what, how string, count int, fn func() error) error {
	t0 := time.Now()
	progress("seeding %s: %d (%s)", what, count, how)
	if err := fn(); err != nil {
		return fmt.Errorf("seed %s: %w", what, err)
	}
	s.Steps = append(s.Steps, SeedStep{What: what, Count: count, How: how, Took: time.Since(t0)})
	return nil
}

// SeedStores writes what is large in the population in bulk straight into
// each service's store at mongoURI, in the shape its store package writes
// (persons, classes, lessons, job profiles, and the web accounts), as a
// migration would: in batches, some ten times faster than one request each,
// and with no service running.
func SeedStores(ctx context.Context, mongoURI string, pop *Population, progress func(string, ...any)) (*Seeded, error) {
	client, err := connect(mongoURI)
	if err != nil {
		return nil, err
	}
	defer client.Disconnect(context.WithoutCancel(ctx))
	s := &Seeded{}
	step := func(what, how string, count int, fn func() error) error {
		return s.step(progress, what, how, count, fn)
	}
	every := func(what string) func(done, total int) {
		return func(done, total int) {
			if done%10000 == 0 || done == total {
				progress("  %s %d/%d", what, done, total)
			}
		}
	}
	const bulk = "bulk InsertMany into the store"
	err = step("persons (pathway)", bulk, len(pop.Persons), func() error {
		return pathwaystore.LoadPersons(ctx, client.Database("percorsi_pathway"), pop.Persons, every("persons"))
	})
	if err != nil {
		return nil, err
	}
	courses := client.Database("percorsi_courses")
	err = step("classes with their rosters (courses)", bulk, len(pop.Classes), func() error {
		return coursesstore.Load(ctx, courses, pop.Classes, nil, func(what string, done, total int) { every(what)(done, total) })
	})
	if err != nil {
		return nil, err
	}
	err = step("lessons of the school year (courses)", bulk, len(pop.Lessons), func() error {
		lessons := coursesstore.NewLessons(courses)
		const batch = 10000
		for i := 0; i < len(pop.Lessons); i += batch {
			end := min(i+batch, len(pop.Lessons))
			if err := lessons.Add(ctx, pop.Lessons[i:end]); err != nil {
				return err
			}
			progress("  lessons %d/%d", end, len(pop.Lessons))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = step("job seekers' profiles (jobs)", bulk, len(pop.Profiles), func() error {
		return jobsstore.LoadProfiles(ctx, client.Database("percorsi_jobs"), pop.Profiles, every("profiles"))
	})
	if err != nil {
		return nil, err
	}
	err = step("case workers' web accounts (web)", "web's account store", pop.Organisations*caseWorkersPerOrg, func() error {
		hash, err := webdomain.HashPassword(password)
		if err != nil {
			return err
		}
		accounts := webstore.NewAccounts(client.Database("percorsi_web"))
		for k := range pop.Organisations {
			for n := range caseWorkersPerOrg {
				a := &webdomain.Account{Username: CaseWorker(k, n), DisplayName: CaseWorker(k, n), Role: auth.CaseWorker, Organisation: Organisation(k), PasswordHash: hash}
				if err := accounts.Put(ctx, a); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// SeedAPIs seeds what is small through the running services' HTTP APIs as
// users would make it (employers, vacancies, accommodations, and the
// housing steps of people already housed), so that its events flow like
// any other.
func SeedAPIs(ctx context.Context, t *Target, pop *Population, s *Seeded, progress func(string, ...any)) error {
	step := func(what, how string, count int, fn func() error) error {
		return s.step(progress, what, how, count, fn)
	}
	u := newUsers(t.Issuer, 8, NewRecorder(time.Now()))
	// Seeding is no user: when a service answers 503 (its store was too
	// slow), it waits and asks again, as the answer says to.
	u.retry503 = true
	jobs, housing := t.URLs["jobs"], t.URLs["housing"]
	s.Vacancies = make([][]string, pop.Organisations)
	s.Accommodations = make([][]accommodation, pop.Organisations)
	err := step("employers and vacancies (jobs)", "HTTP", pop.Organisations*(pop.employersPerOrg()+pop.vacanciesPerOrg()), func() error {
		var g errgroup.Group
		g.SetLimit(4)
		var mu sync.Mutex
		for k := range pop.Organisations {
			g.Go(func() error {
				co := auth.Principal{Subject: Counsellor(k), Role: auth.Counsellor, Organisation: Organisation(k)}
				tr := territories[k]
				for e := range pop.employersPerOrg() {
					site := map[string]any{"id": "sede", "name": "Sede", "municipality": tr.City, "location": map[string]float64{"lat": tr.Lat + float64(e)/200, "lon": tr.Lon}}
					body := map[string]any{"name": fmt.Sprintf("Impresa %s %02d", tr.City, e), "sites": []any{site}}
					if err := u.call(ctx, "", co, http.MethodPut, jobs+"/v1/employers/"+employerID(k, e), body, nil, http.StatusOK, http.StatusCreated); err != nil {
						return err
					}
				}
				for v := range pop.vacanciesPerOrg() {
					sector := v % len(sectors)
					body := map[string]any{
						"employer_id": employerID(k, v%pop.employersPerOrg()), "site_id": "sede", "title": "Tirocinio " + sectors[sector],
						"occupation": "esco:occupation/" + sectors[sector], "sector": sectors[sector],
						"required_skills": skillsBySector[sector][:1], "desirable_skills": skillsBySector[sector][1:],
						"min_italian": "A1", "weekly_hours": 30, "shift": "morning", "contract": "internship", "positions": 3,
						"starts_on": pop.Now.AddDate(0, 1, 0).Format(time.DateOnly), "closes_on": pop.Now.AddDate(0, 0, 20).Format(time.DateOnly),
					}
					var out struct {
						ID string `json:"id"`
					}
					if err := u.call(ctx, "", co, http.MethodPost, jobs+"/v1/vacancies", body, &out, http.StatusCreated); err != nil {
						return err
					}
					mu.Lock()
					s.Vacancies[k] = append(s.Vacancies[k], out.ID)
					mu.Unlock()
				}
				return nil
			})
		}
		return g.Wait()
	})
	if err != nil {
		return err
	}
	err = step("accommodations (housing)", "HTTP", pop.Organisations*pop.accommodationsPerOrg(), func() error {
		var g errgroup.Group
		g.SetLimit(4)
		for k := range pop.Organisations {
			hw := auth.Principal{Subject: HousingWorker(k), Role: auth.HousingWorker, Organisation: Organisation(k)}
			s.Accommodations[k] = make([]accommodation, pop.accommodationsPerOrg())
			for a := range pop.accommodationsPerOrg() {
				g.Go(func() error {
					kind := []string{"protected_shelter", "semi_autonomy_flat", "emergency_shelter"}[a%3]
					body := map[string]any{
						"name": fmt.Sprintf("Struttura %s %02d", territories[k].City, a), "kind": kind, "territory": territories[k].Code,
						"address": fmt.Sprintf("Via Immaginaria %d, %s", a+1, territories[k].City), "capacity": accommodationCapacity,
					}
					var out struct {
						Accommodation struct {
							ID string `json:"id"`
						} `json:"accommodation"`
					}
					if err := u.call(ctx, "", hw, http.MethodPost, housing+"/v1/accommodations", body, &out, http.StatusCreated); err != nil {
						return err
					}
					s.Accommodations[k][a] = accommodation{ID: out.Accommodation.ID, Kind: kind}
					return nil
				})
			}
		}
		return g.Wait()
	})
	if err != nil {
		return err
	}
	err = step("housing steps of the people already housed (housing)", "HTTP", len(pop.Housed), func() error {
		var (
			g    errgroup.Group
			done atomic.Int64
		)
		g.SetLimit(4)
		for i, ps := range pop.Housed {
			g.Go(func() error {
				if err := startStep(ctx, u, "", housing, pop, s, ps, "st-seed-"+ps, i); err != nil {
					return fmt.Errorf("step of %s: %w", ps, err)
				}
				if n := done.Add(1); n%200 == 0 {
					progress("  housing steps %d/%d", n, len(pop.Housed))
				}
				return nil
			})
		}
		return g.Wait()
	})
	return err
}

// accommodationCapacity is the places of each accommodation.
const accommodationCapacity = 12

func employerID(k, e int) string { return fmt.Sprintf("emp-%s-%02d", territories[k].City, e) }
