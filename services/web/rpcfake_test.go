package web_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/grpckit"
)

// rpcFake is a stand-in for a gRPC service: every RPC of its proto checks
// the bearer token as the services do and answers from canned JSON, read
// into the RPC's generated response as the service's own answer would be.
// Switched off, it answers every call as gRPC does when the service is
// gone: Unavailable.
type rpcFake struct {
	addr  string
	down  atomic.Bool
	calls atomic.Int64
	mu    sync.Mutex
	last  map[string]proto.Message // the last request of each RPC
	who   auth.Principal
	roles map[string]auth.Role // the one role each guarded RPC admits
}

// answer is an RPC's answer to req: its response as JSON, or an error.
type answer func(req proto.Message) (string, error)

// refuse is a service's refusal, sent as the services send it.
func refuse(code errcode.Code, field, msg string) (string, error) {
	return "", errcode.New(code, field, "%s", msg)
}

// newRPCFake serves the service sd with answers, by RPC name; an RPC
// without one is unimplemented. The links' RPCs take no user token.
func newRPCFake(t *testing.T, sd protoreflect.ServiceDescriptor, answers map[string]answer, links ...string) *rpcFake {
	t.Helper()
	f := &rpcFake{last: map[string]proto.Message{}, roles: map[string]auth.Role{}}
	verifier, err := auth.NewHMAC([]byte(testKey))
	if err != nil {
		t.Fatal(err)
	}
	desc := grpc.ServiceDesc{ServiceName: string(sd.FullName()), HandlerType: (*any)(nil)}
	for i := range sd.Methods().Len() {
		md := sd.Methods().Get(i)
		name := string(md.Name())
		in, out := messageType(t, md.Input()), messageType(t, md.Output())
		desc.Methods = append(desc.Methods, grpc.MethodDesc{MethodName: name, Handler: func(_ any, ctx context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
			req := in.New().Interface()
			if err := dec(req); err != nil {
				return nil, err
			}
			f.calls.Add(1)
			if f.down.Load() {
				return nil, status.Error(codes.Unavailable, "connection refused")
			}
			var token string
			if md, ok := metadata.FromIncomingContext(ctx); ok && len(md.Get("authorization")) > 0 {
				token, _ = strings.CutPrefix(md.Get("authorization")[0], "Bearer ")
			}
			p, err := verifier.Verify(ctx, token)
			if slices.Contains(links, name) {
				// The link is the credential: no account, and none is sent.
				p, err = auth.Principal{}, nil
				if token != "" {
					err = errors.New("a user's token was sent along an employer link")
				}
			}
			if err != nil {
				return nil, grpckit.Status(errcode.New(errcode.Unauthorized, "authorization", "no token"))
			}
			f.mu.Lock()
			f.who, f.last[name] = p, req
			role, guarded := f.roles[name]
			f.mu.Unlock()
			if guarded && p.Role != role {
				return nil, grpckit.Status(errcode.New(errcode.Forbidden, "", "%s only", role))
			}
			reply, ok := answers[name]
			if !ok {
				return nil, status.Error(codes.Unimplemented, name)
			}
			body, err := reply(req)
			if err != nil {
				return nil, grpckit.Status(err)
			}
			resp := out.New().Interface()
			if err := protojson.Unmarshal([]byte(body), resp); err != nil {
				return nil, fmt.Errorf("the fake's answer to %s: %w", name, err)
			}
			return resp, nil
		}})
	}
	srv := grpc.NewServer()
	srv.RegisterService(&desc, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	f.addr = ln.Addr().String()
	return f
}

// only admits role alone to the RPCs names, refusing the others as the
// services do.
func (f *rpcFake) only(role auth.Role, names ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, n := range names {
		f.roles[n] = role
	}
}

// request is the last request of the RPC name.
func (f *rpcFake) request(name string) proto.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last[name]
}

func messageType(t *testing.T, d protoreflect.MessageDescriptor) protoreflect.MessageType {
	mt, err := protoregistry.GlobalTypes.FindMessageByName(d.FullName())
	if err != nil {
		t.Fatal(err)
	}
	return mt
}

// reply answers body whatever the request.
func reply(body string) answer { return func(proto.Message) (string, error) { return body, nil } }
