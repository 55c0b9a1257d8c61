package registerpb_test

import (
	"testing"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/register"
	"github.com/percorsi/percorsi/pkg/register/registerpb"
	registerv1 "github.com/percorsi/percorsi/proto/percorsi/register/v1"
)

type mark struct {
	person string
	status registerv1.AttendanceStatus
}

func (m mark) GetPerson() string                      { return m.person }
func (m mark) GetStatus() registerv1.AttendanceStatus { return m.status }
func (m mark) GetMinutes() uint32                     { return 30 }

func TestMarks(t *testing.T) {
	for _, s := range []register.Status{register.Present, register.Absent, register.Late, register.Excused} {
		got, err := registerpb.Marks([]mark{{"p", registerpb.Status(s)}})
		if err != nil || got[0] != (register.Mark{Person: "p", Status: s, Minutes: 30}) {
			t.Fatalf("%s there and back: %+v, %v", s, got, err)
		}
	}
	if got, err := registerpb.Marks([]mark{{"p", registerv1.AttendanceStatus_ATTENDANCE_STATUS_UNSPECIFIED}}); err != nil || got[0].Status != "" {
		t.Fatalf("unspecified: %+v, %v, want an empty status for the check to name", got, err)
	}
	_, err := registerpb.Marks([]mark{{"p", registerv1.AttendanceStatus_ATTENDANCE_STATUS_PRESENT}, {"q", 42}})
	if e := errcode.As(err); e == nil || e.Field != "marks[1].status" {
		t.Fatalf("unknown status: %v, want Invalid marks[1].status", err)
	}
}
