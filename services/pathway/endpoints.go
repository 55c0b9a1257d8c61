package pathway

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/go-kit/kit/endpoint"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/endpointkit"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/instrument"
	"github.com/percorsi/percorsi/services/pathway/domain"
)

// Endpoints are the pathway use cases as go-kit endpoints. Record is fed by
// the Kafka subscriber; the others by HTTP.
type Endpoints struct {
	Record   endpoint.Endpoint
	Timeline endpoint.Endpoint

	Intake, Person, Personal, Erase, Audit, Consent endpoint.Endpoint
	Permit, Legal, Plan, Autonomy                   endpoint.Endpoint
	Alerts, AlertAction                             endpoint.Endpoint
	TransferRequest, TransferDecision, Close        endpoint.Endpoint
	IncomingTransfers, Caseload                     endpoint.Endpoint
	Monitoring                                      endpoint.Endpoint
}

// MakeEndpoints puts each use case in the one chain, open to case workers
// (monitoring to its officers); which person a caller may touch is the
// service's.
func MakeEndpoints(s *Service, v auth.Verifier, log *slog.Logger, m *instrument.Metrics) Endpoints {
	c := endpointkit.Chain{Verifier: v, Log: log, Metrics: m}
	cw := auth.CaseWorker
	return Endpoints{
		// Events come from the broker, not from a user: no token to check.
		Record:            instrument.Endpoint("record", log, m)(endpointkit.Typed(s.recordBatch)),
		Timeline:          endpointkit.Use(c, "timeline", s.timelineView, cw),
		Intake:            endpointkit.Use(c, "intake", s.intake, cw),
		Person:            endpointkit.Use(c, "person", s.person, cw),
		Personal:          endpointkit.Use(c, "personal", s.personal, cw),
		Erase:             endpointkit.Use(c, "erase", s.erase, cw),
		Audit:             endpointkit.Use(c, "audit", s.auditLog, cw),
		Consent:           endpointkit.Use(c, "consent", s.consent, cw),
		Permit:            endpointkit.Use(c, "permit", s.permit, cw),
		Legal:             endpointkit.Use(c, "legal", s.legal, cw),
		Plan:              endpointkit.Use(c, "plan", s.plan, cw),
		Autonomy:          endpointkit.Use(c, "autonomy", s.autonomy, cw),
		Alerts:            endpointkit.Use(c, "alerts", s.alerts, cw),
		AlertAction:       endpointkit.Use(c, "alert_action", s.alertAction, cw),
		TransferRequest:   endpointkit.Use(c, "transfer_request", s.transferRequest, cw),
		TransferDecision:  endpointkit.Use(c, "transfer_decision", s.transferDecision, cw),
		IncomingTransfers: endpointkit.Use(c, "incoming_transfers", s.incomingTransfers, cw),
		Caseload:          endpointkit.Use(c, "caseload", s.caseload, cw),
		Close:             endpointkit.Use(c, "close", s.close, cw),
		Monitoring:        endpointkit.Use(c, "monitoring", s.monitoring, auth.Monitoring),
	}
}

// recordBatch applies a batch of decoded events (RecordRequests, as
// kafkakit.Subscriber delivers them).
func (s *Service) recordBatch(ctx context.Context, batch []any) (any, error) {
	entries := make([]*domain.Entry, 0, len(batch))
	for _, r := range batch {
		if e := r.(RecordRequest).Entry; e != nil {
			entries = append(entries, e)
		}
	}
	return nil, s.Record(ctx, entries...)
}

// PseudonymRequest names a person.
type PseudonymRequest struct {
	Pseudonym string `json:"-"`
}

// PersonJSON is a person's record as the case worker sees it: never the
// personal data, which has its own audited read.
type PersonJSON struct {
	Pseudonym    string         `json:"pseudonym"`
	DisplayName  string         `json:"display_name"`
	Organisation string         `json:"organisation"`
	Territory    string         `json:"territory,omitempty"`
	CaseWorker   string         `json:"case_worker,omitempty"`
	Since        *time.Time     `json:"since,omitempty"`
	Programme    string         `json:"programme,omitempty"`
	Referral     string         `json:"referral,omitempty"`
	Fields       []string       `json:"personal_fields,omitempty"` // which personal fields are held
	Erased       bool           `json:"erased,omitempty"`
	Consents     []ConsentJSON  `json:"consents,omitempty"`
	Plan         *PlanJSON      `json:"plan,omitempty"`
	Transfers    []TransferJSON `json:"transfers,omitempty"`
	Closed       *ClosingJSON   `json:"closed,omitempty"`
}

