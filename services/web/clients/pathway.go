package clients

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// Pathway is a client of the pathway API (services/pathway/openapi.yaml):
// the case worker's and the monitoring officer's pages. Its writes are
// not repeated: a retry after a lost answer could write twice (two
// intakes, two plan revisions).
type Pathway struct{ c *Conn }

// NewPathway returns the pathway client of c.
func NewPathway(c *Conn) *Pathway { return &Pathway{c} }

// Timeline is a person's pathway as the case worker sees it.
type Timeline struct {
	Person          PersonRecord   `json:"person"`
	HoursByCourse   map[string]int `json:"hours_by_course"`
	MinutesByCourse map[string]int `json:"minutes_by_course"`
	Entries         []struct {
		EventID    string    `json:"event_id"`
		Type       string    `json:"type"`
		OccurredAt time.Time `json:"occurred_at"`
		Text       string    `json:"text"`
	} `json:"entries"`
}

// Timeline returns the pathway of pseudonym with its entries in lang.
func (p *Pathway) Timeline(ctx context.Context, pseudonym, lang string) (*Timeline, error) {
	return get[Timeline](ctx, p.c, "pathway.timeline", request{path: personPath(pseudonym, "timeline"), query: inLang(lang)})
}

func personPath(pseudonym string, rest ...string) string {
	p := "/v1/persons/" + url.PathEscape(pseudonym)
	for _, r := range rest {
		p += "/" + url.PathEscape(r)
	}
	return p
}

// PersonRecord is a person as pathway shows them to their case worker:
// never the personal data, which has its own audited read.
type PersonRecord struct {
	Pseudonym    string     `json:"pseudonym"`
	DisplayName  string     `json:"display_name"`
	Organisation string     `json:"organisation"`
	Territory    string     `json:"territory"`
	CaseWorker   string     `json:"case_worker"`
	Since        *time.Time `json:"since"`
	Programme    string     `json:"programme"`
	Referral     string     `json:"referral"`
	Fields       []string   `json:"personal_fields"`
	Erased       bool       `json:"erased"`
	Consents     []struct {
		Scope       string     `json:"scope"`
		GivenAt     time.Time  `json:"given_at"`
		WithdrawnAt *time.Time `json:"withdrawn_at"`
	} `json:"consents"`
	Plan      *Plan      `json:"plan"`
	Transfers []Transfer `json:"transfers"`
	Closed    *struct {
		Reason string    `json:"reason"`
		On     time.Time `json:"on"`
		Note   string    `json:"note"`
	} `json:"closed"`
}

// Plan is the individual plan.
type Plan struct {
	Revision  int        `json:"revision"`
	Goals     []Goal     `json:"goals"`
	UpdatedAt *time.Time `json:"updated_at"`
	UpdatedBy string     `json:"updated_by"`
	History   []Plan     `json:"history"`
}

// Goal is one goal of the plan.
type Goal struct {
	ID       string `json:"id,omitempty"`
	Domain   string `json:"domain"`
	Title    string `json:"title"`
	Target   string `json:"target,omitempty"` // YYYY-MM-DD
	FollowBy string `json:"follow_by,omitempty"`
	Status   string `json:"status,omitempty"`
}

// Transfer is a hand-over to another organisation.
type Transfer struct {
	ID               string     `json:"id"`
	FromOrganisation string     `json:"from_organisation"`
	ToOrganisation   string     `json:"to_organisation"`
	ToTerritory      string     `json:"to_territory"`
	Reason           string     `json:"reason"`
	Status           string     `json:"status"`
	RequestedAt      time.Time  `json:"requested_at"`
	DecidedAt        *time.Time `json:"decided_at"`
}

// CaseloadEntry is one person of the case worker's caseload.
type CaseloadEntry struct {
	Pseudonym   string `json:"pseudonym"`
	DisplayName string `json:"display_name"`
	Programme   string `json:"programme"`
	CaseWorker  string `json:"case_worker"`
	Stage       string `json:"stage"`
	OpenAlerts  int    `json:"open_alerts"`
	MostUrgent  string `json:"most_urgent_alert"`
	PermitKind  string `json:"permit_kind"`
	PermitUntil string `json:"permit_until"` // YYYY-MM-DD
}

// Caseload is the people the caller's organisation follows, open alerts
// first.
type Caseload struct {
	Persons []CaseloadEntry `json:"persons"`
}

// Intake is what a case worker records when taking a person in charge.
type Intake struct {
	DisplayName string   `json:"display_name"`
	Programme   string   `json:"programme"`
	Referral    string   `json:"referral"`
	Territory   string   `json:"territory,omitempty"`
	Since       string   `json:"since,omitempty"` // YYYY-MM-DD
	Personal    Personal `json:"personal"`
	Consents    []string `json:"consents"`
}

