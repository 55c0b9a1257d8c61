package match

import (
	"container/heap"

	"github.com/percorsi/percorsi/services/jobs/domain"
)

// Ranked is one person's score for a vacancy.
type Ranked struct {
	Profile *domain.Profile
	Result  Result
}

// Ranking is the best candidates for a vacancy and what the rest were
// excluded for.
type Ranking struct {
	Top        []Ranked // best first; ties by pseudonym
	Considered int
	Eligible   int
	// ExcludedBy counts the profiles breaking each constraint, by name.
	ExcludedBy map[string]int
}

// Rank scores every profile for the vacancy and keeps the limit best that
// break no hard constraint. It holds only limit results at a time.
func Rank(pv *Vacancy, profiles []*domain.Profile, limit int) Ranking {
	rk := Ranking{Considered: len(profiles), ExcludedBy: map[string]int{}}
	var excluded [len(exclusionNames)]int
	top := &topK[Ranked]{limit: limit, less: func(a, b Ranked) bool {
		if a.Result.Total != b.Result.Total {
			return a.Result.Total < b.Result.Total
		}
		return a.Profile.Person > b.Profile.Person
	}}
	for _, p := range profiles {
		r := pv.Score(p)
		if r.Excluded != 0 {
			for i := range excluded {
				if r.Excluded&(1<<i) != 0 {
					excluded[i]++
				}
			}
			continue
		}
		rk.Eligible++
		top.offer(Ranked{Profile: p, Result: r})
	}
	for i, n := range excluded {
		if n > 0 {
			rk.ExcludedBy[exclusionNames[i]] = n
		}
	}
	rk.Top = top.sorted()
	return rk
}

// RankedVacancy is a vacancy's score for one person.
type RankedVacancy struct {
	Vacancy *Vacancy
	Result  Result
}

// RankVacancies scores the vacancies for p and keeps the limit best it is
// eligible for.
func RankVacancies(p *domain.Profile, vacancies []*Vacancy, limit int) []RankedVacancy {
	top := &topK[RankedVacancy]{limit: limit, less: func(a, b RankedVacancy) bool {
		if a.Result.Total != b.Result.Total {
			return a.Result.Total < b.Result.Total
		}
		return a.Vacancy.V.ID > b.Vacancy.V.ID
	}}
	for _, v := range vacancies {
		if r := v.Score(p); r.Excluded == 0 {
			top.offer(RankedVacancy{Vacancy: v, Result: r})
		}
	}
	return top.sorted()
}

// topK keeps the limit greatest items offered, in a min-heap whose root is
// the least kept.
type topK[T any] struct {
	limit int
	less  func(a, b T) bool
	items []T
}

func (t *topK[T]) Len() int           { return len(t.items) }
func (t *topK[T]) Less(i, j int) bool { return t.less(t.items[i], t.items[j]) }
func (t *topK[T]) Swap(i, j int)      { t.items[i], t.items[j] = t.items[j], t.items[i] }
func (t *topK[T]) Push(x any)         { t.items = append(t.items, x.(T)) }
func (t *topK[T]) Pop() any {
	last := t.items[len(t.items)-1]
	t.items = t.items[:len(t.items)-1]
	return last
}

func (t *topK[T]) offer(x T) {
	switch {
	case t.limit <= 0:
	case len(t.items) < t.limit:
		heap.Push(t, x)
	case t.less(t.items[0], x):
		t.items[0] = x
		heap.Fix(t, 0)
	}
}

// sorted empties the heap into a slice, greatest first.
func (t *topK[T]) sorted() []T {
	out := make([]T, len(t.items))
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(t).(T)
	}
	return out
}
