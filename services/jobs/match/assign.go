package match

import (
	"math"
	"sort"

	"github.com/percorsi/percorsi/services/jobs/domain"
)

// Pair is one person assigned to one vacancy by index.
type Pair struct {
	Candidate int
	Vacancy   int
	Score     int
}

// Assignment is the proposed assignment of a batch, with what explains it.
type Assignment struct {
	Pairs []Pair // by vacancy, then candidate
	Total int
	// Greedy is the total of the usual manual method, each best remaining
	// pair first: the optimum is never below it, often above.
	Greedy int
	// Unfilled counts the positions left open per vacancy, for lack of an
	// eligible candidate not better used elsewhere.
	Unfilled []int
	// Eligible counts the eligible vacancies per candidate: a candidate
	// left out with some was worth more to the total elsewhere.
	Eligible []int
	// Best is each candidate's best-scoring eligible vacancy (-1 for
	// none) and BestScore its score, to say what a left-out person missed.
	Best      []int
	BestScore []int
}

// Assign proposes, for the vacancies and the profiles, the assignment
// with the greatest total score such that nobody holds two positions, no
// vacancy gets more people than its positions, and no pair breaks a hard
// constraint.
func Assign(vacancies []*Vacancy, profiles []*domain.Profile) Assignment {
	nc, nv := len(profiles), len(vacancies)
	// scores[v*nc+c]: rows by vacancy keep the solver's scans contiguous.
	scores := make([]int32, nv*nc)
	eligible := make([]int, nc)
	best, bestScore := make([]int, nc), make([]int, nc)
	for c := range best {
		best[c] = -1
	}
	positions := make([]int, nv)
	for v, pv := range vacancies {
		positions[v] = pv.V.Positions
		row := scores[v*nc : (v+1)*nc]
		for c, p := range profiles {
			r := pv.Score(p)
			if r.Excluded != 0 {
				row[c] = -1
				continue
			}
			row[c] = int32(r.Total)
			eligible[c]++
			if best[c] < 0 || r.Total > bestScore[c] {
				best[c], bestScore[c] = v, r.Total
			}
		}
	}
	a := Optimal(nc, positions, scores)
	a.Eligible, a.Best, a.BestScore = eligible, best, bestScore
	a.Greedy = greedy(nc, positions, scores)
	return a
}

// Optimal solves the assignment for nc candidates and len(positions)
// vacancies, where scores[v*nc+c] is the score of candidate c for vacancy v
// or negative when the pair is excluded.
//
// It is the Hungarian algorithm (shortest augmenting paths with
// potentials, O(S² (nc+S)) for S positions in all) on the expanded
// matrix: one row per position, one column per candidate plus one "left
// open" column per position, cost minus the score. Excluded pairs cost
// more than leaving the position open, so they are never chosen.
func Optimal(nc int, positions []int, scores []int32) Assignment {
	var slotVac []int
	for v, n := range positions {
		for range n {
			slotVac = append(slotVac, v)
		}
	}
	n, m := len(slotVac), nc+len(slotVac)
	const inf = math.MaxInt64 / 4
	const excluded = math.MaxInt32 // dearer than any open position
	u := make([]int64, n+1)
	pot := make([]int64, m+1)
	p := make([]int, m+1) // p[j]: the row holding column j, 0 if free
	way := make([]int, m+1)
	minv := make([]int64, m+1)
	used := make([]bool, m+1)
	for i := 1; i <= n; i++ {
		p[0] = i
		j0 := 0
		for j := range minv {
			minv[j], used[j] = inf, false
		}
		for {
			used[j0] = true
			i0, delta, j1 := p[j0], int64(inf), 0
			// Columns 1..nc are candidates, costing minus their score for
			// this row's vacancy; the rest leave a position open at 0.
			row := scores[slotVac[i0-1]*nc : (slotVac[i0-1]+1)*nc]
			ui := u[i0]
			for j := 1; j <= m; j++ {
				if used[j] {
					continue
				}
				var c int64
				if j <= nc {
					if c = -int64(row[j-1]); c > 0 {
						c = excluded
					}
				}
				if cur := c - ui - pot[j]; cur < minv[j] {
					minv[j], way[j] = cur, j0
				}
				if minv[j] < delta {
					delta, j1 = minv[j], j
				}
			}
			for j := 0; j <= m; j++ {
				if used[j] {
					u[p[j]] += delta
					pot[j] -= delta
				} else {
					minv[j] -= delta
				}
			}
			j0 = j1
			if p[j0] == 0 {
				break
			}
		}
		for j0 != 0 {
			j1 := way[j0]
			p[j0] = p[j1]
			j0 = j1
		}
	}
	a := Assignment{Unfilled: append([]int(nil), positions...)}
	for j := 1; j <= nc; j++ {
		if i := p[j]; i != 0 {
			v := slotVac[i-1]
			if s := scores[v*nc+j-1]; s >= 0 {
				a.Pairs = append(a.Pairs, Pair{Candidate: j - 1, Vacancy: v, Score: int(s)})
				a.Total += int(s)
				a.Unfilled[v]--
			}
		}
	}
	sort.Slice(a.Pairs, func(x, y int) bool {
		if a.Pairs[x].Vacancy != a.Pairs[y].Vacancy {
			return a.Pairs[x].Vacancy < a.Pairs[y].Vacancy
		}
		return a.Pairs[x].Candidate < a.Pairs[y].Candidate
	})
	return a
}

// greedy is the total of taking the best remaining eligible pair first.
func greedy(nc int, positions []int, scores []int32) int {
	type pair struct {
		c, v int32
		s    int32
	}
	var pairs []pair
	for i, s := range scores {
		if s >= 0 {
			pairs = append(pairs, pair{int32(i % nc), int32(i / nc), s})
		}
	}
	sort.Slice(pairs, func(i, j int) bool { return pairs[i].s > pairs[j].s })
	left := append([]int(nil), positions...)
	taken := make([]bool, nc)
	total := 0
	for _, p := range pairs {
		if !taken[p.c] && left[p.v] > 0 {
			taken[p.c], left[p.v] = true, left[p.v]-1
			total += int(p.s)
		}
	}
	return total
}
