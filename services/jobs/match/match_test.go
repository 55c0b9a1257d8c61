package match_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/percorsi/percorsi/services/jobs/domain"
	"github.com/percorsi/percorsi/services/jobs/match"
)

var (
	rome  = domain.Point{Lat: 41.9, Lon: 12.5}
	start = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	// A permit valid well past the start.
	permit = domain.Permit{Known: true, MayWork: true, ValidUntil: start.AddDate(1, 0, 0)}
)

func vacancy() *domain.Vacancy {
	return &domain.Vacancy{
		ID: "v1", Title: "Aiuto cuoco", Occupation: "esco:5120", Sector: "hospitality",
		Required: []string{"s1", "s2"}, Desirable: []string{"s3"}, MinItalian: domain.A2,
		Location: rome, WeeklyHours: 30, Shift: domain.Morning, Contract: domain.Internship,
		Positions: 1, StartsOn: start, ClosesOn: start.AddDate(0, 0, -7), Status: domain.Open,
	}
}

// north returns a point km kilometres north of Rome (111.19 km a degree).
func north(km float64) domain.Point { return domain.Point{Lat: rome.Lat + km/111.19, Lon: rome.Lon} }

// The profiles of the hand-checked ranking; the expected points are worked
// out beside each.
func profiles() []*domain.Profile {
	return []*domain.Profile{
		// skills 2x100+2x80+1x50 = 410 of 500 -> 40x410/500 = 32; B1 over A2
		// -> 15; 0 km -> 20; available -> 15; no preferences -> 10: 92.
		{Person: "pa", Italian: domain.B1, Home: rome, Permit: permit, AvailableFrom: start.AddDate(0, -1, 0),
			Skills: []domain.Skill{{Code: "s1", Evidence: domain.Certified}, {Code: "s2", Evidence: domain.Assessed}, {Code: "s3", Evidence: domain.Declared}, {Code: "s9", Evidence: domain.Certified}}},
		// skills 2x50 = 100 of 500 -> 8; A2 -> 10; 15 km of 30 -> 10; 10
		// days late of 30 -> 10; sector yes, contract no -> 5: 43.
		{Person: "pb", Italian: domain.A2, Home: north(15), Permit: permit, AvailableFrom: start.AddDate(0, 0, 10),
			Skills: []domain.Skill{{Code: "s1", Evidence: domain.Declared}},
			Prefs:  domain.Preferences{Sectors: []string{"hospitality"}, Contracts: []domain.ContractKind{domain.Permanent}}},
		// skills 400 of 500 -> 32; A2 -> 10; 40 km of 50 -> 4; available
		// -> 15; preferences met -> 10: 71.
		{Person: "pc", Italian: domain.A2, Home: north(40), Permit: permit,
			Skills: []domain.Skill{{Code: "s1", Evidence: domain.Certified}, {Code: "s2", Evidence: domain.Certified}},
			Prefs:  domain.Preferences{MaxCommuteKm: 50, Sectors: []string{"hospitality", "cleaning"}, MaxWeeklyHours: 30, Shifts: []domain.Shift{domain.Morning}}},
		// Excluded, each by one constraint (pj by two).
		{Person: "pd", Italian: domain.B2, Home: rome},
		{Person: "pe", Italian: domain.B2, Home: rome, Permit: domain.Permit{Known: true, MayWork: true, ValidUntil: start.AddDate(0, 0, -1)}},
		{Person: "pf", Italian: domain.B2, Home: rome, Permit: domain.Permit{Known: true, MayWork: false}},
		{Person: "pg", Italian: domain.A1, Home: rome, Permit: permit},
		{Person: "ph", Italian: domain.B2, Home: rome, Permit: permit, Prefs: domain.Preferences{MaxWeeklyHours: 20}},
		{Person: "pi", Italian: domain.B2, Home: rome, Permit: permit, Prefs: domain.Preferences{Shifts: []domain.Shift{domain.Afternoon, domain.Evening}}},
		{Person: "pj", Home: rome, Permit: permit, Prefs: domain.Preferences{Shifts: []domain.Shift{domain.Night}}},
	}
}

