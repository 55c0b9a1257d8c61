// Package grpckittest fuzzes a service's gRPC request decoders through the
// service's own gRPC server, so that every RPC it registers is fuzzed, a
// new one included, without a target per decoder.
package grpckittest

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/percorsi/percorsi/pkg/endpointtest"
)

// method is one unary RPC a server registers.
type method struct {
	name    string // the full method, "/package.Service/Method"
	in, out protoreflect.MessageType
	ids     []protoreflect.FieldDescriptor // the request's own id fields
}

// methods lists the RPCs srv registers, read from the protobuf descriptors
// of its services and sorted so that a fuzz input names the same RPC on
// every run. A streaming RPC fails the test: its messages would need a
// target of their own.
func methods(tb testing.TB, srv *grpc.Server) []method {
	tb.Helper()
	var ms []method
	for name, info := range srv.GetServiceInfo() {
		d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(name))
		if err != nil {
			tb.Fatalf("service %s: %v", name, err)
		}
		sd, ok := d.(protoreflect.ServiceDescriptor)
		if !ok {
			tb.Fatalf("%s is not a service", name)
		}
		for _, mi := range info.Methods {
			if mi.IsClientStream || mi.IsServerStream {
				tb.Fatalf("%s/%s streams: no fuzz target covers it", name, mi.Name)
			}
			md := sd.Methods().ByName(protoreflect.Name(mi.Name))
			if md == nil {
				tb.Fatalf("%s/%s: not in the service's descriptor", name, mi.Name)
			}
			m := method{name: "/" + name + "/" + mi.Name, in: messageType(tb, md.Input()), out: messageType(tb, md.Output())}
			fields := md.Input().Fields()
			for i := range fields.Len() {
				if fd := fields.Get(i); fd.Kind() == protoreflect.StringKind && isID(fd.Name()) {
					m.ids = append(m.ids, fd)
				}
			}
			ms = append(ms, m)
		}
	}
	if len(ms) == 0 {
		tb.Fatal("the server registers no RPC")
	}
	slices.SortFunc(ms, func(a, b method) int { return strings.Compare(a.name, b.name) })
	return ms
}

// isID tells an id field by the contracts' naming: id, course_id,
// person (a pseudonym). Other strings may be parsed (a day into a time)
// rather than kept.
func isID(name protoreflect.Name) bool {
	return name == "id" || name == "person" || strings.HasSuffix(string(name), "_id")
}

func messageType(tb testing.TB, d protoreflect.MessageDescriptor) protoreflect.MessageType {
	tb.Helper()
	mt, err := protoregistry.GlobalTypes.FindMessageByName(d.FullName())
	if err != nil {
		tb.Fatalf("message %s: %v", d.FullName(), err)
	}
	return mt
}

// FuzzServer fuzzes the decoder of every RPC srv registers: the fuzzer's
// bytes are unmarshalled into the RPC's request message, as the server
// would, and what unmarshals is sent to srv, whose endpoints are c's.
// Properties:
//   - no panic, and no answer but the decoded marker or InvalidArgument;
//   - a refusal names the field at fault;
//   - an accepted request held no timestamp out of range;
//   - an accepted request keeps every id of the message's own fields, as
//     HTTP keeps its path parameters: a decoder drops none.
//
// Seeds are valid requests of any of the RPCs, each given to the RPCs
// that take its message; every RPC also starts from an empty request.
func FuzzServer[E any](f *testing.F, c *endpointtest.Capture[E], srv *grpc.Server, seeds ...proto.Message) {
	rpcs := methods(f, srv)
	for i := range rpcs {
		f.Add(uint8(i), []byte{})
	}
	for _, s := range seeds {
		b, err := proto.Marshal(s)
		if err != nil {
			f.Fatalf("seed %T: %v", s, err)
		}
		seeded := false
		for i, m := range rpcs {
			if m.in.Descriptor().FullName() == s.ProtoReflect().Descriptor().FullName() {
				f.Add(uint8(i), b)
				seeded = true
			}
		}
		if !seeded {
			f.Fatalf("seed %T: no RPC of the server takes it", s)
		}
	}
	conn := Serve(f, srv)
	f.Fuzz(func(t *testing.T, rpc uint8, b []byte) {
		m := rpcs[int(rpc)%len(rpcs)]
		in := m.in.New().Interface()
		if err := proto.Unmarshal(b, in); err != nil {
			return // the server refuses it before any decoder of ours
		}
		err := conn.Invoke(t.Context(), m.name, in, m.out.New().Interface())
		st := status.Convert(err)
		field := Field(st)
		switch {
		case st.Code() == codes.FailedPrecondition && field == endpointtest.DecodedField:
			req := c.Take()
			if req == nil {
				t.Fatalf("%s %v: answered decoded, but no endpoint got a request", m.name, in)
			}
			msg := in.ProtoReflect()
			if p := invalidTime(msg, ""); p != "" {
				t.Fatalf("%s %v: decoded %+v from the invalid timestamp %s", m.name, in, req, p)
			}
			for _, fd := range m.ids {
				for _, s := range strs(msg, fd) {
					if s != "" && !endpointtest.Holds(req, s) {
						t.Fatalf("%s %v: decoded %+v lost %s %q", m.name, in, req, fd.Name(), s)
					}
				}
			}
		case st.Code() == codes.InvalidArgument && field != "":
		default:
			t.Fatalf("%s %v: %v %q naming %q, want the decoded request or InvalidArgument naming a field", m.name, in, st.Code(), st.Message(), field)
		}
	})
}

// Serve runs srv on an in-memory listener for the test and returns a
// connection to it.
func Serve(tb testing.TB, srv *grpc.Server) *grpc.ClientConn {
	lis := bufconn.Listen(1 << 20)
	go func() { _ = srv.Serve(lis) }() // returns when srv stops, at cleanup
	tb.Cleanup(srv.Stop)
	conn, err := grpc.NewClient("passthrough:///fuzz",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		tb.Fatalf("connecting to the server: %v", err)
	}
	tb.Cleanup(func() { _ = conn.Close() })
	return conn
}

// strs is the value of a string field, one or repeated.
func strs(m protoreflect.Message, fd protoreflect.FieldDescriptor) []string {
	if !fd.IsList() {
		return []string{m.Get(fd).String()}
	}
	l := m.Get(fd).List()
	out := make([]string, l.Len())
	for i := range l.Len() {
		out[i] = l.Get(i).String()
	}
	return out
}

// invalidTime is the path of a timestamp in m out of its documented range
// (year 1 to 9999, nanos under a second), or "". A decoder must refuse
// one rather than read it as another instant.
func invalidTime(m protoreflect.Message, path string) string {
	if ts, ok := m.Interface().(*timestamppb.Timestamp); ok {
		if ts.CheckValid() != nil {
			return path
		}
		return ""
	}
	var bad string
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() != protoreflect.MessageKind || fd.IsMap() {
			return true
		}
		p := string(fd.Name())
		if path != "" {
			p = path + "." + p
		}
		if fd.IsList() {
			for i := range v.List().Len() {
				if bad = invalidTime(v.List().Get(i).Message(), fmt.Sprintf("%s[%d]", p, i)); bad != "" {
					return false
				}
			}
			return true
		}
		bad = invalidTime(v.Message(), p)
		return bad == ""
	})
	return bad
}

// Field is the field a status's BadRequest detail names; "" if none.
func Field(st *status.Status) string {
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok && len(br.FieldViolations) > 0 {
			return br.FieldViolations[0].Field
		}
	}
	return ""
}