// Personal is a person's personal data, in clear only on its way to or
// from pathway, which seals it.
type Personal struct {
	LegalName   string     `json:"legal_name,omitempty"`
	BirthDate   string     `json:"birth_date,omitempty"`
	Nationality string     `json:"nationality,omitempty"`
	Languages   []string   `json:"languages,omitempty"`
	Phone       string     `json:"phone,omitempty"`
	Email       string     `json:"email,omitempty"`
	Documents   []Document `json:"documents,omitempty"`
}

// Document is an identity or legal status document.
type Document struct {
	Kind      string `json:"kind"`
	Number    string `json:"number"`
	ExpiresOn string `json:"expires_on,omitempty"`
}

// Autonomy is where a person is on the road to autonomy, and why.
type Autonomy struct {
	Stage string  `json:"stage"`
	Index float64 `json:"index"`
	Areas []struct {
		Area   string `json:"area"`
		Status string `json:"status"`
		Since  string `json:"since"`
		Why    string `json:"why"`
	} `json:"areas"`
	History []StagePoint `json:"history"`
	Rules   struct {
		ItalianLevel    string   `json:"italian_level"`
		DigitalLevel    int      `json:"digital_level"`
		PlacementMonths int      `json:"placement_months"`
		Autonomous      []string `json:"autonomous_when_achieved"`
	} `json:"rules"`
}

// StagePoint is the autonomy stage and index from a moment on.
type StagePoint struct {
	At    time.Time `json:"at"`
	Stage string    `json:"stage"`
	Index float64   `json:"index"`
}

// Permit is a residence permit.
type Permit struct {
	Kind          string `json:"kind"`
	ValidFrom     string `json:"valid_from"`
	ValidUntil    string `json:"valid_until,omitempty"`
	MayWork       bool   `json:"may_work"`
	ConvertedFrom string `json:"converted_from,omitempty"`
}

// Legal is a person's legal status and what the pathway's facts say
// about converting the permit.
type Legal struct {
	Permits     []Permit `json:"permits"`
	Current     *Permit  `json:"current"`
	DaysLeft    int      `json:"days_left"`
	Convertible bool     `json:"convertible"`
	Grounds     string   `json:"grounds"`
	CheckFrom   string   `json:"check_from"`
}

// Alert asks the case worker to act.
type Alert struct {
	ID             string     `json:"id"`
	Kind           string     `json:"kind"`
	RaisedAt       time.Time  `json:"raised_at"`
	Due            *time.Time `json:"due"`
	AcknowledgedAt *time.Time `json:"acknowledged_at"`
	ResolvedAt     *time.Time `json:"resolved_at"`
	ResolvedBy     string     `json:"resolved_by"`
	Note           string     `json:"note"`
}

type alertsResponse struct {
	Alerts []Alert `json:"alerts"`
}

// IncomingTransfer is a transfer waiting for the caller's organisation.
type IncomingTransfer struct {
	Pseudonym string   `json:"pseudonym"`
	Programme string   `json:"programme"`
	Transfer  Transfer `json:"transfer"`
}

type incomingResponse struct {
	Transfers []IncomingTransfer `json:"transfers"`
}

type personalResponse struct {
	Personal Personal `json:"personal"`
}

// Indicators are the monitoring counts of a period; a nil count was
// suppressed because it counts fewer than MinCell people.
type Indicators struct {
	By      string `json:"by"`
	From    string `json:"from"`
	To      string `json:"to"`
	MinCell int    `json:"min_cell"`
	Rows    []struct {
		Group  string          `json:"group"`
		Counts map[string]*int `json:"counts"`
	} `json:"rows"`
}

// Caseload returns the people of the caller's organisation, open alerts
// first.
func (p *Pathway) Caseload(ctx context.Context) (*Caseload, error) {
	return get[Caseload](ctx, p.c, "pathway.caseload", request{path: "/v1/persons"})
}

// Person returns the record of pseudonym.
func (p *Pathway) Person(ctx context.Context, pseudonym string) (*PersonRecord, error) {
	return get[PersonRecord](ctx, p.c, "pathway.person", request{path: personPath(pseudonym)})
}

// Autonomy returns where pseudonym is on the road to autonomy, the
// reasons in lang.
func (p *Pathway) Autonomy(ctx context.Context, pseudonym, lang string) (*Autonomy, error) {
	return get[Autonomy](ctx, p.c, "pathway.autonomy", request{path: personPath(pseudonym, "autonomy"), query: inLang(lang)})
}

// Legal returns the legal status of pseudonym, the grounds in lang.
func (p *Pathway) Legal(ctx context.Context, pseudonym, lang string) (*Legal, error) {
	return get[Legal](ctx, p.c, "pathway.legal", request{path: personPath(pseudonym, "legal"), query: inLang(lang)})
}

// Alerts returns every alert of pseudonym, resolved ones included.
func (p *Pathway) Alerts(ctx context.Context, pseudonym string) ([]Alert, error) {
	resp, err := get[alertsResponse](ctx, p.c, "pathway.alerts", request{path: personPath(pseudonym, "alerts")})
	return field(resp, err, func(r *alertsResponse) []Alert { return r.Alerts })
}