func TestRankingIsHandChecked(t *testing.T) {
	t.Parallel()
	pv := match.Prepare(vacancy(), match.DefaultConfig)
	rk := match.Rank(pv, profiles(), 10)
	var got []string
	for _, r := range rk.Top {
		got = append(got, fmt.Sprintf("%s %d %v", r.Profile.Person, r.Result.Total, r.Result.Points))
	}
	want := []string{"pa 92 [32 15 20 15 10]", "pc 71 [32 10 4 15 10]", "pb 43 [8 10 10 10 5]"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ranking\n got %q\nwant %q", got, want)
	}
	wantExcluded := map[string]int{"work_permit": 3, "italian_minimum": 2, "weekly_hours": 1, "shift": 2}
	if rk.Considered != 10 || rk.Eligible != 3 || !reflect.DeepEqual(rk.ExcludedBy, wantExcluded) {
		t.Fatalf("considered %d eligible %d excluded %v", rk.Considered, rk.Eligible, rk.ExcludedBy)
	}
	// The limit keeps the best.
	if top := match.Rank(pv, profiles(), 2).Top; len(top) != 2 || top[0].Profile.Person != "pa" || top[1].Profile.Person != "pc" {
		t.Fatalf("top 2: %v", top)
	}
}

func TestExplanationShowsEveryPart(t *testing.T) {
	t.Parallel()
	pv := match.Prepare(vacancy(), match.DefaultConfig)
	ps := profiles()
	cases := []struct {
		person string
		want   match.Explanation
	}{
		{"pa", match.Explanation{Total: 92, Parts: []match.PartReason{
			{"skills", 32, 40, []match.Reason{
				{Code: match.ReasonSkillsRequired, Held: []domain.Skill{{Code: "s1", Evidence: domain.Certified}, {Code: "s2", Evidence: domain.Assessed}}},
				{Code: match.ReasonSkillsDesirable, Held: []domain.Skill{{Code: "s3", Evidence: domain.Declared}}}}},
			{"language", 15, 15, []match.Reason{{Code: match.ReasonItalianMinimum, Italian: domain.B1, Least: domain.A2}}},
			{"distance", 20, 20, []match.Reason{{Code: match.ReasonDistance, N: 0, Most: 30}}},
			{"availability", 15, 15, []match.Reason{{Code: match.ReasonAvailableByStart, On: start}}},
			{"preferences", 10, 10, []match.Reason{{Code: match.ReasonNoSectorPreference}, {Code: match.ReasonNoContractPreference}}},
		}}},
		{"pb", match.Explanation{Total: 43, Parts: []match.PartReason{
			{"skills", 8, 40, []match.Reason{
				{Code: match.ReasonSkillsRequired, Held: []domain.Skill{{Code: "s1", Evidence: domain.Declared}}, Lacks: []string{"s2"}},
				{Code: match.ReasonSkillsDesirable, Lacks: []string{"s3"}}}},
			{"language", 10, 15, []match.Reason{{Code: match.ReasonItalianMinimum, Italian: domain.A2, Least: domain.A2}}},
			{"distance", 10, 20, []match.Reason{{Code: match.ReasonDistance, N: 15, Most: 30}}},
			{"availability", 10, 15, []match.Reason{{Code: match.ReasonAvailableLate, On: start.AddDate(0, 0, 10), N: 10}}},
			{"preferences", 5, 10, []match.Reason{{Code: match.ReasonSectorPreferred, Sector: "hospitality"}, {Code: match.ReasonContractNotPreferred, Contract: domain.Internship}}},
		}}},
		{"pd", match.Explanation{Exclusions: []match.ExclusionReason{{"work_permit", match.Reason{Code: match.ReasonPermitUnknown}}}}},
		{"pe", match.Explanation{Exclusions: []match.ExclusionReason{{"work_permit", match.Reason{Code: match.ReasonPermitExpires, Until: start.AddDate(0, 0, -1), On: start}}}}},
		{"pf", match.Explanation{Exclusions: []match.ExclusionReason{{"work_permit", match.Reason{Code: match.ReasonPermitNoWork}}}}},
		{"pg", match.Explanation{Exclusions: []match.ExclusionReason{{"italian_minimum", match.Reason{Code: match.ReasonItalianBelowMinimum, Italian: domain.A1, Least: domain.A2}}}}},
		{"ph", match.Explanation{Exclusions: []match.ExclusionReason{{"weekly_hours", match.Reason{Code: match.ReasonTooManyHours, N: 30, Most: 20}}}}},
		{"pi", match.Explanation{Exclusions: []match.ExclusionReason{{"shift", match.Reason{Code: match.ReasonShiftNotWorked, Shift: domain.Morning, Shifts: []domain.Shift{domain.Afternoon, domain.Evening}}}}}},
		{"pj", match.Explanation{Exclusions: []match.ExclusionReason{
			{"italian_minimum", match.Reason{Code: match.ReasonItalianBelowMinimum, Italian: domain.NoLevel, Least: domain.A2}},
			{"shift", match.Reason{Code: match.ReasonShiftNotWorked, Shift: domain.Morning, Shifts: []domain.Shift{domain.Night}}}}}},
	}
	for _, tc := range cases {
		t.Run(tc.person, func(t *testing.T) {
			t.Parallel()
			var p *domain.Profile
			for _, x := range ps {
				if x.Person == tc.person {
					p = x
				}
			}
			if got := pv.Explain(p); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("explanation\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestPermitIsCheckedOnTheStartDay(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		until time.Time
		ok    bool
	}{
		{"expires the day before", start.AddDate(0, 0, -1), false},
		{"expires on the start day", start, true},
		{"no end", time.Time{}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := &domain.Profile{Person: "p", Italian: domain.B1, Permit: domain.Permit{Known: true, MayWork: true, ValidUntil: tc.until}}
			r := match.Prepare(vacancy(), match.DefaultConfig).Score(p)
			if (r.Excluded == 0) != tc.ok {
				t.Fatalf("excluded %v, want eligible %v", r.Excluded.Names(), tc.ok)
			}
		})
	}
}

func TestRankVacanciesForAPerson(t *testing.T) {
	t.Parallel()
	near, far, night := vacancy(), vacancy(), vacancy()
	near.ID, far.ID, night.ID = "near", "far", "night"
	far.Location = north(20)
	night.Shift = domain.Night
	p := &domain.Profile{Person: "p", Italian: domain.A2, Home: rome, Permit: permit, Prefs: domain.Preferences{Shifts: []domain.Shift{domain.Morning}}}
	var vs []*match.Vacancy
	for _, v := range []*domain.Vacancy{far, night, near} {
		vs = append(vs, match.Prepare(v, match.DefaultConfig))
	}
	got := match.RankVacancies(p, vs, 10)
	if len(got) != 2 || got[0].Vacancy.V.ID != "near" || got[1].Vacancy.V.ID != "far" {
		t.Fatalf("ranked vacancies %+v", got)
	}
}

// bruteForce returns the best total by trying every choice for every
// candidate: a vacancy with a position left that it is eligible for, or none.
func bruteForce(nc int, positions []int, scores []int32) int {
	left := append([]int(nil), positions...)
	var best func(c int) int
	best = func(c int) int {
		if c == nc {
			return 0
		}
		b := best(c + 1) // c left out
		for v := range left {
			if s := scores[v*nc+c]; s >= 0 && left[v] > 0 {
				left[v]--
				b = max(b, int(s)+best(c+1))
				left[v]++
			}
		}
		return b
	}
	return best(0)
}

func TestOptimalMatchesBruteForce(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 2026))
	for i := range 2000 {
		nc, nv := 1+rng.IntN(7), 1+rng.IntN(4)
		positions := make([]int, nv)
		for v := range positions {
			positions[v] = rng.IntN(3) // a vacancy may have no position left
		}
		scores := make([]int32, nc*nv)
		for k := range scores {
			if rng.IntN(4) == 0 {
				scores[k] = -1
			} else {
				scores[k] = int32(rng.IntN(101))
			}
		}
		a := match.Optimal(nc, positions, scores)
		want := bruteForce(nc, positions, scores)
		if a.Total != want {
			t.Fatalf("case %d (%d candidates, positions %v, scores %v): total %d, brute force %d", i, nc, positions, scores, a.Total, want)
		}
		checkValid(t, a, nc, positions, scores)
	}
}

