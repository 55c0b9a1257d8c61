package match

import (
	"time"

	"github.com/percorsi/percorsi/services/jobs/domain"
)

// Reason says why a part of a score has its points, or why a pair is
// excluded: a code and the facts it names. The words, in the reader's
// language, are the transport's.
type Reason struct {
	Code     ReasonCode
	Italian  domain.Level        // the person's Italian
	Least    domain.Level        // the vacancy's minimum, or the reference when it sets none
	N, Most  int                 // km and the longest commute; weekly hours and the most the person works; days late
	On       time.Time           // the vacancy's start, or the day the person is available from
	Until    time.Time           // the day the permit ends
	Held     []domain.Skill      // the vacancy's skills the person has, with the evidence
	Lacks    []string            // the vacancy's skills the person lacks (ESCO codes)
	Sector   string              // the vacancy's sector, as the data names it
	Contract domain.ContractKind // the vacancy's contract
	Shift    domain.Shift        // the vacancy's shift
	Shifts   []domain.Shift      // the shifts the person can work
}

// ReasonCode names a rule and the kind of fact that applied it.
type ReasonCode string

// The reasons of a score's parts.
const (
	ReasonSkillsNoneAsked      ReasonCode = "skills_none_asked"
	ReasonSkillsRequired       ReasonCode = "skills_required"  // Held, Lacks of the required
	ReasonSkillsDesirable      ReasonCode = "skills_desirable" // Held, Lacks of the desirable
	ReasonItalianMinimum       ReasonCode = "italian_minimum"  // Italian, Least: the vacancy's minimum
	ReasonItalianReference     ReasonCode = "italian_reference"
	ReasonDistance             ReasonCode = "distance"           // N km, Most: the commute
	ReasonAvailableByStart     ReasonCode = "available_by_start" // On: the start
	ReasonAvailableLate        ReasonCode = "available_late"     // On: available from, N days late
	ReasonNoSectorPreference   ReasonCode = "no_sector_preference"
	ReasonSectorPreferred      ReasonCode = "sector_preferred"     // Sector
	ReasonSectorNotPreferred   ReasonCode = "sector_not_preferred" // Sector
	ReasonNoContractPreference ReasonCode = "no_contract_preference"
	ReasonContractPreferred    ReasonCode = "contract_preferred"     // Contract
	ReasonContractNotPreferred ReasonCode = "contract_not_preferred" // Contract
	ReasonPermitUnknown        ReasonCode = "permit_unknown"
	ReasonPermitNoWork         ReasonCode = "permit_no_work"
	ReasonPermitExpires        ReasonCode = "permit_expires"        // Until: its end, On: the start
	ReasonItalianBelowMinimum  ReasonCode = "italian_below_minimum" // Italian, Least
	ReasonTooManyHours         ReasonCode = "too_many_hours"        // N: the vacancy's hours, Most: the person's
	ReasonShiftNotWorked       ReasonCode = "shift_not_worked"      // Shift, Shifts
)
