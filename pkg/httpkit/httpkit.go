// Package httpkit holds what every go-kit HTTP transport in Percorsi shares:
// strict JSON decoding that names the faulty field, the one mapping of error
// codes to HTTP statuses, and the server options that carry trace context.
package httpkit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strings"
	"time"

	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/tracectx"
)

// MaxBody bounds every request body.
const MaxBody = 1 << 20

// Decode reads a JSON body into v: unknown fields, trailing data, wrong types
// and oversized bodies are errcode.Invalid naming the field at fault.
func Decode(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" && !strings.HasSuffix(mt, "+json") {
			return errcode.New(errcode.Invalid, "Content-Type", "must be application/json, not %q", ct)
		}
	}
	body := bufio.NewReader(http.MaxBytesReader(nil, r.Body, MaxBody))
	if first, ok := firstByte(body); ok && first != '{' {
		// encoding/json would leave v as it was for null: an empty
		// request, which would then replace a plan with nothing.
		return errcode.New(errcode.Invalid, "body", "must be a JSON object")
	}
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errcode.New(errcode.Invalid, "body", "must hold a single JSON object")
	}
	return nil
}

// firstByte is the first byte of body past any white space, left unread;
// false at the end of the body.
func firstByte(body *bufio.Reader) (byte, bool) {
	for {
		b, err := body.Peek(1)
		if err != nil {
			return 0, false
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			_, _ = body.ReadByte()
		default:
			return b[0], true
		}
	}
}

// DecodeElement decodes one element of a JSON list that Decode left raw,
// naming faulty fields with their place, e.g. "marks[3].minutes":
// encoding/json's own paths leave the index out.
func DecodeElement(raw json.RawMessage, v any, place string) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		return nil
	}
	e := errcode.As(decodeError(err))
	switch {
	case e.Field == "body":
		e.Field = place
	case strings.HasPrefix(e.Field, "."):
		e.Field = place + e.Field
	default:
		e.Field = place + "." + e.Field
	}
	return e
}

func decodeError(err error) error {
	var (
		syntax  *json.SyntaxError
		typ     *json.UnmarshalTypeError
		tooBig  *http.MaxBytesError
		invalid *errcode.Error
	)
	switch {
	case errors.As(err, &invalid):
		return invalid // from a field's UnmarshalJSON
	case errors.Is(err, io.EOF):
		return errcode.New(errcode.Invalid, "body", "is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errcode.New(errcode.Invalid, "body", "is truncated JSON")
	case errors.As(err, &syntax):
		return errcode.New(errcode.Invalid, "body", "is not valid JSON (at byte %d)", syntax.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return errcode.New(errcode.Invalid, field, "must be %s, not %s", typeName(typ.Type.Kind().String()), typ.Value)
	case errors.As(err, &tooBig):
		return errcode.New(errcode.Invalid, "body", "is larger than %d bytes", tooBig.Limit)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json has no typed error for unknown fields, so this is
		// the one place that reads an error's text.
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		if name == "" {
			return errcode.New(errcode.Invalid, "body", "has a field with an empty name")
		}
		return errcode.New(errcode.Invalid, name, "is not a known field")
	}
	return errcode.New(errcode.Invalid, "body", "cannot be decoded")
}

func typeName(kind string) string {
	switch kind {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64":
		return "a number"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "a list"
	case "struct", "map":
		return "an object"
	}
	return kind
}

// Status maps an error code to its HTTP status: the only such mapping.
func Status(code errcode.Code) int {
	switch code {
	case errcode.Invalid:
		return http.StatusBadRequest
	case errcode.NotFound:
		return http.StatusNotFound
	case errcode.Conflict:
		return http.StatusConflict
	case errcode.Unauthorized:
		return http.StatusUnauthorized
	case errcode.Forbidden:
		return http.StatusForbidden
	case errcode.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON body of every error response.
type ErrorBody struct {
	Error struct {
		Code    errcode.Code `json:"code"`
		Field   string       `json:"field,omitempty"`
		Message string       `json:"message"`
	} `json:"error"`
}

// ErrorEncoder writes err as an ErrorBody with its status; it is a
// kithttp.ErrorEncoder. Internal errors are shown without detail; the
// endpoint middleware has logged their cause once already.
func ErrorEncoder(_ context.Context, err error, w http.ResponseWriter) {
	var body ErrorBody
	body.Error.Code = errcode.Of(err)
	if e := errcode.As(err); e != nil && body.Error.Code != errcode.Internal {
		body.Error.Field, body.Error.Message = e.Field, e.Message
	} else {
		body.Error.Code = errcode.Internal
		body.Error.Message = "internal error"
	}
	if body.Error.Code == errcode.Unavailable {
		w.Header().Set("Retry-After", retryAfter)
		if body.Error.Message == "" {
			body.Error.Message = "temporarily unavailable, retry shortly"
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(Status(body.Error.Code))
	_ = json.NewEncoder(w).Encode(body)
}

// EncodeJSON writes response as JSON with status 200 (or the status the
// response names through kithttp.StatusCoder).
func EncodeJSON(_ context.Context, w http.ResponseWriter, response any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	status := http.StatusOK
	if sc, ok := response.(kithttp.StatusCoder); ok {
		status = sc.StatusCode()
	}
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(response); err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	return nil
}

// Serve serves h on ln until ctx ends, then shuts down gracefully. Every
// request gets trace context, a recovered panic becomes a 500, never a
// dropped connection, and every 503 says when to retry.
func Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{
		Handler:           tracectx.HTTP(recoverer(retryAfter503(h))),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("httpkit: serve %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("httpkit: shutdown %s: %w", ln.Addr(), err)
	}
	return nil
}

func recoverer(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				slog.ErrorContext(r.Context(), "handler panicked", "panic", p, "path", r.URL.Path)
				ErrorEncoder(r.Context(), errcode.New(errcode.Internal, "", "panic"), w)
			}
		}()
		h.ServeHTTP(w, r)
	})
}

// retryAfter is how many seconds a client told 503 should wait.
const retryAfter = "5"

// retryAfter503 gives every 503 a Retry-After, as ErrorEncoder does for the
// APIs' errors: a handler that renders its own 503 (web's pages when a
// service is away) need not remember to.
func retryAfter503(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(retryAfterWriter{w}, r)
	})
}

type retryAfterWriter struct{ http.ResponseWriter }

func (w retryAfterWriter) WriteHeader(status int) {
	if status == http.StatusServiceUnavailable && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	w.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController reach the server's writer.
func (w retryAfterWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Language is the language a service puts its sentences in: it or en,
// from ?lang= or else Accept-Language; Italian, the users' own, first.
func Language(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "en" || l == "it" {
		return l
	}
	if strings.HasPrefix(r.Header.Get("Accept-Language"), "en") {
		return "en"
	}
	return "it"
}

// Lang is l if Percorsi speaks it, Italian otherwise: what a language
// carried in a request, unset included, comes to.
func Lang(l string) string {
	if l == "en" {
		return l
	}
	return "it"
}
