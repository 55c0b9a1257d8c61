package pathway

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/go-kit/kit/endpoint"

	"github.com/percorsi/percorsi/pkg/auth"
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

// MakeEndpoints wraps each use case in the same chain: instrumentation,
// then the role check; which person a caller may touch is the service's.
func MakeEndpoints(s *Service, v auth.Verifier, log *slog.Logger, m *instrument.Metrics) Endpoints {
	cw := func(name string, e endpoint.Endpoint) endpoint.Endpoint {
		return endpoint.Chain(instrument.Endpoint(name, log, m), auth.Require(v, auth.CaseWorker))(e)
	}
	return Endpoints{
		// Events come from the broker, not from a user: no token to check.
		Record:            instrument.Endpoint("record", log, m)(makeRecord(s)),
		Timeline:          cw("timeline", makeTimeline(s)),
		Intake:            cw("intake", makeIntake(s)),
		Person:            cw("person", personEndpoint(s.Person)),
		Personal:          cw("personal", makePersonal(s)),
		Erase:             cw("erase", makeErase(s)),
		Audit:             cw("audit", makeAudit(s)),
		Consent:           cw("consent", makeConsent(s)),
		Permit:            cw("permit", makePermit(s)),
		Legal:             cw("legal", makeLegal(s)),
		Plan:              cw("plan", makePlan(s)),
		Autonomy:          cw("autonomy", makeAutonomy(s)),
		Alerts:            cw("alerts", makeAlerts(s)),
		AlertAction:       cw("alert_action", makeAlertAction(s)),
		TransferRequest:   cw("transfer_request", makeTransferRequest(s)),
		TransferDecision:  cw("transfer_decision", makeTransferDecision(s)),
		IncomingTransfers: cw("incoming_transfers", makeIncomingTransfers(s)),
		Caseload:          cw("caseload", makeCaseload(s)),
		Close:             cw("close", makeClose(s)),
		Monitoring:        endpoint.Chain(instrument.Endpoint("monitoring", log, m), auth.Require(v, auth.Monitoring))(makeMonitoring(s)),
	}
}

// makeRecord applies a batch of decoded events ([]any of RecordRequest,
// as kafkakit.Subscriber delivers them).
func makeRecord(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		batch := request.([]any)
		entries := make([]*domain.Entry, 0, len(batch))
		for _, r := range batch {
			if e := r.(RecordRequest).Entry; e != nil {
				entries = append(entries, e)
			}
		}
		return nil, s.Record(ctx, entries...)
	}
}

// PseudonymRequest names a person.
type PseudonymRequest struct{ Pseudonym string }

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

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
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
		out.Goals = append(out.Goals, GoalJSON{ID: g.ID, Domain: string(g.Domain), Title: g.Title, Target: date(g.Target), FollowBy: g.FollowBy, Status: g.Status})
	}
	return out
}

// personEndpoint serves a use case that returns the person changed.
func personEndpoint(fn func(ctx context.Context, pseudonym string) (*domain.Person, error)) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		p, err := fn(ctx, request.(PseudonymRequest).Pseudonym)
		if err != nil {
			return nil, err
		}
		return personJSON(p), nil
	}
}

// IntakeRequest is the body of POST /v1/persons.
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

func makeIntake(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(IntakeJSON)
		since, err := parseDate("since", req.Since)
		if err != nil {
			return nil, err
		}
		r := IntakeRequest{
			DisplayName: req.DisplayName, Programme: domain.Programme(req.Programme), Referral: domain.Referral(req.Referral),
			Territory: req.Territory, CaseWorker: req.CaseWorker, Since: since, Personal: req.Personal,
		}
		for _, scope := range req.Consents {
			r.Consents = append(r.Consents, domain.Consent{Scope: scope})
		}
		p, err := s.Intake(ctx, r)
		if err != nil {
			return nil, err
		}
		return created{personJSON(p)}, nil
	}
}

func parseDate(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, invalid(field, "must be a date YYYY-MM-DD")
	}
	return t, nil
}

// PersonalRequest asks for personal fields, saying why.
// PersonalReadJSON is the body of a read of personal data: the reason
// travels in the body, never in a URL that proxies and access logs keep.
type PersonalReadJSON struct {
	Fields []string `json:"fields"` // all of them when empty
	Reason string   `json:"reason"`
}

type PersonalRequest struct {
	Pseudonym string
	Fields    []string
	Reason    string
}

func makePersonal(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(PersonalRequest)
		fields, err := s.Personal(ctx, req.Pseudonym, req.Fields, req.Reason)
		if err != nil {
			return nil, err
		}
		return map[string]any{"pseudonym": req.Pseudonym, "personal": fields}, nil
	}
}

