// Package pathway is the service that follows each person's road to
// autonomy: intake with encrypted personal data and an audit of every read,
// legal status, the individual plan, the timeline of the facts every service
// publishes, autonomy, alerts, transfers, closing, erasure and monitoring.
package pathway

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/events"
	"github.com/percorsi/percorsi/pkg/fieldcrypt"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/pkg/versioned"
	"github.com/percorsi/percorsi/services/pathway/domain"
)

// Service holds the use cases.
type Service struct {
	persons  Persons
	timeline domain.Timeline
	keys     domain.Keys
	audit    domain.Audit
	ring     *fieldcrypt.Keyring
	rules    domain.Rules
	now      func() time.Time

	mu      sync.Mutex
	touched map[string]bool // people whose alerts need a check
}

// Persons stores people (store.Persons). It speaks the outbox's
// messages, which the use cases seal (events.go), so it lives here and not
// in the domain.
type Persons interface {
	// Get returns NotFound for an unknown pseudonym.
	Get(ctx context.Context, pseudonym string) (*domain.Person, error)
	// Create stores a new person with its events; Conflict if it exists.
	Create(ctx context.Context, pseudonym string, p *domain.Person, events []outbox.Message) error
	// Update stores what change makes of the person with its events in one
	// write; NotFound, change's error, or Unavailable when concurrent
	// writers kept winning.
	Update(ctx context.Context, pseudonym string, change versioned.Change[domain.Person]) (*domain.Person, error)
	// Summarise sets a person's Stage and LastActivity alone, without
	// Update's version guard: they are derived from the timeline, and the
	// next check writes them again. NotFound for an unknown pseudonym.
	Summarise(ctx context.Context, pseudonym string, stage domain.Stage, last time.Time) error
	// All returns every person without their sealed fields.
	All(ctx context.Context) ([]*domain.Person, error)
	// InCharge returns the people org is in charge of, closed pathways
	// included, without their sealed fields, plan or consents.
	InCharge(ctx context.Context, org string) ([]*domain.Person, error)
	// TransfersTo returns the people with a transfer pending to org,
	// without their sealed fields.
	TransfersTo(ctx context.Context, org string) ([]*domain.Person, error)
}

// Stores are what the use cases read and write.
type Stores struct {
	Persons  Persons
	Timeline domain.Timeline
	Keys     domain.Keys
	Audit    domain.Audit
}

// NewService returns the use cases over the given stores.
func NewService(st Stores, ring *fieldcrypt.Keyring, rules domain.Rules, now func() time.Time) *Service {
	return &Service{
		persons: st.Persons, timeline: st.Timeline, keys: st.Keys, audit: st.Audit, ring: ring, rules: rules, now: now,
		touched: map[string]bool{},
	}
}

// Record adds facts to people's timelines and marks the people touched for
// a check (CheckTouched). It is idempotent by event id, so
// redelivered events change nothing.
// Errors: Invalid for an entry without id or person.
func (s *Service) Record(ctx context.Context, entries ...*domain.Entry) error {
	if err := s.record(ctx, entries); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range entries {
		// Pathway's own facts count too: a permit recorded changes the
		// stage once it is on the timeline.
		s.touched[e.Person] = true
	}
	return nil
}

// record adds entries to the timelines.
func (s *Service) record(ctx context.Context, entries []*domain.Entry) error {
	for _, e := range entries {
		switch {
		case e.EventID == "":
			return errcode.New(errcode.Invalid, "event_id", "is required")
		case e.Person == "":
			return errcode.New(errcode.Invalid, "person_pseudonym", "is required")
		}
	}
	if len(entries) == 0 {
		return nil
	}
	return s.timeline.Add(ctx, entries...)
}

// CheckTouched checks the alerts and the caseload summary of the people
// whose facts arrived since the last call. The checks run apart from Record
// so that the consumer keeps its pace; the set lives in memory, and the
// periodic Sweep covers what a restart forgets.
func (s *Service) CheckTouched(ctx context.Context) error {
	s.mu.Lock()
	touched := slices.Collect(maps.Keys(s.touched))
	s.touched = map[string]bool{}
	s.mu.Unlock()
	if done, err := s.check(ctx, touched...); err != nil {
		s.mu.Lock()
		for _, p := range touched[done:] {
			s.touched[p] = true // try them again next time
		}
		s.mu.Unlock()
		return err
	}
	return nil
}

// checkBatch is how many people a check reads at once.
const checkBatch = 500

