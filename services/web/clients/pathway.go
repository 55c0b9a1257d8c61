package clients

import (
	"context"
	"math"
	"time"

	"google.golang.org/protobuf/types/known/structpb"

	"github.com/percorsi/percorsi/pkg/errcode"
	pathwayv1 "github.com/percorsi/percorsi/proto/percorsi/pathway/v1"
)

// Pathway is a client of the pathway gRPC API
// (proto/percorsi/pathway/v1/pathway_service.proto): the case worker's and
// the monitoring officer's pages. Its writes are not repeated: a retry
// after a lost answer could write twice (two intakes, two plan revisions).
type Pathway struct{ c *Conn }

// NewPathway returns the pathway client of c.
func NewPathway(c *Conn) *Pathway { return &Pathway{c} }

// Timeline returns the pathway of pseudonym with its entries in lang.
func (p *Pathway) Timeline(ctx context.Context, pseudonym, lang string) (*pathwayv1.TimelineResponse, error) {
	return call[pathwayv1.TimelineResponse](ctx, p.c, p.c.retried, "pathway.timeline", pathwayv1.PathwayService_Timeline_FullMethodName, &pathwayv1.TimelineRequest{Pseudonym: pseudonym, Lang: lang})
}

// Caseload returns the people of the caller's organisation, open alerts
// first.
func (p *Pathway) Caseload(ctx context.Context) ([]*pathwayv1.CaseloadPerson, error) {
	resp, err := call[pathwayv1.CaseloadResponse](ctx, p.c, p.c.retried, "pathway.caseload", pathwayv1.PathwayService_Caseload_FullMethodName, &pathwayv1.CaseloadRequest{})
	return resp.GetPersons(), err
}

// Person returns the record of pseudonym.
func (p *Pathway) Person(ctx context.Context, pseudonym string) (*pathwayv1.Person, error) {
	resp, err := call[pathwayv1.GetPersonResponse](ctx, p.c, p.c.retried, "pathway.person", pathwayv1.PathwayService_GetPerson_FullMethodName, &pathwayv1.GetPersonRequest{Pseudonym: pseudonym})
	return resp.GetPerson(), err
}

// Autonomy returns where pseudonym is on the road to autonomy, the
// reasons in lang.
func (p *Pathway) Autonomy(ctx context.Context, pseudonym, lang string) (*pathwayv1.AutonomyResponse, error) {
	return call[pathwayv1.AutonomyResponse](ctx, p.c, p.c.retried, "pathway.autonomy", pathwayv1.PathwayService_Autonomy_FullMethodName, &pathwayv1.AutonomyRequest{Pseudonym: pseudonym, Lang: lang})
}

// Legal returns the legal status of pseudonym, the grounds in lang.
func (p *Pathway) Legal(ctx context.Context, pseudonym, lang string) (*pathwayv1.LegalResponse, error) {
	return call[pathwayv1.LegalResponse](ctx, p.c, p.c.retried, "pathway.legal", pathwayv1.PathwayService_Legal_FullMethodName, &pathwayv1.LegalRequest{Pseudonym: pseudonym, Lang: lang})
}

// Alerts returns every alert of pseudonym, resolved ones included.
func (p *Pathway) Alerts(ctx context.Context, pseudonym string) ([]*pathwayv1.Alert, error) {
	resp, err := call[pathwayv1.ListAlertsResponse](ctx, p.c, p.c.retried, "pathway.alerts", pathwayv1.PathwayService_ListAlerts_FullMethodName, &pathwayv1.ListAlertsRequest{Pseudonym: pseudonym})
	return resp.GetAlerts(), err
}

// IncomingTransfers returns the transfers waiting for the caller's
// organisation.
func (p *Pathway) IncomingTransfers(ctx context.Context) ([]*pathwayv1.IncomingTransfer, error) {
	resp, err := call[pathwayv1.IncomingTransfersResponse](ctx, p.c, p.c.retried, "pathway.incoming_transfers", pathwayv1.PathwayService_IncomingTransfers_FullMethodName, &pathwayv1.IncomingTransfersRequest{})
	return resp.GetTransfers(), err
}

// Intake takes a person in charge; the answer names their new pseudonym.
func (p *Pathway) Intake(ctx context.Context, req *pathwayv1.IntakeRequest) (*pathwayv1.Person, error) {
	resp, err := call[pathwayv1.IntakeResponse](ctx, p.c, p.c.once, "pathway.intake", pathwayv1.PathwayService_Intake_FullMethodName, req)
	return resp.GetPerson(), err
}