// ReasonJSON is a body carrying only why.
type ReasonJSON struct {
	Reason string `json:"reason"`
}

type reasonRequest struct {
	Pseudonym string
	ReasonJSON
}

type noContent struct{}

func (noContent) StatusCode() int { return 204 }

func makeErase(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(reasonRequest)
		if err := s.Erase(ctx, req.Pseudonym, req.Reason); err != nil {
			return nil, err
		}
		return noContent{}, nil
	}
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

func makeAudit(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		entries, err := s.AuditLog(ctx, request.(PseudonymRequest).Pseudonym)
		if err != nil {
			return nil, err
		}
		out := make([]AuditJSON, len(entries))
		for i, e := range entries {
			out[i] = AuditJSON{At: e.At, Subject: e.Subject, Role: e.Role, Organisation: e.Organisation, Action: e.Action, Fields: e.Fields, Reason: e.Reason, Outcome: e.Outcome}
		}
		return map[string]any{"entries": out}, nil
	}
}

// ConsentRequestJSON gives or withdraws consent for a scope.
type ConsentRequestJSON struct {
	Scope string `json:"scope"`
	Given *bool  `json:"given"`
}

type consentRequest struct {
	Pseudonym string
	ConsentRequestJSON
}

func makeConsent(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(consentRequest)
		if req.Given == nil {
			return nil, invalid("given", "is required: true to give, false to withdraw")
		}
		p, err := s.SetConsent(ctx, req.Pseudonym, req.Scope, *req.Given)
		if err != nil {
			return nil, err
		}
		return personJSON(p), nil
	}
}

// PermitJSON is a residence permit on the wire.
type PermitJSON struct {
	Kind          string `json:"kind"`
	ValidFrom     string `json:"valid_from"`
	ValidUntil    string `json:"valid_until,omitempty"`
	MayWork       bool   `json:"may_work"`
	ConvertedFrom string `json:"converted_from,omitempty"`
}

type permitRequest struct {
	Pseudonym string
	PermitJSON
}

func makePermit(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(permitRequest)
		from, err := parseDate("valid_from", req.ValidFrom)
		if err != nil {
			return nil, err
		}
		until, err := parseDate("valid_until", req.ValidUntil)
		if err != nil {
			return nil, err
		}
		p, err := s.RecordPermit(ctx, req.Pseudonym, domain.Permit{
			Kind: domain.PermitKind(req.Kind), ValidFrom: from, ValidUntil: until, MayWork: req.MayWork, ConvertedFrom: domain.PermitKind(req.ConvertedFrom),
		})
		if err != nil {
			return nil, err
		}
		return personJSON(p), nil
	}
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
	return PermitJSON{Kind: string(x.Kind), ValidFrom: date(x.ValidFrom), ValidUntil: date(x.ValidUntil), MayWork: x.MayWork, ConvertedFrom: string(x.ConvertedFrom)}
}

func makeLegal(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(LocalizedRequest)
		v, err := s.Legal(ctx, req.Pseudonym)
		if err != nil {
			return nil, err
		}
		out := LegalJSON{Permits: []PermitJSON{}, DaysLeft: v.DaysLeft, Convertible: v.Convertible, Grounds: explain(v.Grounds, req.Lang), CheckFrom: date(v.CheckFrom)}
		for _, x := range v.Permits {
			out.Permits = append(out.Permits, permitJSON(x))
		}
		if v.Current != nil {
			c := permitJSON(*v.Current)
			out.Current = &c
		}
		return out, nil
	}
}

// PlanRequestJSON is a new revision of the plan.
type PlanRequestJSON struct {
	Goals []json.RawMessage `json:"goals"`
}

type planRequest struct {
	Pseudonym string
	Goals     []domain.Goal
}

func makePlan(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(planRequest)
		p, err := s.UpdatePlan(ctx, req.Pseudonym, req.Goals)
		if err != nil {
			return nil, err
		}
		return personJSON(p), nil
	}
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