// IncomingTransfers returns the transfers waiting for the caller's
// organisation.
func (p *Pathway) IncomingTransfers(ctx context.Context) ([]IncomingTransfer, error) {
	resp, err := get[incomingResponse](ctx, p.c, "pathway.incoming_transfers", request{path: "/v1/transfers/incoming"})
	return field(resp, err, func(r *incomingResponse) []IncomingTransfer { return r.Transfers })
}

// Intake takes a person in charge; the answer names their new pseudonym.
func (p *Pathway) Intake(ctx context.Context, in Intake) (*PersonRecord, error) {
	return send[PersonRecord](ctx, p.c, p.c.once, "pathway.intake", http.MethodPost, request{path: "/v1/persons", body: in})
}

// Personal reads the personal data of pseudonym for reason; pathway
// writes the read to its audit log before answering.
func (p *Pathway) Personal(ctx context.Context, pseudonym, reason string) (*Personal, error) {
	body := struct {
		Reason string `json:"reason"`
	}{reason}
	resp, err := send[personalResponse](ctx, p.c, p.c.once, "pathway.personal", http.MethodPost, request{path: personPath(pseudonym, "personal", "read"), body: body})
	return field(resp, err, func(r *personalResponse) *Personal { return &r.Personal })
}

// UpdatePlan records a new revision of the plan of pseudonym.
func (p *Pathway) UpdatePlan(ctx context.Context, pseudonym string, goals []Goal) (*PersonRecord, error) {
	body := struct {
		Goals []Goal `json:"goals"`
	}{goals}
	return send[PersonRecord](ctx, p.c, p.c.once, "pathway.plan", http.MethodPut, request{path: personPath(pseudonym, "plan"), body: body})
}

// RecordPermit records a residence permit of pseudonym.
func (p *Pathway) RecordPermit(ctx context.Context, pseudonym string, x Permit) (*PersonRecord, error) {
	return send[PersonRecord](ctx, p.c, p.c.once, "pathway.permit", http.MethodPost, request{path: personPath(pseudonym, "permits"), body: x})
}

// AlertAction acknowledges or resolves an alert of pseudonym.
func (p *Pathway) AlertAction(ctx context.Context, pseudonym, alertID, action, note string) (*PersonRecord, error) {
	body := struct {
		Note string `json:"note"`
	}{note}
	return send[PersonRecord](ctx, p.c, p.c.once, "pathway.alert_action", http.MethodPost, request{path: personPath(pseudonym, "alerts", alertID, action), body: body})
}

// RequestTransfer asks another organisation to take pseudonym over.
func (p *Pathway) RequestTransfer(ctx context.Context, pseudonym, toOrganisation, toTerritory, reason string) (*PersonRecord, error) {
	body := struct {
		ToOrganisation string `json:"to_organisation"`
		ToTerritory    string `json:"to_territory,omitempty"`
		Reason         string `json:"reason"`
	}{toOrganisation, toTerritory, reason}
	return send[PersonRecord](ctx, p.c, p.c.once, "pathway.transfer_request", http.MethodPost, request{path: personPath(pseudonym, "transfers"), body: body})
}

// DecideTransfer accepts or refuses a transfer addressed to the caller's
// organisation.
func (p *Pathway) DecideTransfer(ctx context.Context, pseudonym, transferID string, accept bool) error {
	decision := "refuse"
	if accept {
		decision = "accept"
	}
	return post(ctx, p.c, p.c.once, "pathway.transfer_decision", request{path: personPath(pseudonym, "transfers", transferID, decision), body: struct{}{}})
}

// Indicators returns the monitoring indicators of [from, to) grouped by
// "organisation" or "territory".
func (p *Pathway) Indicators(ctx context.Context, by string, from, to time.Time) (*Indicators, error) {
	return get[Indicators](ctx, p.c, "pathway.indicators", request{path: "/v1/monitoring/indicators", query: indicatorsQuery(by, from, to, "")})
}

// IndicatorsCSV returns the same indicators as the CSV the Region and the
// national funder receive.
func (p *Pathway) IndicatorsCSV(ctx context.Context, by string, from, to time.Time) ([]byte, error) {
	b, err := p.c.endpoint("pathway.indicators_csv", http.MethodGet, p.c.retried, decodeBytes)(ctx, request{path: "/v1/monitoring/indicators", query: indicatorsQuery(by, from, to, "csv")})
	if err != nil {
		return nil, err
	}
	return *b.(*[]byte), nil
}

func indicatorsQuery(by string, from, to time.Time, format string) url.Values {
	q := url.Values{"by": {by}, "from": {from.Format(time.DateOnly)}, "to": {to.Format(time.DateOnly)}}
	if format != "" {
		q.Set("format", format)
	}
	return q
}
