// Package errcode is Percorsi's one error vocabulary. Every use case returns
// errors that carry a Code; transports map the code once (HTTP status, gRPC
// status, consumer retry or dead-letter) and never look at the text.
package errcode

import (
	"errors"
	"fmt"
)

// Code says what kind of failure an error is, independent of transport.
type Code string

const (
	Invalid      Code = "invalid"      // the request is malformed or breaks a rule
	NotFound     Code = "not_found"    // the thing asked for does not exist
	Conflict     Code = "conflict"     // the request clashes with what is stored
	Unauthorized Code = "unauthorized" // no valid credentials
	Forbidden    Code = "forbidden"    // valid credentials, not allowed
	Unavailable  Code = "unavailable"  // a dependency is away; retrying may work
	Internal     Code = "internal"     // a bug or an unexpected fault
)

// Error is a coded error. Field names the input at fault (a JSON path such as
// "marks[2].minutes") when there is one; Message is safe to show a user.
type Error struct {
	Code    Code
	Field   string
	Message string
	Err     error // the cause, never shown to users
}

func (e *Error) Error() string {
	msg := string(e.Code)
	if e.Field != "" {
		msg += " " + e.Field
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// New returns a coded error about field (which may be empty).
func New(code Code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns a coded error that keeps err as its cause.
func Wrap(code Code, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// Of returns the code of the first coded error in err's chain: "" for nil,
// Internal for an error that carries no code.
func Of(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns the first coded error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// IsBusiness reports whether err is the caller's or the data's fault rather
// than the infrastructure's: such errors must not trip circuit breakers and
// must not be retried.
func IsBusiness(err error) bool {
	switch Of(err) {
	case Invalid, NotFound, Conflict, Unauthorized, Forbidden:
		return true
	}
	return false
}