func makeAutonomy(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(LocalizedRequest)
		v, err := s.Autonomy(ctx, req.Pseudonym)
		if err != nil {
			return nil, err
		}
		out := AutonomyJSON{Stage: string(v.Now.Stage), Index: v.Now.Index, Areas: []AreaJSON{}, History: []StageJSON{},
			Rules: RulesJSON{ItalianLevel: v.Rules.ItalianLevel, DigitalLevel: v.Rules.DigitalLevel, PlacementMonths: v.Rules.PlacementMonths}}
		for _, a := range v.Now.Areas {
			out.Areas = append(out.Areas, AreaJSON{Area: string(a.Area), Status: a.Status, Since: date(a.Since), Why: explain(a.Why, req.Lang)})
		}
		for _, h := range v.History {
			out.History = append(out.History, StageJSON{At: h.At, Stage: string(h.Stage), Index: h.Index})
		}
		for _, a := range v.Rules.Autonomous {
			out.Rules.Autonomous = append(out.Rules.Autonomous, string(a))
		}
		return out, nil
	}
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

func makeAlerts(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		alerts, err := s.Alerts(ctx, request.(PseudonymRequest).Pseudonym)
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
}

// AlertActionJSON acknowledges or resolves an alert.
type AlertActionJSON struct {
	Note string `json:"note"`
}

type alertActionRequest struct {
	Pseudonym, AlertID, Action string
	AlertActionJSON
}

func makeAlertAction(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(alertActionRequest)
		p, err := s.AlertAction(ctx, req.Pseudonym, req.AlertID, req.Action, req.Note)
		if err != nil {
			return nil, err
		}
		return personJSON(p), nil
	}
}

// TransferRequestJSON asks another organisation to take the person over.
type TransferRequestJSON struct {
	ToOrganisation string `json:"to_organisation"`
	ToTerritory    string `json:"to_territory"`
	Reason         string `json:"reason"`
}

type transferRequest struct {
	Pseudonym string
	TransferRequestJSON
}

func makeTransferRequest(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(transferRequest)
		p, err := s.RequestTransfer(ctx, req.Pseudonym, req.ToOrganisation, req.ToTerritory, req.Reason)
		if err != nil {
			return nil, err
		}
		return personJSON(p), nil
	}
}

// TransferDecisionJSON is the receiving organisation's answer.
type TransferDecisionJSON struct {
	CaseWorker string `json:"case_worker"`
}

type transferDecision struct {
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

func makeTransferDecision(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(transferDecision)
		p, err := s.DecideTransfer(ctx, req.Pseudonym, req.TransferID, req.Accept, req.CaseWorker)
		if err != nil {
			return nil, err
		}
		out := TransferDecidedJSON{Pseudonym: p.Pseudonym, TransferID: req.TransferID, Organisation: p.Organisation}
		for _, t := range p.Transfers {
			if t.ID == req.TransferID {
				out.Status = t.Status
			}
		}
		return out, nil
	}
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

func makeCaseload(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, _ any) (any, error) {
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
				out[i].PermitKind, out[i].PermitUntil = string(x.Kind), date(x.ValidUntil)
			}
		}
		return map[string]any{"persons": out}, nil
	}
}

// IncomingJSON is a transfer waiting for the caller's organisation.
type IncomingJSON struct {
	Pseudonym string       `json:"pseudonym"`
	Programme string       `json:"programme"`
	Transfer  TransferJSON `json:"transfer"`
}

func makeIncomingTransfers(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, _ any) (any, error) {
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
}

// CloseJSON ends a pathway.
type CloseJSON struct {
	Reason string `json:"reason"`
	On     string `json:"on"` // YYYY-MM-DD; today if empty
	Note   string `json:"note"`
}

type closeRequest struct {
	Pseudonym string
	CloseJSON
}

func makeClose(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(closeRequest)
		on, err := parseDate("on", req.On)
		if err != nil {
			return nil, err
		}
		p, err := s.Close(ctx, req.Pseudonym, domain.ClosingReason(req.Reason), on, req.Note)
		if err != nil {
			return nil, err
		}
		return personJSON(p), nil
	}
}

// MonitoringRequest asks for the indicators of a period.
type MonitoringRequest struct {
	By       string
	From, To time.Time
	CSV      bool
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

func makeMonitoring(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(MonitoringRequest)
		rows, err := s.Monitoring(ctx, req.By, req.From, req.To)
		if err != nil {
			return nil, err
		}
		if req.CSV {
			return CSVResponse{MonitoringCSV(req.By, req.From, req.To, rows)}, nil
		}
		if rows == nil {
			rows = []MonitoringRow{}
		}
		return MonitoringJSON{By: req.By, From: date(req.From), To: date(req.To), MinCell: MinCell, Rows: rows}, nil
	}
}

// TimelineRequest asks for a person's timeline in a language.
type TimelineRequest struct {
	Pseudonym string
	Lang      string // it or en
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

func makeTimeline(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(TimelineRequest)
		v, err := s.Timeline(ctx, req.Pseudonym)
		if err != nil {
			return nil, err
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