// check raises the alerts the facts of the people named call for, clears
// those later facts undid, and keeps the stage and last activity the
// caseload shows. It reads the timelines a batch of people at a time, in
// one query, as the facts of one register touch a whole class; each person
// is then read and written by pseudonym. People pathway does not follow
// have none. It returns how many people it checked, in order, before an
// error.
func (s *Service) check(ctx context.Context, pseudonyms ...string) (done int, err error) {
	for batch := range slices.Chunk(pseudonyms, checkBatch) {
		timelines, err := s.timeline.ListEach(ctx, batch)
		if err != nil {
			return done, err
		}
		for _, pseudonym := range batch {
			if err := s.checkOne(ctx, pseudonym, timelines[pseudonym]); err != nil && errcode.Of(err) != errcode.NotFound {
				return done, err
			}
			done++
		}
	}
	return done, nil
}

// checkOne is check of one person, given their timeline. Most facts move
// only the stage or the last activity, written apart from the person;
// alerts raised or cleared go through Update, with their events.
func (s *Service) checkOne(ctx context.Context, pseudonym string, entries []domain.Entry) error {
	now := s.now()
	p, err := s.persons.Get(ctx, pseudonym)
	if err != nil {
		return err
	}
	if raise, clear := s.rules.Check(p, entries, now); len(raise) == 0 && len(clear) == 0 {
		stage, last := s.summary(p, entries, now)
		if stage == p.Stage && last.Equal(p.LastActivity) {
			return nil
		}
		return s.persons.Summarise(ctx, pseudonym, stage, last)
	}
	_, err = s.persons.Update(ctx, pseudonym, change(ctx, func(p *domain.Person) ([]domain.Event, error) {
		raise, clear := s.rules.Check(p, entries, now)
		stage, last := s.summary(p, entries, now)
		if len(raise) == 0 && len(clear) == 0 && stage == p.Stage && last.Equal(p.LastActivity) {
			return nil, versioned.ErrNoChange
		}
		p.Stage, p.LastActivity = stage, last
		var evs []domain.Event
		for _, a := range raise {
			p.Alerts = append(p.Alerts, a)
			evs = append(evs, domain.Event{Kind: domain.FactAlertRaised, At: now, Person: p, Alert: &a})
		}
		for i := range p.Alerts {
			if slices.Contains(clear, p.Alerts[i].ID) {
				p.Alerts[i].ResolvedAt, p.Alerts[i].ResolvedBy = now, "system"
				evs = append(evs, domain.Event{Kind: domain.FactAlertResolved, At: now, Person: p, Alert: &p.Alerts[i], How: "cleared"})
			}
		}
		return evs, nil
	}))
	return err
}

// summary is the stage and last activity of p at now, as the caseload
// shows them: a closed pathway is assessed as it was on its closing day.
func (s *Service) summary(p *domain.Person, entries []domain.Entry, now time.Time) (domain.Stage, time.Time) {
	now = p.AssessedAt(now)
	return s.rules.Assess(entries, now).Stage, domain.LastActivity(p, entries, now)
}

// Sweep checks the time-driven alerts (a permit nearing expiry, inactivity)
// and stages (a placement reaching its months) of every open pathway; it
// runs periodically.
func (s *Service) Sweep(ctx context.Context) error {
	all, err := s.persons.All(ctx)
	if err != nil {
		return err
	}
	var open []string
	for _, p := range all {
		if p.Closed == nil {
			open = append(open, p.Pseudonym)
		}
	}
	if _, err := s.check(ctx, open...); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	return nil
}

// IntakeRequest takes a person in charge.
type IntakeRequest struct {
	DisplayName string
	Programme   domain.Programme
	Referral    domain.Referral
	Territory   string
	CaseWorker  string // defaults to the caller
	Since       time.Time
	Personal    domain.PersonalData
	Consents    []domain.Consent
}