// ConsentJSON is a consent record.
type ConsentJSON struct {
	Scope       string     `json:"scope"`
	GivenAt     time.Time  `json:"given_at"`
	WithdrawnAt *time.Time `json:"withdrawn_at,omitempty"`
}

// PlanJSON is the individual plan with its history.
type PlanJSON struct {
	Revision  int        `json:"revision"`
	Goals     []GoalJSON `json:"goals"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
	UpdatedBy string     `json:"updated_by,omitempty"`
	History   []PlanJSON `json:"history,omitempty"`
}

// GoalJSON is one goal of the plan.
type GoalJSON struct {
	ID       string `json:"id,omitempty"`
	Domain   string `json:"domain"`
	Title    string `json:"title"`
	Target   string `json:"target,omitempty"` // YYYY-MM-DD
	FollowBy string `json:"follow_by,omitempty"`
	Status   string `json:"status,omitempty"`
}

// TransferJSON is a transfer and its answer.
type TransferJSON struct {
	ID               string     `json:"id"`
	FromOrganisation string     `json:"from_organisation"`
	ToOrganisation   string     `json:"to_organisation"`
	ToTerritory      string     `json:"to_territory,omitempty"`
	Reason           string     `json:"reason"`
	Status           string     `json:"status"`
	RequestedAt      time.Time  `json:"requested_at"`
	DecidedAt        *time.Time `json:"decided_at,omitempty"`
}

// ClosingJSON is how a pathway ended.
type ClosingJSON struct {
	Reason string    `json:"reason"`
	On     time.Time `json:"on"`
	Note   string    `json:"note,omitempty"`
}

func opt(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func personJSON(p *domain.Person) PersonJSON {
	out := PersonJSON{
		Pseudonym: p.Pseudonym, DisplayName: p.DisplayName, Organisation: p.Organisation, Territory: p.Territory,
		CaseWorker: p.CaseWorker, Since: opt(p.Since), Programme: string(p.Programme), Referral: string(p.Referral),
		Fields: fieldsOf(p.Sealed), Erased: !p.ErasedAt.IsZero(),
	}
	for _, c := range p.Consents {
		out.Consents = append(out.Consents, ConsentJSON{Scope: c.Scope, GivenAt: c.GivenAt, WithdrawnAt: opt(c.WithdrawnAt)})
	}
	if p.Plan.Revision > 0 {
		plan := planJSON(p.Plan.Revision, p.Plan.Goals, p.Plan.UpdatedAt, p.Plan.UpdatedBy)
		for _, h := range p.Plan.History {
			plan.History = append(plan.History, planJSON(h.Revision, h.Goals, h.UpdatedAt, h.UpdatedBy))
		}
		out.Plan = &plan
	}
	for _, t := range p.Transfers {
		out.Transfers = append(out.Transfers, TransferJSON{ID: t.ID, FromOrganisation: t.FromOrganisation, ToOrganisation: t.ToOrganisation,
			ToTerritory: t.ToTerritory, Reason: t.Reason, Status: t.Status, RequestedAt: t.RequestedAt, DecidedAt: opt(t.DecidedAt)})
	}
	if c := p.Closed; c != nil {
		out.Closed = &ClosingJSON{Reason: string(c.Reason), On: c.On, Note: c.Note}
	}
	return out
}

func planJSON(rev int, goals []domain.Goal, at time.Time, by string) PlanJSON {
	out := PlanJSON{Revision: rev, Goals: []GoalJSON{}, UpdatedAt: opt(at), UpdatedBy: by}
	for _, g := range goals {
		out.Goals = append(out.Goals, GoalJSON{ID: g.ID, Domain: string(g.Domain), Title: g.Title, Target: endpointkit.FormatDate(g.Target), FollowBy: g.FollowBy, Status: g.Status})
	}
	return out
}

// personOf answers the person a use case changed.
func personOf(p *domain.Person, err error) (PersonJSON, error) {
	if err != nil {
		return PersonJSON{}, err
	}
	return personJSON(p), nil
}

func (s *Service) person(ctx context.Context, r PseudonymRequest) (PersonJSON, error) {
	return personOf(s.Person(ctx, r.Pseudonym))
}

// IntakeJSON is the body of POST /v1/persons.
type IntakeJSON struct {
	DisplayName string              `json:"display_name"`
	Programme   string              `json:"programme"`
	Referral    string              `json:"referral"`
	Territory   string              `json:"territory"`
	CaseWorker  string              `json:"case_worker"`
	Since       string              `json:"since"` // YYYY-MM-DD; today if empty
	Personal    domain.PersonalData `json:"personal"`
	Consents    []string            `json:"consents"` // scopes given at intake
}

type created struct{ PersonJSON }

func (created) StatusCode() int { return 201 }

func (s *Service) intake(ctx context.Context, req IntakeJSON) (created, error) {
	since, err := endpointkit.OptionalDate("since", req.Since, nil)
	if err != nil {
		return created{}, err
	}
	r := IntakeRequest{
		DisplayName: req.DisplayName, Programme: domain.Programme(req.Programme), Referral: domain.Referral(req.Referral),
		Territory: req.Territory, CaseWorker: req.CaseWorker, Since: since, Personal: req.Personal,
	}
	for _, scope := range req.Consents {
		r.Consents = append(r.Consents, domain.Consent{Scope: scope})
	}
	p, err := personOf(s.Intake(ctx, r))
	return created{p}, err
}

// PersonalRequest asks for personal fields, saying why: the reason
// travels in the body, never in a URL that proxies and access logs keep.
type PersonalRequest struct {
	Pseudonym string   `json:"-"`
	Fields    []string `json:"fields"` // all of them when empty
	Reason    string   `json:"reason"`
}

func (s *Service) personal(ctx context.Context, req PersonalRequest) (map[string]any, error) {
	fields, err := s.Personal(ctx, req.Pseudonym, req.Fields, req.Reason)
	if err != nil {
		return nil, err
	}
	return map[string]any{"pseudonym": req.Pseudonym, "personal": fields}, nil
}

// ReasonRequest names a person and says why.
type ReasonRequest struct {
	Pseudonym string `json:"-"`
	Reason    string `json:"reason"`
}

type noContent struct{}

func (noContent) StatusCode() int { return 204 }

func (s *Service) erase(ctx context.Context, req ReasonRequest) (noContent, error) {
	return noContent{}, s.Erase(ctx, req.Pseudonym, req.Reason)
}

// AuditJSON is one audit entry.
type AuditJSON struct {
	At           time.Time `json:"at"`
	Subject      string    `json:"subject"`
	Role         string    `json:"role"`
	Organisation string    `json:"organisation"`
	Action       string    `json:"action"`
	Fields       []string  `json:"fields,omitempty"`
	Reason       string    `json:"reason"`
	Outcome      string    `json:"outcome"`
}

func (s *Service) auditLog(ctx context.Context, req PseudonymRequest) (map[string]any, error) {
	entries, err := s.AuditLog(ctx, req.Pseudonym)
	if err != nil {
		return nil, err
	}
	out := make([]AuditJSON, len(entries))
	for i, e := range entries {
		out[i] = AuditJSON{At: e.At, Subject: e.Subject, Role: e.Role, Organisation: e.Organisation, Action: e.Action, Fields: e.Fields, Reason: e.Reason, Outcome: e.Outcome}
	}
	return map[string]any{"entries": out}, nil
}

// ConsentRequest gives or withdraws consent for a scope.
type ConsentRequest struct {
	Pseudonym string `json:"-"`
	Scope     string `json:"scope"`
	Given     *bool  `json:"given"`
}

func (s *Service) consent(ctx context.Context, req ConsentRequest) (PersonJSON, error) {
	if req.Given == nil {
		return PersonJSON{}, invalid("given", "is required: true to give, false to withdraw")
	}
	return personOf(s.SetConsent(ctx, req.Pseudonym, req.Scope, *req.Given))
}

// PermitJSON is a residence permit on the wire.
type PermitJSON struct {
	Kind          string `json:"kind"`
	ValidFrom     string `json:"valid_from"`
	ValidUntil    string `json:"valid_until,omitempty"`
	MayWork       bool   `json:"may_work"`
	ConvertedFrom string `json:"converted_from,omitempty"`
}

// PermitRequest records a permit of a person.
type PermitRequest struct {
	Pseudonym string `json:"-"`
	PermitJSON
}

func (s *Service) permit(ctx context.Context, req PermitRequest) (PersonJSON, error) {
	from, err := endpointkit.OptionalDate("valid_from", req.ValidFrom, nil)
	if err != nil {
		return PersonJSON{}, err
	}
	until, err := endpointkit.OptionalDate("valid_until", req.ValidUntil, nil)
	if err != nil {
		return PersonJSON{}, err
	}
	return personOf(s.RecordPermit(ctx, req.Pseudonym, domain.Permit{
		Kind: domain.PermitKind(req.Kind), ValidFrom: from, ValidUntil: until, MayWork: req.MayWork, ConvertedFrom: domain.PermitKind(req.ConvertedFrom),
	}))
}

// LegalJSON is the legal status and the grounds for conversion.
type LegalJSON struct {
	Permits     []PermitJSON `json:"permits"`
	Current     *PermitJSON  `json:"current,omitempty"`
	DaysLeft    int          `json:"days_left,omitempty"`
	Convertible bool         `json:"convertible"`
	Grounds     string       `json:"grounds"`
	CheckFrom   string       `json:"check_from,omitempty"`
}

func permitJSON(x domain.Permit) PermitJSON {
	return PermitJSON{Kind: string(x.Kind), ValidFrom: endpointkit.FormatDate(x.ValidFrom), ValidUntil: endpointkit.FormatDate(x.ValidUntil), MayWork: x.MayWork, ConvertedFrom: string(x.ConvertedFrom)}
}

func (s *Service) legal(ctx context.Context, req LocalizedRequest) (LegalJSON, error) {
	v, err := s.Legal(ctx, req.Pseudonym)
	if err != nil {
		return LegalJSON{}, err
	}
	out := LegalJSON{Permits: []PermitJSON{}, DaysLeft: v.DaysLeft, Convertible: v.Convertible, Grounds: explain(v.Grounds, req.Lang), CheckFrom: endpointkit.FormatDate(v.CheckFrom)}
	for _, x := range v.Permits {
		out.Permits = append(out.Permits, permitJSON(x))
	}
	if v.Current != nil {
		c := permitJSON(*v.Current)
		out.Current = &c
	}
	return out, nil
}

// PlanRequest is a new revision of the plan; over HTTP decodePlan reads
// its goals one by one, to name the goal at fault.
type PlanRequest struct {
	Pseudonym string     `json:"-"`
	Goals     []GoalJSON `json:"goals"`
}

func (s *Service) plan(ctx context.Context, req PlanRequest) (PersonJSON, error) {
	goals := make([]domain.Goal, len(req.Goals))
	for i, g := range req.Goals {
		target, err := endpointkit.OptionalDate(fmt.Sprintf("goals[%d].target", i), g.Target, nil)
		if err != nil {
			return PersonJSON{}, err
		}
		goals[i] = domain.Goal{ID: g.ID, Domain: domain.Area(g.Domain), Title: g.Title, Target: target, FollowBy: g.FollowBy, Status: g.Status}
	}
	return personOf(s.UpdatePlan(ctx, req.Pseudonym, goals))
}

// AutonomyJSON says where a person is and why.
type AutonomyJSON struct {
	Stage   string      `json:"stage"`
	Index   float64     `json:"index"`
	Areas   []AreaJSON  `json:"areas"`
	History []StageJSON `json:"history"`
	Rules   RulesJSON   `json:"rules"`
}

// AreaJSON is one area's state and the rule behind it.
type AreaJSON struct {
	Area   string `json:"area"`
	Status string `json:"status"`
	Since  string `json:"since,omitempty"`
	Why    string `json:"why,omitempty"`
}

// StageJSON is a point of the stage history.
type StageJSON struct {
	At    time.Time `json:"at"`
	Stage string    `json:"stage"`
	Index float64   `json:"index"`
}

// RulesJSON documents the rules in force.
type RulesJSON struct {
	ItalianLevel    string   `json:"italian_level"`
	DigitalLevel    int      `json:"digital_level"`
	PlacementMonths int      `json:"placement_months"`
	Autonomous      []string `json:"autonomous_when_achieved"`
}

func (s *Service) autonomy(ctx context.Context, req LocalizedRequest) (AutonomyJSON, error) {
	v, err := s.Autonomy(ctx, req.Pseudonym)
	if err != nil {
		return AutonomyJSON{}, err
	}
	out := AutonomyJSON{Stage: string(v.Now.Stage), Index: v.Now.Index, Areas: []AreaJSON{}, History: []StageJSON{},
		Rules: RulesJSON{ItalianLevel: v.Rules.ItalianLevel, DigitalLevel: v.Rules.DigitalLevel, PlacementMonths: v.Rules.PlacementMonths}}
	for _, a := range v.Now.Areas {
		out.Areas = append(out.Areas, AreaJSON{Area: string(a.Area), Status: a.Status, Since: endpointkit.FormatDate(a.Since), Why: explain(a.Why, req.Lang)})
	}
	for _, h := range v.History {
		out.History = append(out.History, StageJSON{At: h.At, Stage: string(h.Stage), Index: h.Index})
	}
	for _, a := range v.Rules.Autonomous {
		out.Rules.Autonomous = append(out.Rules.Autonomous, string(a))
	}
	return out, nil
}

// AlertJSON is one alert.
type AlertJSON struct {
	ID             string     `json:"id"`
	Kind           string     `json:"kind"`
	RaisedAt       time.Time  `json:"raised_at"`
	Due            *time.Time `json:"due,omitempty"`
	AcknowledgedAt *time.Time `json:"acknowledged_at,omitempty"`
	ResolvedAt     *time.Time `json:"resolved_at,omitempty"`
	ResolvedBy     string     `json:"resolved_by,omitempty"`
	Note           string     `json:"note,omitempty"`
}

func (s *Service) alerts(ctx context.Context, req PseudonymRequest) (map[string]any, error) {
	alerts, err := s.Alerts(ctx, req.Pseudonym)
	if err != nil {
		return nil, err
	}
	out := make([]AlertJSON, len(alerts))
	for i, a := range alerts {
		out[i] = AlertJSON{ID: a.ID, Kind: string(a.Kind), RaisedAt: a.RaisedAt, Due: opt(a.Due), AcknowledgedAt: opt(a.AcknowledgedAt),
			ResolvedAt: opt(a.ResolvedAt), ResolvedBy: a.ResolvedBy, Note: a.Note}
	}
	return map[string]any{"alerts": out}, nil
}

// AlertActionRequest acknowledges or resolves an alert.
type AlertActionRequest struct {
	Pseudonym, AlertID, Action string `json:"-"`
	Note                       string `json:"note"`
}

func (s *Service) alertAction(ctx context.Context, req AlertActionRequest) (PersonJSON, error) {
	return personOf(s.AlertAction(ctx, req.Pseudonym, req.AlertID, req.Action, req.Note))
}

// TransferRequest asks another organisation to take the person over.
type TransferRequest struct {
	Pseudonym      string `json:"-"`
	ToOrganisation string `json:"to_organisation"`
	ToTerritory    string `json:"to_territory"`
	Reason         string `json:"reason"`
}

func (s *Service) transferRequest(ctx context.Context, req TransferRequest) (PersonJSON, error) {
	return personOf(s.RequestTransfer(ctx, req.Pseudonym, req.ToOrganisation, req.ToTerritory, req.Reason))
}

// TransferDecisionJSON is the receiving organisation's answer.
type TransferDecisionJSON struct {
	CaseWorker string `json:"case_worker"`
}

// TransferDecision is the answer to a transfer of a person.
type TransferDecision struct {
	Pseudonym, TransferID string
	Accept                bool
	TransferDecisionJSON
}

// TransferDecidedJSON is what the receiving organisation learns: the
// transfer's outcome, not yet the person's record.
type TransferDecidedJSON struct {
	Pseudonym    string `json:"pseudonym"`
	TransferID   string `json:"transfer_id"`
	Status       string `json:"status"`
	Organisation string `json:"organisation"`
}

func (s *Service) transferDecision(ctx context.Context, req TransferDecision) (TransferDecidedJSON, error) {
	p, err := s.DecideTransfer(ctx, req.Pseudonym, req.TransferID, req.Accept, req.CaseWorker)
	if err != nil {
		return TransferDecidedJSON{}, err
	}
	out := TransferDecidedJSON{Pseudonym: p.Pseudonym, TransferID: req.TransferID, Organisation: p.Organisation}
	for _, t := range p.Transfers {
		if t.ID == req.TransferID {
			out.Status = t.Status
		}
	}
	return out, nil
}

// CaseloadJSON is one person of the caller's caseload.
type CaseloadJSON struct {
	Pseudonym   string `json:"pseudonym"`
	DisplayName string `json:"display_name"` // the organisation's, never the legal name
	Programme   string `json:"programme,omitempty"`
	CaseWorker  string `json:"case_worker,omitempty"`
	Stage       string `json:"stage"`
	OpenAlerts  int    `json:"open_alerts"`
	MostUrgent  string `json:"most_urgent_alert,omitempty"`
	PermitKind  string `json:"permit_kind,omitempty"`
	// PermitUntil is the current permit's end, YYYY-MM-DD.
	PermitUntil  string    `json:"permit_until,omitempty"`
	LastActivity time.Time `json:"last_activity"`
}

func (s *Service) caseload(ctx context.Context, _ struct{}) (map[string]any, error) {
	items, err := s.Caseload(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]CaseloadJSON, len(items))
	for i, it := range items {
		p := it.Person
		out[i] = CaseloadJSON{Pseudonym: p.Pseudonym, DisplayName: p.DisplayName, Programme: string(p.Programme), CaseWorker: p.CaseWorker,
			Stage: string(p.Stage), OpenAlerts: it.OpenAlerts, MostUrgent: string(it.MostUrgent), LastActivity: p.LastActivity}
		if x := it.Permit; x != nil {
			out[i].PermitKind, out[i].PermitUntil = string(x.Kind), endpointkit.FormatDate(x.ValidUntil)
		}
	}
	return map[string]any{"persons": out}, nil
}

// IncomingJSON is a transfer waiting for the caller's organisation.
type IncomingJSON struct {
	Pseudonym string       `json:"pseudonym"`
	Programme string       `json:"programme"`
	Transfer  TransferJSON `json:"transfer"`
}

func (s *Service) incomingTransfers(ctx context.Context, _ struct{}) (map[string]any, error) {
	in, err := s.IncomingTransfers(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]IncomingJSON, len(in))
	for i, x := range in {
		t := x.Transfer
		out[i] = IncomingJSON{Pseudonym: x.Pseudonym, Programme: string(x.Programme), Transfer: TransferJSON{ID: t.ID, FromOrganisation: t.FromOrganisation,
			ToOrganisation: t.ToOrganisation, ToTerritory: t.ToTerritory, Reason: t.Reason, Status: t.Status, RequestedAt: t.RequestedAt}}
	}
	return map[string]any{"transfers": out}, nil
}

// CloseRequest ends a pathway.
type CloseRequest struct {
	Pseudonym string `json:"-"`
	Reason    string `json:"reason"`
	On        string `json:"on"` // YYYY-MM-DD; today if empty
	Note      string `json:"note"`
}

func (s *Service) close(ctx context.Context, req CloseRequest) (PersonJSON, error) {
	on, err := endpointkit.OptionalDate("on", req.On, nil)
	if err != nil {
		return PersonJSON{}, err
	}
	return personOf(s.Close(ctx, req.Pseudonym, domain.ClosingReason(req.Reason), on, req.Note))
}

// MonitoringRequest asks for the indicators of a period, by organisation
// or territory, as JSON or CSV.
type MonitoringRequest struct {
	By, From, To string
	CSV          bool
}

// CSVResponse is a CSV document.
type CSVResponse struct{ Body string }

// MonitoringJSON is the indicators of a period.
type MonitoringJSON struct {
	By      string          `json:"by"`
	From    string          `json:"from"`
	To      string          `json:"to"`
	MinCell int             `json:"min_cell"`
	Rows    []MonitoringRow `json:"rows"`
}

func (s *Service) monitoring(ctx context.Context, req MonitoringRequest) (any, error) {
	from, err := endpointkit.OptionalDate("from", req.From, nil)
	if err != nil {
		return nil, err
	}
	to, err := endpointkit.OptionalDate("to", req.To, nil)
	if err != nil {
		return nil, err
	}
	if from.IsZero() || to.IsZero() {
		return nil, invalid("from", "from and to are required (YYYY-MM-DD)")
	}
	rows, err := s.Monitoring(ctx, req.By, from, to)
	if err != nil {
		return nil, err
	}
	if req.CSV {
		return CSVResponse{MonitoringCSV(req.By, from, to, rows)}, nil
	}
	if rows == nil {
		rows = []MonitoringRow{}
	}
	return MonitoringJSON{By: req.By, From: endpointkit.FormatDate(from), To: endpointkit.FormatDate(to), MinCell: MinCell, Rows: rows}, nil
}

// LocalizedRequest asks for a view of a person whose reasons are said in
// a language.
type LocalizedRequest struct {
	Pseudonym string
	Lang      string // it or en
}

// TimelineResponse is a person's pathway so far.
type TimelineResponse struct {
	Person          PersonJSON     `json:"person"`
	HoursByCourse   map[string]int `json:"hours_by_course"`
	MinutesByCourse map[string]int `json:"minutes_by_course"`
	Entries         []EntryJSON    `json:"entries"`
}

// EntryJSON is one timeline entry, described in the requested language.
type EntryJSON struct {
	EventID    string      `json:"event_id"`
	Type       string      `json:"type"`
	Kind       string      `json:"kind"`
	OccurredAt time.Time   `json:"occurred_at"`
	RecordedAt time.Time   `json:"recorded_at"`
	Text       string      `json:"text"`
	Attendance *Attendance `json:"attendance,omitempty"`
}

// Attendance is an attendance fact on the wire.
type Attendance struct {
	CourseKind    string `json:"course_kind"`
	ClassID       string `json:"class_id"`
	LessonID      string `json:"lesson_id"`
	Status        string `json:"status"`
	Minutes       int    `json:"minutes"`
	LessonMinutes int    `json:"lesson_minutes"`
	// A correction replaces the lesson's earlier mark, which it names.
	Correction      bool   `json:"correction,omitempty"`
	PreviousStatus  string `json:"previous_status,omitempty"`
	PreviousMinutes int    `json:"previous_minutes,omitempty"`
}

func (s *Service) timelineView(ctx context.Context, req LocalizedRequest) (TimelineResponse, error) {
	v, err := s.Timeline(ctx, req.Pseudonym)
	if err != nil {
		return TimelineResponse{}, err
	}
	resp := TimelineResponse{
		Person:          personJSON(v.Person),
		HoursByCourse:   map[string]int{},
		MinutesByCourse: v.MinutesByCourse,
		Entries:         make([]EntryJSON, len(v.Entries)),
	}
	for kind, min := range v.MinutesByCourse {
		resp.HoursByCourse[kind] = min / 60
	}
	for i, e := range v.Entries {
		resp.Entries[i] = EntryJSON{EventID: e.EventID, Type: e.Type, Kind: kindOf(e), OccurredAt: e.OccurredAt, RecordedAt: e.RecordedAt, Text: describe(e, req.Lang)}
		if a := e.Attendance; a != nil {
			resp.Entries[i].Attendance = (*Attendance)(a)
		}
	}
	return resp, nil
}

func kindOf(e domain.Entry) string {
	switch {
	case e.Attendance != nil:
		return "attendance"
	case e.Fact != nil:
		return string(e.Fact.Kind)
	}
	return "other"
}

func invalid(field, msg string) error { return errcode.New(errcode.Invalid, field, "%s", msg) }