// checkValid checks a respects positions, eligibility and its own total.
func checkValid(t *testing.T, a match.Assignment, nc int, positions []int, scores []int32) {
	t.Helper()
	seen := map[int]bool{}
	filled := make([]int, len(positions))
	total := 0
	for _, p := range a.Pairs {
		s := scores[p.Vacancy*nc+p.Candidate]
		if seen[p.Candidate] || s < 0 || int(s) != p.Score {
			t.Fatalf("invalid pair %+v (score %d, seen %v)", p, s, seen[p.Candidate])
		}
		seen[p.Candidate] = true
		filled[p.Vacancy]++
		total += p.Score
	}
	for v := range positions {
		if filled[v] > positions[v] || filled[v]+a.Unfilled[v] != positions[v] {
			t.Fatalf("vacancy %d: %d filled, %d unfilled of %d", v, filled[v], a.Unfilled[v], positions[v])
		}
	}
	if total != a.Total {
		t.Fatalf("pairs add up to %d, reported %d", total, a.Total)
	}
}

// The case where taking the best pair first loses: the optimum is not
// greedy.
func TestAssignBeatsGreedy(t *testing.T) {
	t.Parallel()
	// c0 fits v0 (90) and v1 (80); c1 fits only v0 (70). Greedy takes
	// c0-v0 and leaves c1 out (90); the optimum is c0-v1, c1-v0 (150).
	scores := []int32{90, 70, 80, -1}
	a := match.Optimal(2, []int{1, 1}, scores)
	if a.Total != 150 || len(a.Pairs) != 2 {
		t.Fatalf("optimum %+v", a)
	}
}

