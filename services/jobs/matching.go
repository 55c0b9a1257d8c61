package jobs

import (
	"context"
	"fmt"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/services/jobs/domain"
	"github.com/percorsi/percorsi/services/jobs/match"
)

// CandidateMatch is one candidate for a vacancy, explained.
type CandidateMatch struct {
	Profile     *domain.Profile
	Explanation match.Explanation
}

// CandidateRanking is the best candidates of the counsellor's
// organisation for a vacancy.
type CandidateRanking struct {
	Vacancy    *domain.Vacancy
	Matches    []CandidateMatch
	Considered int
	Eligible   int
	ExcludedBy map[string]int
}

// RankCandidates ranks the candidates of the caller's organisation for a
// vacancy. Errors: NotFound, Invalid (limit).
func (s *Service) RankCandidates(ctx context.Context, vacancyID string, limit int) (*CandidateRanking, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if limit < 1 || limit > 200 {
		return nil, errcode.New(errcode.Invalid, "limit", "must be 1 to 200")
	}
	v, err := s.vacancies.Get(ctx, vacancyID)
	if err != nil {
		return nil, err
	}
	profiles, err := s.profiles.Candidates(ctx, p.Organisation)
	if err != nil {
		return nil, err
	}
	pv := match.Prepare(v, s.cfg.Match)
	rk := match.Rank(pv, profiles, limit)
	out := &CandidateRanking{Vacancy: v, Considered: rk.Considered, Eligible: rk.Eligible, ExcludedBy: rk.ExcludedBy}
	for _, r := range rk.Top {
		out.Matches = append(out.Matches, CandidateMatch{Profile: r.Profile, Explanation: pv.Explain(r.Profile)})
	}
	return out, nil
}

// VacancyMatch is one vacancy for a candidate, explained.
type VacancyMatch struct {
	Vacancy     *domain.Vacancy
	Explanation match.Explanation
}

// RankVacancies ranks the open vacancies for a candidate of the caller's
// organisation. Errors: NotFound, Forbidden, Invalid (limit).
func (s *Service) RankVacancies(ctx context.Context, person string, limit int) ([]VacancyMatch, error) {
	if limit < 1 || limit > 200 {
		return nil, errcode.New(errcode.Invalid, "limit", "must be 1 to 200")
	}
	pr, err := s.Profile(ctx, person)
	if err != nil {
		return nil, err
	}
	open, err := s.vacancies.Open(ctx, s.now())
	if err != nil {
		return nil, err
	}
	pvs := make([]*match.Vacancy, len(open))
	for i, v := range open {
		pvs[i] = match.Prepare(v, s.cfg.Match)
	}
	var out []VacancyMatch
	for _, r := range match.RankVacancies(pr, pvs, limit) {
		out = append(out, VacancyMatch{Vacancy: r.Vacancy.V, Explanation: r.Vacancy.Explain(pr)})
	}
	return out, nil
}

// BatchPair is one proposed pair of a batch, explained.
type BatchPair struct {
	Vacancy     *domain.Vacancy
	Profile     *domain.Profile
	Explanation match.Explanation
}

// Batch is a proposed assignment of candidates to vacancies.
type Batch struct {
	Pairs      []BatchPair
	Total      int
	Greedy     int
	Unfilled   map[string]int // vacancy id -> positions left open
	LeftOut    []LeftOut      // eligible somewhere but better left out for the total
	Ineligible []string       // eligible for none of the vacancies
}

// LeftOut is a candidate eligible in the batch but not assigned, with the
// best vacancy she missed.
type LeftOut struct {
	Profile  *domain.Profile
	Best     *domain.Vacancy
	Score    int
	Assigned []int // scores of the people who took its positions
}

// Assign proposes the assignment with the best total score of the
// caller's candidates to the given open vacancies (all open ones when
// none are given). Nothing is stored: the counsellor proposes from it.
// Errors: Invalid, NotFound.
func (s *Service) Assign(ctx context.Context, vacancyIDs []string) (*Batch, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if len(vacancyIDs) > 1000 {
		return nil, errcode.New(errcode.Invalid, "vacancy_ids", "at most 1000")
	}
	var vs []*domain.Vacancy
	if len(vacancyIDs) == 0 {
		if vs, err = s.vacancies.Open(ctx, s.now()); err != nil {
			return nil, err
		}
	}
	for i, id := range vacancyIDs {
		v, err := s.vacancies.Get(ctx, id)
		if errcode.Of(err) == errcode.NotFound || (err == nil && !v.OpenOn(s.now())) {
			return nil, errcode.New(errcode.Invalid, fmt.Sprintf("vacancy_ids[%d]", i), "no such open vacancy")
		}
		if err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	profiles, err := s.profiles.Candidates(ctx, p.Organisation)
	if err != nil {
		return nil, err
	}
	pvs := make([]*match.Vacancy, len(vs))
	for i, v := range vs {
		pvs[i] = match.Prepare(v, s.cfg.Match)
	}
	a := match.Assign(pvs, profiles)
	b := &Batch{Total: a.Total, Greedy: a.Greedy, Unfilled: map[string]int{}}
	assigned := make([]bool, len(profiles))
	for _, pair := range a.Pairs {
		pv, pr := pvs[pair.Vacancy], profiles[pair.Candidate]
		assigned[pair.Candidate] = true
		b.Pairs = append(b.Pairs, BatchPair{Vacancy: pv.V, Profile: pr, Explanation: pv.Explain(pr)})
	}
	for i, n := range a.Unfilled {
		if n > 0 {
			b.Unfilled[vs[i].ID] = n
		}
	}
	for c, pr := range profiles {
		switch {
		case assigned[c]:
		case a.Eligible[c] > 0:
			lo := LeftOut{Profile: pr, Best: vs[a.Best[c]], Score: a.BestScore[c]}
			for _, pair := range a.Pairs {
				if pair.Vacancy == a.Best[c] {
					lo.Assigned = append(lo.Assigned, pair.Score)
				}
			}
			b.LeftOut = append(b.LeftOut, lo)
		default:
			b.Ineligible = append(b.Ineligible, pr.Person)
		}
	}
	return b, nil
}
