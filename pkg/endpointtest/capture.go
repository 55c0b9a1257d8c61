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