func TestAssignOnProfiles(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		vs, ps := randomVacancies(rng, 1+rng.IntN(3)), randomProfiles(rng, 1+rng.IntN(6))
		pvs := prepare(vs)
		a := match.Assign(pvs, ps)
		nc := len(ps)
		scores := make([]int32, len(vs)*nc)
		positions := make([]int, len(vs))
		for v, pv := range pvs {
			positions[v] = vs[v].Positions
			for c, p := range ps {
				r := pv.Score(p)
				scores[v*nc+c] = int32(r.Total)
				if r.Excluded != 0 {
					scores[v*nc+c] = -1
				}
			}
		}
		if want := bruteForce(nc, positions, scores); a.Total != want || a.Greedy > a.Total {
			t.Fatalf("total %d (greedy %d), brute force %d", a.Total, a.Greedy, want)
		}
		for c := range nc {
			best := -1
			for v := range vs {
				best = max(best, int(scores[v*nc+c]))
			}
			if (a.Best[c] < 0) != (best < 0) || (best >= 0 && (a.BestScore[c] != best || int(scores[a.Best[c]*nc+c]) != best)) {
				t.Fatalf("candidate %d: best vacancy %d scoring %d, want score %d", c, a.Best[c], a.BestScore[c], best)
			}
		}
		checkValid(t, a, nc, positions, scores)
	}
}

func prepare(vs []*domain.Vacancy) []*match.Vacancy {
	out := make([]*match.Vacancy, len(vs))
	for i, v := range vs {
		out[i] = match.Prepare(v, match.DefaultConfig)
	}
	return out
}

// Random data shaped like the real thing: a few hundred ESCO skills, eight
// or so per person, a metropolitan area of about 60 km.
const skillVocabulary = 300

