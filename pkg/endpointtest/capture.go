// Package endpointtest stands in for a service's go-kit endpoints when its
// transports are fuzzed: every endpoint keeps the request its decoder
// produced, so the HTTP and gRPC fuzzers check the decoders alone.
package endpointtest

import (
	"context"
	"reflect"
	"sync"

	"github.com/go-kit/kit/endpoint"

	"github.com/percorsi/percorsi/pkg/errcode"
)

// DecodedField names the refusal Capture's endpoints answer with (a
// Conflict: 409 over HTTP, FailedPrecondition over gRPC): an answer naming
// it means the decoder accepted the request. An error, rather than a
// response, keeps the services' response encoders (which type-assert their
// own responses) out of the test.
const DecodedField = "endpointtest.decoded"

// Capture fills every endpoint.Endpoint field of an Endpoints struct E with
// one that keeps the request its decoder produced; Take returns it.
type Capture[E any] struct {
	Endpoints E

	mu  sync.Mutex
	got any
}

// NewCapture returns a Capture whose Endpoints are all capturing.
func NewCapture[E any]() *Capture[E] {
	c := &Capture[E]{}
	var e endpoint.Endpoint = func(_ context.Context, req any) (any, error) {
		c.mu.Lock()
		c.got = req
		c.mu.Unlock()
		return nil, errcode.New(errcode.Conflict, DecodedField, "decoded")
	}
	v := reflect.ValueOf(&c.Endpoints).Elem()
	for i := range v.NumField() {
		if v.Field(i).Type() == reflect.TypeFor[endpoint.Endpoint]() {
			v.Field(i).Set(reflect.ValueOf(e))
		}
	}
	return c
}

// Take returns the request the last call decoded and forgets it.
func (c *Capture[E]) Take() any {
	c.mu.Lock()
	defer c.mu.Unlock()
	got := c.got
	c.got = nil
	return got
}

// Holds reports whether s is a string anywhere in a decoded request, so a
// fuzzer can check that an id it sent survived decoding.
func Holds(req any, s string) bool { return holds(reflect.ValueOf(req), s) }

func holds(v reflect.Value, s string) bool {
	switch v.Kind() {
	case reflect.String:
		return v.String() == s
	case reflect.Pointer, reflect.Interface:
		return !v.IsNil() && holds(v.Elem(), s)
	case reflect.Struct:
		for i := range v.NumField() {
			if holds(v.Field(i), s) {
				return true
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if holds(v.Index(i), s) {
				return true
			}
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			if holds(k, s) || holds(v.MapIndex(k), s) {
				return true
			}
		}
	}
	return false
}