// Intake takes a person in charge for the caller's organisation: a random
// pseudonym, the personal data sealed field by field with the person's own
// key, an audit entry, and PersonTakenInCharge (without personal data).
// Errors: Invalid naming the field, Forbidden.
func (s *Service) Intake(ctx context.Context, r IntakeRequest) (*domain.Person, error) {
	caller, err := caseWorker(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case r.DisplayName == "":
		return nil, invalid("display_name", "is required")
	case !slices.Contains(domain.Programmes, r.Programme):
		return nil, invalid("programme", "must be one of art18, art13, other")
	case !slices.Contains(domain.Referrals, r.Referral):
		return nil, invalid("referral", "must be one of hotline, contact_unit, police, territorial_commission, social_services, self")
	case r.Personal.LegalName == "":
		return nil, invalid("personal.legal_name", "is required")
	}
	if r.Personal.BirthDate != "" {
		if _, err := time.Parse(time.DateOnly, r.Personal.BirthDate); err != nil {
			return nil, invalid("personal.birth_date", "must be a date YYYY-MM-DD")
		}
	}
	for i, c := range r.Consents {
		if c.Scope == "" {
			return nil, invalid(fmt.Sprintf("consents[%d].scope", i), "is required")
		}
	}
	now := s.now()
	if r.Since.IsZero() {
		r.Since = now
	}
	if r.CaseWorker == "" {
		r.CaseWorker = caller.Subject
	}
	p := &domain.Person{
		Pseudonym: newPseudonym(), Organisation: caller.Organisation, Territory: r.Territory, DisplayName: r.DisplayName,
		CaseWorker: r.CaseWorker, Since: r.Since, RecordedAt: now, Programme: r.Programme, Referral: r.Referral, Consents: r.Consents,
	}
	for i := range p.Consents {
		if p.Consents[i].GivenAt.IsZero() {
			p.Consents[i].GivenAt = now
		}
	}
	key, wrapped, err := s.ring.NewDataKey(p.Pseudonym)
	if err != nil {
		return nil, err
	}
	if p.Sealed, err = sealPersonal(key, r.Personal); err != nil {
		return nil, err
	}
	// The key first: a person stored without their key could never be read.
	if err := s.keys.Put(ctx, p.Pseudonym, domain.WrappedKey{KeyID: wrapped.KeyID, Key: wrapped.Key}); err != nil {
		return nil, err
	}
	msgs, err := sealEvents(ctx, []domain.Event{{Kind: domain.FactTakenInCharge, At: now, Person: p}})
	if err != nil {
		return nil, err
	}
	if err := s.persons.Create(ctx, p.Pseudonym, p, msgs); err != nil {
		return nil, err
	}
	if err := s.log(ctx, caller, p.Pseudonym, "intake", fieldsOf(p.Sealed), "taken in charge", "granted"); err != nil {
		return nil, err
	}
	return p, nil
}

func newPseudonym() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return "ps-" + hex.EncodeToString(b)
}

