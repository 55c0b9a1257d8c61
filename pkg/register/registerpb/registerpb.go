// Package registerpb maps the shared register model to and from its
// protobuf form (percorsi.register.v1), for every service's events and
// gRPC API.
package registerpb

import (
	"fmt"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/register"
	registerv1 "github.com/percorsi/percorsi/proto/percorsi/register/v1"
)

var statuses = map[register.Status]registerv1.AttendanceStatus{
	register.Present: registerv1.AttendanceStatus_ATTENDANCE_STATUS_PRESENT,
	register.Absent:  registerv1.AttendanceStatus_ATTENDANCE_STATUS_ABSENT,
	register.Late:    registerv1.AttendanceStatus_ATTENDANCE_STATUS_LATE,
	register.Excused: registerv1.AttendanceStatus_ATTENDANCE_STATUS_EXCUSED,
}

// Status is s in protobuf; UNSPECIFIED for an unknown one.
func Status(s register.Status) registerv1.AttendanceStatus { return statuses[s] }

// Mark is what every service's protobuf mark has.
type Mark interface {
	GetPerson() string
	GetStatus() registerv1.AttendanceStatus
	GetMinutes() uint32
}

// Marks reads protobuf marks. An unspecified status stays empty, so that
// register.Check names it; an unknown one is refused here, naming
// "marks[i].status".
func Marks[M Mark](ms []M) ([]register.Mark, error) {
	out := make([]register.Mark, len(ms))
	for i, m := range ms {
		out[i] = register.Mark{Person: m.GetPerson(), Minutes: int(m.GetMinutes())}
		if s := m.GetStatus(); s != registerv1.AttendanceStatus_ATTENDANCE_STATUS_UNSPECIFIED {
			out[i].Status = status(s)
			if out[i].Status == "" {
				return nil, errcode.New(errcode.Invalid, fmt.Sprintf("marks[%d].status", i), "is not a known status")
			}
		}
	}
	return out, nil
}

func status(s registerv1.AttendanceStatus) register.Status {
	for st, pb := range statuses {
		if pb == s {
			return st
		}
	}
	return ""
}