// Personal reads the personal data of pseudonym for reason; pathway
// writes the read to its audit log before answering.
func (p *Pathway) Personal(ctx context.Context, pseudonym, reason string) (*pathwayv1.PersonalData, error) {
	resp, err := call[pathwayv1.ReadPersonalResponse](ctx, p.c, p.c.once, "pathway.personal", pathwayv1.PathwayService_ReadPersonal_FullMethodName, &pathwayv1.ReadPersonalRequest{Pseudonym: pseudonym, Reason: reason})
	return resp.GetPersonal(), err
}

// UpdatePlan records a new revision of the plan of pseudonym.
func (p *Pathway) UpdatePlan(ctx context.Context, pseudonym string, goals []*pathwayv1.Goal) error {
	_, err := call[pathwayv1.UpdatePlanResponse](ctx, p.c, p.c.once, "pathway.plan", pathwayv1.PathwayService_UpdatePlan_FullMethodName, &pathwayv1.UpdatePlanRequest{Pseudonym: pseudonym, Goals: goals})
	return err
}

// RecordPermit records the residence permit of req.Pseudonym.
func (p *Pathway) RecordPermit(ctx context.Context, req *pathwayv1.RecordPermitRequest) error {
	_, err := call[pathwayv1.RecordPermitResponse](ctx, p.c, p.c.once, "pathway.permit", pathwayv1.PathwayService_RecordPermit_FullMethodName, req)
	return err
}

// AlertAction acknowledges or resolves an alert of req.Pseudonym.
func (p *Pathway) AlertAction(ctx context.Context, req *pathwayv1.AlertActionRequest) error {
	_, err := call[pathwayv1.AlertActionResponse](ctx, p.c, p.c.once, "pathway.alert_action", pathwayv1.PathwayService_AlertAction_FullMethodName, req)
	return err
}

// RequestTransfer asks another organisation to take req.Pseudonym over.
func (p *Pathway) RequestTransfer(ctx context.Context, req *pathwayv1.RequestTransferRequest) error {
	_, err := call[pathwayv1.RequestTransferResponse](ctx, p.c, p.c.once, "pathway.transfer_request", pathwayv1.PathwayService_RequestTransfer_FullMethodName, req)
	return err
}

// DecideTransfer accepts or refuses a transfer addressed to the caller's
// organisation.
func (p *Pathway) DecideTransfer(ctx context.Context, pseudonym, transferID string, accept bool) error {
	req := &pathwayv1.DecideTransferRequest{Pseudonym: pseudonym, TransferId: transferID, Accept: accept}
	_, err := call[pathwayv1.DecideTransferResponse](ctx, p.c, p.c.once, "pathway.transfer_decision", pathwayv1.PathwayService_DecideTransfer_FullMethodName, req)
	return err
}

// Indicators returns the monitoring indicators of [from, to) grouped by
// "organisation" or "territory"; Counts reads a row's counts.
func (p *Pathway) Indicators(ctx context.Context, by string, from, to time.Time) (*pathwayv1.MonitoringResponse, error) {
	req := &pathwayv1.MonitoringRequest{By: by, From: from.Format(time.DateOnly), To: to.Format(time.DateOnly)}
	return call[pathwayv1.MonitoringResponse](ctx, p.c, p.c.retried, "pathway.indicators", pathwayv1.PathwayService_Monitoring_FullMethodName, req)
}

// Counts reads the counts of a monitoring row by indicator: a whole
// number, or nil where pathway suppressed it (null). Anything else is an
// answer web cannot read.
func Counts(row *pathwayv1.MonitoringRow) (map[string]*int, error) {
	out := make(map[string]*int, len(row.GetCounts()))
	for ind, v := range row.GetCounts() {
		switch k := v.GetKind().(type) {
		case *structpb.Value_NullValue:
			out[ind] = nil
		case *structpb.Value_NumberValue:
			n := k.NumberValue
			if n != math.Trunc(n) || math.Abs(n) > 1<<53 {
				return nil, errcode.New(errcode.Internal, "counts", "pathway counted %v %s", n, ind)
			}
			c := int(n)
			out[ind] = &c
		default:
			return nil, errcode.New(errcode.Internal, "counts", "pathway counted %s as %T", ind, k)
		}
	}
	return out, nil
}