func sealPersonal(key *fieldcrypt.DataKey, d domain.PersonalData) (map[string][]byte, error) {
	values := map[string]any{
		"legal_name": d.LegalName, "birth_date": d.BirthDate, "nationality": d.Nationality, "languages": d.Languages,
		"phone": d.Phone, "email": d.Email, "documents": d.Documents,
	}
	out := map[string][]byte{}
	for _, f := range domain.PersonalFields {
		v := values[f]
		if b, err := json.Marshal(v); err != nil || string(b) == `""` || string(b) == "null" {
			continue // empty fields are not stored at all
		} else if out[f], err = key.Seal(f, b); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func fieldsOf(sealed map[string][]byte) []string {
	var out []string
	for _, f := range domain.PersonalFields {
		if _, ok := sealed[f]; ok {
			out = append(out, f)
		}
	}
	return out
}

// Personal reads some of a person's personal data, for a stated reason;
// the read is audited before anything is returned, and so is a refusal.
// Errors: Invalid (reason, fields), Forbidden, NotFound (also once erased).
func (s *Service) Personal(ctx context.Context, pseudonym string, fields []string, reason string) (map[string]json.RawMessage, error) {
	if reason == "" {
		return nil, invalid("reason", "is required: say why the personal data is needed")
	}
	if len(fields) == 0 {
		fields = domain.PersonalFields
	}
	for _, f := range fields {
		if !slices.Contains(domain.PersonalFields, f) {
			return nil, invalid("fields", "must name personal fields: legal_name, birth_date, nationality, languages, phone, email, documents")
		}
	}
	p, caller, err := s.access(ctx, pseudonym, "read_personal", fields, reason)
	if err != nil {
		return nil, err
	}
	if !p.ErasedAt.IsZero() {
		return nil, s.refuse(ctx, caller, p.Pseudonym, "read_personal", fields, reason, "erased",
			errcode.New(errcode.NotFound, "pseudonym", "the personal data of this person was erased"))
	}
	wrapped, err := s.keys.Get(ctx, p.Pseudonym)
	if err != nil {
		return nil, err
	}
	key, err := s.ring.Unwrap(fieldcrypt.Wrapped{KeyID: wrapped.KeyID, Key: wrapped.Key}, p.Pseudonym)
	if err != nil {
		return nil, fmt.Errorf("unwrap the key of a person: %w", err)
	}
	out := map[string]json.RawMessage{}
	for _, f := range fields {
		c, ok := p.Sealed[f]
		if !ok {
			continue
		}
		plain, err := key.Open(f, c)
		if err != nil {
			return nil, fmt.Errorf("open field %s: %w", f, err)
		}
		out[f] = plain
	}
	if err := s.log(ctx, caller, p.Pseudonym, "read_personal", fields, reason, "granted"); err != nil {
		return nil, err
	}
	return out, nil
}

// Erase crypto-shreds a person's personal data: their key is deleted, so
// every copy of their sealed fields (backups included) is unreadable at
// once; the ciphertext is removed too. The pathway facts, which name only
// the pseudonym, stay for the aggregates. Errors: Invalid, Forbidden, NotFound.
func (s *Service) Erase(ctx context.Context, pseudonym, reason string) error {
	if reason == "" {
		return invalid("reason", "is required")
	}
	p, caller, err := s.access(ctx, pseudonym, "erase", domain.PersonalFields, reason)
	if err != nil {
		return err
	}
	if err := s.keys.Delete(ctx, p.Pseudonym); err != nil {
		return err
	}
	now := s.now()
	_, err = s.persons.Update(ctx, p.Pseudonym, func(p *domain.Person) ([]outbox.Message, error) {
		p.Sealed, p.ErasedAt = nil, now
		p.DisplayName = "—"
		return nil, nil
	})
	if err != nil {
		return err
	}
	return s.log(ctx, caller, p.Pseudonym, "erase", domain.PersonalFields, reason, "granted")
}

// RotateKeys wraps every person's data key again under the current master
// key, so that older master keys can be retired; the sealed fields do not
// change. It reports progress and returns how many keys it rewrapped.
func (s *Service) RotateKeys(ctx context.Context, progress func(done, total int64)) (int, error) {
	keys, err := s.keys.All(ctx)
	if err != nil {
		return 0, err
	}
	var done, n int
	for pseudonym, w := range keys {
		if w.KeyID != s.ring.Current() {
			moved, err := s.ring.Rewrap(fieldcrypt.Wrapped{KeyID: w.KeyID, Key: w.Key}, pseudonym)
			if err != nil {
				return n, fmt.Errorf("rotate key %d of %d: %w", done+1, len(keys), err)
			}
			if err := s.keys.Put(ctx, pseudonym, domain.WrappedKey{KeyID: moved.KeyID, Key: moved.Key}); err != nil {
				return n, err
			}
			n++
		}
		done++
		if progress != nil {
			progress(int64(done), int64(len(keys)))
		}
	}
	return n, nil
}

// AuditLog returns who accessed a person's data. Errors: Forbidden, NotFound.
func (s *Service) AuditLog(ctx context.Context, pseudonym string) ([]domain.AuditEntry, error) {
	if _, _, err := s.access(ctx, pseudonym, "read_audit", nil, "audit review"); err != nil {
		return nil, err
	}
	return s.audit.List(ctx, pseudonym)
}

// caseWorker returns the caller, who must be a case worker.
func caseWorker(ctx context.Context) (auth.Principal, error) {
	caller, ok := auth.From(ctx)
	if !ok {
		return auth.Principal{}, errcode.New(errcode.Unauthorized, "authorization", "a signed-in user is required")
	}
	if caller.Role != auth.CaseWorker {
		return auth.Principal{}, errcode.New(errcode.Forbidden, "", "only a case worker may do this")
	}
	return caller, nil
}

// access loads a person for the caller, who must be a case worker of the
// organisation in charge; a refusal is written to the audit log.
func (s *Service) access(ctx context.Context, pseudonym, action string, fields []string, reason string) (*domain.Person, auth.Principal, error) {
	if pseudonym == "" {
		return nil, auth.Principal{}, invalid("pseudonym", "is required")
	}
	caller, ok := auth.From(ctx)
	if !ok {
		return nil, caller, errcode.New(errcode.Unauthorized, "authorization", "a signed-in user is required")
	}
	p, err := s.persons.Get(ctx, pseudonym)
	if err != nil {
		return nil, caller, err
	}
	if caller.Role != auth.CaseWorker || caller.Organisation != p.Organisation {
		return nil, caller, s.refuse(ctx, caller, pseudonym, action, fields, reason, "denied",
			errcode.New(errcode.Forbidden, "pseudonym", "this person is followed by another organisation"))
	}
	return p, caller, nil
}

// refuse audits a refused access and returns why it was refused.
func (s *Service) refuse(ctx context.Context, caller auth.Principal, pseudonym, action string, fields []string, reason, outcome string, why error) error {
	if err := s.log(ctx, caller, pseudonym, action, fields, reason, outcome); err != nil {
		return errors.Join(why, err)
	}
	return why
}

func (s *Service) log(ctx context.Context, caller auth.Principal, pseudonym, action string, fields []string, reason, outcome string) error {
	return s.audit.Add(ctx, domain.AuditEntry{
		ID: events.NewID(), At: s.now(), Subject: caller.Subject, Role: string(caller.Role), Organisation: caller.Organisation,
		Person: pseudonym, Action: action, Fields: fields, Reason: reason, Outcome: outcome,
	})
}

// update applies fn to a person the caller may change, and audits it.
func (s *Service) update(ctx context.Context, pseudonym, action, reason string, fn func(p *domain.Person, caller auth.Principal, now time.Time) ([]domain.Event, error)) (*domain.Person, error) {
	_, caller, err := s.access(ctx, pseudonym, action, nil, reason)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out, err := s.persons.Update(ctx, pseudonym, change(ctx, func(p *domain.Person) ([]domain.Event, error) {
		if caller.Organisation != p.Organisation {
			return nil, errcode.New(errcode.Forbidden, "pseudonym", "this person is followed by another organisation")
		}
		return fn(p, caller, now)
	}))
	if err != nil {
		return nil, err
	}
	return out, s.log(ctx, caller, pseudonym, action, nil, reason, "granted")
}

// Person returns the record of a person (no personal data) to the case
// worker in charge. Errors: Forbidden, NotFound.
func (s *Service) Person(ctx context.Context, pseudonym string) (*domain.Person, error) {
	p, _, err := s.access(ctx, pseudonym, "read_record", nil, "case management")
	return p, err
}

// SetConsent records consent for a scope given, or withdraws it.
// Errors: Invalid, Forbidden, NotFound.
func (s *Service) SetConsent(ctx context.Context, pseudonym, scope string, given bool) (*domain.Person, error) {
	if scope == "" {
		return nil, invalid("scope", "is required")
	}
	return s.update(ctx, pseudonym, "consent", scope, func(p *domain.Person, _ auth.Principal, now time.Time) ([]domain.Event, error) {
		for i := range p.Consents {
			c := &p.Consents[i]
			if c.Scope == scope && c.WithdrawnAt.IsZero() {
				if !given {
					c.WithdrawnAt = now
				}
				return nil, nil
			}
		}
		if !given {
			return nil, errcode.New(errcode.Conflict, "scope", "no consent given for this scope")
		}
		p.Consents = append(p.Consents, domain.Consent{Scope: scope, GivenAt: now})
		return nil, nil
	})
}

// RecordPermit records a residence permit issued, renewed or converted.
// Errors: Invalid, Forbidden, NotFound.
func (s *Service) RecordPermit(ctx context.Context, pseudonym string, x domain.Permit) (*domain.Person, error) {
	switch {
	case !slices.Contains(domain.PermitKinds, x.Kind):
		return nil, invalid("kind", "is not a known permit kind")
	case x.ConvertedFrom != "" && !slices.Contains(domain.PermitKinds, x.ConvertedFrom):
		return nil, invalid("converted_from", "is not a known permit kind")
	case x.ValidFrom.IsZero():
		return nil, invalid("valid_from", "is required")
	case !x.ValidUntil.IsZero() && !x.ValidUntil.After(x.ValidFrom):
		return nil, invalid("valid_until", "must be after valid_from")
	}
	p, err := s.update(ctx, pseudonym, "permit", string(x.Kind), func(p *domain.Person, _ auth.Principal, now time.Time) ([]domain.Event, error) {
		x.RecordedAt = now
		p.Permits = append(p.Permits, x)
		return []domain.Event{{Kind: domain.FactPermitRecorded, At: now, Person: p, Permit: &x}}, nil
	})
	if err != nil {
		return nil, err
	}
	_, err = s.check(ctx, pseudonym)
	return p, err
}

// LegalView is a person's legal status and what the pathway's facts say
// about converting their permit.
type LegalView struct {
	Permits     []domain.Permit
	Current     *domain.Permit
	DaysLeft    int  // until the current permit expires
	Convertible bool // the facts support a conversion (work or study)
	Grounds     domain.Reason
	CheckFrom   time.Time // when the grounds start being checked
}

// Legal returns the legal status. Errors: Forbidden, NotFound.
func (s *Service) Legal(ctx context.Context, pseudonym string) (*LegalView, error) {
	p, err := s.Person(ctx, pseudonym)
	if err != nil {
		return nil, err
	}
	entries, err := s.timeline.List(ctx, pseudonym)
	if err != nil {
		return nil, err
	}
	now := s.now()
	v := &LegalView{Permits: p.Permits, Current: p.Current()}
	v.Convertible, v.Grounds = s.rules.Grounds(entries, now)
	if c := v.Current; c != nil && !c.ValidUntil.IsZero() {
		v.DaysLeft = int(c.ValidUntil.Sub(now).Hours() / 24)
		v.CheckFrom = c.ValidUntil.Add(-s.rules.PermitWarning)
	}
	return v, nil
}

// UpdatePlan replaces the goals of the individual plan with a new revision;
// the previous one goes to the history. Errors: Invalid, Forbidden, NotFound.
func (s *Service) UpdatePlan(ctx context.Context, pseudonym string, goals []domain.Goal) (*domain.Person, error) {
	for i, g := range goals {
		switch {
		case !slices.Contains(domain.Areas, g.Domain):
			return nil, invalid(fmt.Sprintf("goals[%d].domain", i), "must be one of italian, digital, training, work, housing, legal")
		case g.Title == "":
			return nil, invalid(fmt.Sprintf("goals[%d].title", i), "is required")
		case g.Status == "":
			goals[i].Status = "open"
		case !slices.Contains(domain.GoalStatuses, g.Status):
			return nil, invalid(fmt.Sprintf("goals[%d].status", i), "must be open, achieved or dropped")
		}
		if g.ID == "" {
			goals[i].ID = fmt.Sprintf("g%d", i+1)
		}
	}
	return s.update(ctx, pseudonym, "plan", "plan revision", func(p *domain.Person, caller auth.Principal, now time.Time) ([]domain.Event, error) {
		if p.Plan.Revision > 0 {
			p.Plan.History = append(p.Plan.History, domain.PlanRevision{Revision: p.Plan.Revision, Goals: p.Plan.Goals, UpdatedAt: p.Plan.UpdatedAt, UpdatedBy: p.Plan.UpdatedBy})
		}
		p.Plan.Revision++
		p.Plan.Goals, p.Plan.UpdatedAt, p.Plan.UpdatedBy = goals, now, caller.Subject
		return []domain.Event{{Kind: domain.FactPlanUpdated, At: now, Person: p}}, nil
	})
}

// Alerts returns a person's alerts, open first. Errors: Forbidden, NotFound.
func (s *Service) Alerts(ctx context.Context, pseudonym string) ([]domain.Alert, error) {
	p, err := s.Person(ctx, pseudonym)
	if err != nil {
		return nil, err
	}
	out := slices.Clone(p.Alerts)
	slices.SortStableFunc(out, func(a, b domain.Alert) int {
		if a.Open() != b.Open() {
			if a.Open() {
				return -1
			}
			return 1
		}
		return a.RaisedAt.Compare(b.RaisedAt)
	})
	return out, nil
}

// AlertAction acknowledges or resolves an alert. Errors: Invalid,
// Forbidden, NotFound, Conflict (already resolved).
func (s *Service) AlertAction(ctx context.Context, pseudonym, alertID, action, note string) (*domain.Person, error) {
	if action != "acknowledge" && action != "resolve" {
		return nil, invalid("action", "must be acknowledge or resolve")
	}
	return s.update(ctx, pseudonym, "alert_"+action, alertID, func(p *domain.Person, caller auth.Principal, now time.Time) ([]domain.Event, error) {
		i := slices.IndexFunc(p.Alerts, func(a domain.Alert) bool { return a.ID == alertID })
		if i < 0 {
			return nil, errcode.New(errcode.NotFound, "alert_id", "no such alert")
		}
		a := &p.Alerts[i]
		if !a.Open() {
			return nil, errcode.New(errcode.Conflict, "alert_id", "the alert is resolved already")
		}
		if note != "" {
			a.Note = note
		}
		if action == "acknowledge" {
			a.AcknowledgedAt, a.AcknowledgedBy = now, caller.Subject
			return nil, nil
		}
		a.ResolvedAt, a.ResolvedBy = now, caller.Subject
		return []domain.Event{{Kind: domain.FactAlertResolved, At: now, Person: p, Alert: a, How: "resolved"}}, nil
	})
}

// RequestTransfer asks another organisation to take the person over.
// Errors: Invalid, Forbidden, NotFound, Conflict (one pending already, or closed).
func (s *Service) RequestTransfer(ctx context.Context, pseudonym, toOrg, toTerritory, reason string) (*domain.Person, error) {
	switch {
	case toOrg == "":
		return nil, invalid("to_organisation", "is required")
	case reason == "":
		return nil, invalid("reason", "is required")
	}
	return s.update(ctx, pseudonym, "transfer_request", reason, func(p *domain.Person, caller auth.Principal, now time.Time) ([]domain.Event, error) {
		switch {
		case p.Closed != nil:
			return nil, errcode.New(errcode.Conflict, "pseudonym", "the pathway is closed")
		case p.Pending() != nil:
			return nil, errcode.New(errcode.Conflict, "pseudonym", "a transfer is already pending")
		case toOrg == p.Organisation:
			return nil, invalid("to_organisation", "is the organisation already in charge")
		}
		t := domain.Transfer{
			ID: fmt.Sprintf("t%d", len(p.Transfers)+1), FromOrganisation: p.Organisation, ToOrganisation: toOrg, ToTerritory: toTerritory,
			Reason: reason, RequestedAt: now, RequestedBy: caller.Subject, Status: "requested",
		}
		p.Transfers = append(p.Transfers, t)
		return []domain.Event{{Kind: domain.FactTransferRequested, At: now, Person: p, Transfer: &t}}, nil
	})
}

// CaseloadItem is one person of a caseload: what a case worker needs to
// pick whom to see first, never personal data.
type CaseloadItem struct {
	Person     domain.Person // without sealed fields, plan or consents
	OpenAlerts int
	MostUrgent domain.AlertKind // "" without open alerts
	Permit     *domain.Permit   // the current one, or nil
}

// Caseload lists the open pathways of the caller's organisation: people
// with open alerts first, the most urgent first; then by the end of their
// current permit, soonest first, people without an end date last; then by
// display name. Errors: Unauthorized, Forbidden (not a case worker).
func (s *Service) Caseload(ctx context.Context) ([]CaseloadItem, error) {
	caller, err := caseWorker(ctx)
	if err != nil {
		return nil, err
	}
	people, err := s.persons.InCharge(ctx, caller.Organisation)
	if err != nil {
		return nil, err
	}
	out := make([]CaseloadItem, 0, len(people))
	for _, p := range people {
		if p.Closed != nil || p.Organisation != caller.Organisation {
			continue
		}
		it := CaseloadItem{Person: *p, Permit: p.Current()}
		it.OpenAlerts, it.MostUrgent = domain.MostUrgent(p.Alerts)
		if it.Person.Stage == "" {
			// Not checked since intake: nothing achieved yet.
			it.Person.Stage = domain.StageTakenInCharge
		}
		if it.Person.LastActivity.IsZero() {
			it.Person.LastActivity = p.Since
		}
		out = append(out, it)
	}
	slices.SortFunc(out, compareCaseload)
	return out, nil
}

func compareCaseload(a, b CaseloadItem) int {
	if (a.OpenAlerts > 0) != (b.OpenAlerts > 0) {
		if a.OpenAlerts > 0 {
			return -1
		}
		return 1
	}
	if a.OpenAlerts > 0 {
		if c := cmp.Compare(a.MostUrgent.Urgency(), b.MostUrgent.Urgency()); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(expiry(a.Permit), expiry(b.Permit)); c != 0 {
		return c
	}
	if c := strings.Compare(a.Person.DisplayName, b.Person.DisplayName); c != 0 {
		return c
	}
	return strings.Compare(a.Person.Pseudonym, b.Person.Pseudonym)
}

// expiry orders permits by their end: without a permit or an end date, as
// if it ended at the end of time.
func expiry(x *domain.Permit) int64 {
	if x == nil || x.ValidUntil.IsZero() {
		return math.MaxInt64
	}
	return x.ValidUntil.Unix()
}

// IncomingTransfer is a transfer waiting for the caller's organisation.
type IncomingTransfer struct {
	Pseudonym string
	Programme domain.Programme
	Transfer  domain.Transfer
}

// IncomingTransfers lists the transfers addressed to the caller's
// organisation: what it needs to answer, never personal data.
// Errors: Forbidden.
func (s *Service) IncomingTransfers(ctx context.Context) ([]IncomingTransfer, error) {
	caller, err := caseWorker(ctx)
	if err != nil {
		return nil, err
	}
	people, err := s.persons.TransfersTo(ctx, caller.Organisation)
	if err != nil {
		return nil, err
	}
	var out []IncomingTransfer
	for _, p := range people {
		if t := p.Pending(); t != nil && t.ToOrganisation == caller.Organisation {
			out = append(out, IncomingTransfer{Pseudonym: p.Pseudonym, Programme: p.Programme, Transfer: *t})
		}
	}
	return out, nil
}

// DecideTransfer is the receiving organisation's answer. On acceptance it
// becomes the organisation in charge: access moves with the person, the
// history stays. Errors: Invalid, Forbidden, NotFound, Conflict.
func (s *Service) DecideTransfer(ctx context.Context, pseudonym, transferID string, accept bool, caseWorkerID string) (*domain.Person, error) {
	caller, err := caseWorker(ctx)
	if err != nil {
		return nil, err
	}
	action := "transfer_refuse"
	if accept {
		action = "transfer_accept"
	}
	now := s.now()
	out, err := s.persons.Update(ctx, pseudonym, change(ctx, func(p *domain.Person) ([]domain.Event, error) {
		t := p.Pending()
		switch {
		case t == nil || t.ID != transferID:
			return nil, errcode.New(errcode.NotFound, "transfer_id", "no such pending transfer")
		case t.ToOrganisation != caller.Organisation:
			return nil, errcode.New(errcode.Forbidden, "transfer_id", "the transfer is addressed to another organisation")
		}
		t.DecidedAt, t.DecidedBy = now, caller.Subject
		if !accept {
			t.Status = "refused"
			return nil, nil
		}
		t.Status = "accepted"
		p.Organisation, p.CaseWorker = t.ToOrganisation, caseWorkerID
		if caseWorkerID == "" {
			p.CaseWorker = caller.Subject
		}
		if t.ToTerritory != "" {
			p.Territory = t.ToTerritory
		}
		return []domain.Event{{Kind: domain.FactPersonTransferred, At: now, Person: p, Transfer: t}}, nil
	}))
	outcome := "granted"
	switch code := errcode.Of(err); {
	case code == errcode.Forbidden:
		outcome = "denied"
	case err != nil:
		outcome = "failed: " + string(code)
	}
	if lerr := s.log(ctx, caller, pseudonym, action, nil, transferID, outcome); lerr != nil {
		return nil, errors.Join(err, lerr)
	}
	return out, err
}

// Close ends the pathway. Errors: Invalid, Forbidden, NotFound, Conflict.
func (s *Service) Close(ctx context.Context, pseudonym string, reason domain.ClosingReason, on time.Time, note string) (*domain.Person, error) {
	if !slices.Contains(domain.ClosingReasons, reason) {
		return nil, invalid("reason", "must be autonomy_reached, assisted_voluntary_return, dropped_out or transferred")
	}
	return s.update(ctx, pseudonym, "close", string(reason), func(p *domain.Person, caller auth.Principal, now time.Time) ([]domain.Event, error) {
		if p.Closed != nil {
			return nil, errcode.New(errcode.Conflict, "pseudonym", "the pathway is closed already")
		}
		if on.IsZero() {
			on = now
		}
		p.Closed = &domain.Closing{Reason: reason, On: on, Note: note, By: caller.Subject}
		return []domain.Event{{Kind: domain.FactPathwayClosed, At: now, Person: p}}, nil
	})
}

// TimelineView is a person's pathway so far.
type TimelineView struct {
	Person  *domain.Person
	Entries []domain.Entry
	// Minutes attended by course kind (italian_l2, digital, vocational)
	// as last corrected, and of internship.
	MinutesByCourse map[string]int
}

// Timeline returns a person's timeline to a case worker of the organisation
// in charge. Errors: NotFound, Forbidden.
func (s *Service) Timeline(ctx context.Context, pseudonym string) (*TimelineView, error) {
	p, err := s.Person(ctx, pseudonym)
	if err != nil {
		return nil, err
	}
	entries, err := s.timeline.List(ctx, pseudonym)
	if err != nil {
		return nil, err
	}
	v := &TimelineView{Person: p, Entries: entries, MinutesByCourse: map[string]int{}}
	for _, e := range domain.Effective(entries) {
		switch {
		case e.Attendance != nil:
			v.MinutesByCourse[e.Attendance.CourseKind] += e.Attendance.Minutes
		case e.Fact != nil && e.Fact.Kind == domain.FactInternshipHours:
			v.MinutesByCourse["internship"] += e.Fact.Minutes
		}
	}
	return v, nil
}

// AutonomyView is where a person is and how they got there.
type AutonomyView struct {
	Now     domain.Assessment
	History []domain.StagePoint
	Rules   domain.Rules
}

// Autonomy assesses a person. Errors: NotFound, Forbidden.
func (s *Service) Autonomy(ctx context.Context, pseudonym string) (*AutonomyView, error) {
	p, err := s.Person(ctx, pseudonym)
	if err != nil {
		return nil, err
	}
	entries, err := s.timeline.List(ctx, pseudonym)
	if err != nil {
		return nil, err
	}
	now := p.AssessedAt(s.now())
	return &AutonomyView{Now: s.rules.Assess(entries, now), History: s.rules.History(entries, p.Since, now), Rules: s.rules}, nil
}
