package domain

// Reason says why an offer fits a person: a code and the facts it names.
// The words, in the reader's language, are the transport's.
type Reason struct {
	Code        ReasonCode
	RentCents   int64 // the offer's monthly rent
	BudgetCents int64 // what the person can spend on rent a month
	Places      int   // people the offer houses
	Household   int   // people in the household
	Territory   string
	Area        string
}

// ReasonCode names a rule of matching and the facts it names.
type ReasonCode string

// The reasons an offer fits.
const (
	ReasonRentWithinBudget ReasonCode = "rent_within_budget" // RentCents, BudgetCents
	ReasonRoomForHousehold ReasonCode = "room_for_household" // Places, Household
	ReasonInWorkArea       ReasonCode = "in_work_area"       // Area
	ReasonInWorkProvince   ReasonCode = "in_work_province"   // Territory, Area: another area of the province
)