func randomProfiles(rng *rand.Rand, n int) []*domain.Profile {
	out := make([]*domain.Profile, n)
	for i := range out {
		p := &domain.Profile{
			Person:        fmt.Sprintf("ps-%07d", i),
			Italian:       domain.Level(1 + rng.IntN(5)),
			Home:          domain.Point{Lat: rome.Lat + rng.Float64()*0.5 - 0.25, Lon: rome.Lon + rng.Float64()*0.5 - 0.25},
			AvailableFrom: start.AddDate(0, 0, rng.IntN(60)-30),
			Permit:        domain.Permit{Known: rng.IntN(10) > 0, MayWork: true, ValidUntil: start.AddDate(0, rng.IntN(12)-2, 0)},
			Prefs:         domain.Preferences{MaxWeeklyHours: []int{0, 20, 30, 40}[rng.IntN(4)], MaxCommuteKm: rng.IntN(50)},
		}
		if rng.IntN(3) == 0 {
			p.Prefs.Shifts = []domain.Shift{domain.Morning, domain.Afternoon}
		}
		if rng.IntN(2) == 0 {
			p.Prefs.Sectors = []string{fmt.Sprintf("sector-%d", rng.IntN(10))}
		}
		for range 4 + rng.IntN(8) {
			p.AddSkill(fmt.Sprintf("esco:s%d", rng.IntN(skillVocabulary)), domain.Evidence(1+rng.IntN(3)))
		}
		out[i] = p
	}
	return out
}

func randomVacancies(rng *rand.Rand, n int) []*domain.Vacancy {
	shifts := []domain.Shift{domain.Morning, domain.Afternoon, domain.Evening, domain.Night}
	out := make([]*domain.Vacancy, n)
	for i := range out {
		v := &domain.Vacancy{
			ID: fmt.Sprintf("v%05d", i), Sector: fmt.Sprintf("sector-%d", rng.IntN(10)),
			MinItalian:  domain.Level(rng.IntN(4)),
			Location:    domain.Point{Lat: rome.Lat + rng.Float64()*0.5 - 0.25, Lon: rome.Lon + rng.Float64()*0.5 - 0.25},
			WeeklyHours: []int{20, 25, 30, 36, 40}[rng.IntN(5)], Shift: shifts[rng.IntN(4)], Contract: domain.Internship,
			Positions: 1 + rng.IntN(3), StartsOn: start, Status: domain.Open,
		}
		for range 3 + rng.IntN(3) {
			v.Required = append(v.Required, fmt.Sprintf("esco:s%d", rng.IntN(skillVocabulary)))
		}
		for range 2 + rng.IntN(3) {
			v.Desirable = append(v.Desirable, fmt.Sprintf("esco:s%d", rng.IntN(skillVocabulary)))
		}
		out[i] = v
	}
	return out
}

// BenchmarkRank100k ranks 100,000 candidate profiles for one vacancy and
// keeps the best 50, as the counsellor's page asks.
func BenchmarkRank100k(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 7))
	ps := randomProfiles(rng, 100_000)
	pv := match.Prepare(randomVacancies(rng, 1)[0], match.DefaultConfig)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if rk := match.Rank(pv, ps, 50); rk.Considered != len(ps) {
			b.Fatal("not all considered")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(ps)), "ns/profile")
}

// BenchmarkAssign2000x500 proposes the optimal assignment of 2,000
// candidates to 500 vacancies (about 1,000 positions), scoring every pair.
func BenchmarkAssign2000x500(b *testing.B) {
	rng := rand.New(rand.NewPCG(9, 9))
	ps, vs := randomProfiles(rng, 2000), prepare(randomVacancies(rng, 500))
	b.ReportAllocs()
	b.ResetTimer()
	var a match.Assignment
	for b.Loop() {
		a = match.Assign(vs, ps)
	}
	b.ReportMetric(float64(len(a.Pairs)), "pairs")
	b.ReportMetric(float64(a.Total-a.Greedy), "points_over_greedy")
}
