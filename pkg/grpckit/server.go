package grpckit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"unicode"

	"github.com/go-kit/kit/endpoint"
	kitgrpc "github.com/go-kit/kit/transport/grpc"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/httpkit"
)

// Method is one unary RPC and the endpoint that serves it.
type Method struct {
	name   string
	e      endpoint.Endpoint
	decode func(protoreflect.MessageDescriptor) (kitgrpc.DecodeRequestFunc, error)
}

// Unary serves the RPC name with e, an endpoint taking a Req. The RPC's
// messages mirror the JSON of the HTTP API, so one mapping serves every
// RPC: the request message is read into Req as its JSON would be, and the
// endpoint's response is written into the response message from its JSON.
// A request field the JSON leaves out (a path parameter over HTTP: `json:"-"`
// or no tag) is matched by its Go name in snake case (PlacementID is
// placement_id); the fields of an embedded struct count as Req's own, as
// in JSON.
func Unary[Req any](name string, e endpoint.Endpoint) Method {
	return Method{name: name, e: e, decode: func(md protoreflect.MessageDescriptor) (kitgrpc.DecodeRequestFunc, error) {
		bare, err := bareFields(reflect.TypeFor[Req](), md)
		if err != nil {
			return nil, err
		}
		return func(_ context.Context, in any) (any, error) {
			var req Req
			m := in.(proto.Message).ProtoReflect()
			body := proto.Clone(m.Interface()).ProtoReflect()
			for fd := range bare {
				body.Clear(fd)
			}
			b, err := requestJSON(body)
			if err != nil {
				return nil, errcode.New(errcode.Invalid, "body", "cannot be read: %v", err)
			}
			if err := httpkit.DecodeElement(b, &req, ""); err != nil {
				e := errcode.As(err)
				e.Field = strings.TrimPrefix(e.Field, ".")
				return nil, e
			}
			v := reflect.ValueOf(&req).Elem()
			for fd, i := range bare {
				f := v.FieldByIndex(i)
				f.Set(reflect.ValueOf(m.Get(fd).Interface()).Convert(f.Type()))
			}
			return req, nil
		}, nil
	}}
}

// bareFields maps the request fields that JSON leaves out to the Go fields
// of t they fill, and fails if a field of md has no Go field in t.
func bareFields(t reflect.Type, md protoreflect.MessageDescriptor) (map[protoreflect.FieldDescriptor][]int, error) {
	tagged, bare := map[string]bool{}, map[string][]int{}
	jsonFields(t, nil, tagged, bare)
	out := map[protoreflect.FieldDescriptor][]int{}
	for i := range md.Fields().Len() {
		fd := md.Fields().Get(i)
		j, ok := bare[string(fd.Name())]
		switch {
		case tagged[string(fd.Name())]:
		case ok && !fd.IsList() && !fd.IsMap() && fd.Message() == nil && reflect.TypeOf(fd.Default().Interface()).ConvertibleTo(t.FieldByIndex(j).Type):
			out[fd] = j
		default:
			return nil, fmt.Errorf("%s.%s: no field of %v takes it", md.FullName(), fd.Name(), t)
		}
	}
	return out, nil
}

// jsonFields sorts the exported fields of t, those of its untagged
// embedded structs included, into the names its JSON has (tagged) and
// the snake-case names of those it leaves out (bare), with their index.
func jsonFields(t reflect.Type, index []int, tagged map[string]bool, bare map[string][]int) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		at := append(slices.Clone(index), i)
		switch {
		case f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct:
			jsonFields(f.Type, at, tagged, bare)
		case !f.IsExported():
		case name == "" || name == "-":
			bare[snake(f.Name)] = at
		default:
			tagged[name] = true
		}
	}
}

// requestJSON is m as the HTTP API's JSON has it: protojson writes 64-bit
// integers as strings, which encoding/json does not read into an int64.
func requestJSON(m protoreflect.Message) ([]byte, error) {
	b, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(m.Interface())
	if err != nil {
		return nil, err
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	unquote64(v, m.Descriptor())
	return json.Marshal(v)
}

// unquote64 turns the 64-bit integers of v, a message md as protojson
// wrote it, into JSON numbers.
func unquote64(v any, md protoreflect.MessageDescriptor) {
	obj, _ := v.(map[string]any)
	for name, x := range obj {
		fd := md.Fields().ByName(protoreflect.Name(name))
		switch {
		case fd == nil:
		case fd.IsMap():
			m, _ := x.(map[string]any)
			for k, y := range m {
				m[k] = unquote(y, fd.MapValue())
			}
		case fd.IsList():
			l, _ := x.([]any)
			for i, y := range l {
				l[i] = unquote(y, fd)
			}
		default:
			obj[name] = unquote(x, fd)
		}
	}
}

// unquote is one value of fd: a 64-bit integer as a number, a message
// with its own unquoted.
func unquote(v any, fd protoreflect.FieldDescriptor) any {
	if fd.Message() != nil {
		unquote64(v, fd.Message())
		return v
	}
	if s, ok := v.(string); ok && is64(fd) {
		return json.Number(s)
	}
	return v
}

func is64(fd protoreflect.FieldDescriptor) bool {
	switch fd.Kind() {
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return true
	}
	return false
}

// snake is a Go name in snake case: PlacementID is placement_id.
func snake(s string) string {
	var b strings.Builder
	r := []rune(s)
	for i, c := range r {
		if unicode.IsUpper(c) && i > 0 && (unicode.IsLower(r[i-1]) || i+1 < len(r) && unicode.IsLower(r[i+1])) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}

// encode writes an endpoint's response into a new message of mt through
// its JSON. A response message whose one field is a message or a map, or
// a response that is no JSON object, wraps the whole response in that
// field: GetProfileResponse{profile} of a profile; but not a JSON object
// that already has that field: {"step": ...} of StartStepResponse{step}.
func encode(mt protoreflect.MessageType) kitgrpc.EncodeResponseFunc {
	fields := mt.Descriptor().Fields()
	return func(_ context.Context, resp any) (any, error) {
		b, err := json.Marshal(resp)
		if err != nil {
			return nil, fmt.Errorf("encoding %T: %w", resp, err)
		}
		if fields.Len() == 1 {
			fd := fields.Get(0)
			if fd.Message() != nil && !fd.IsList() && (fd.IsMap() || !hasKey(b, string(fd.Name()))) || b[0] != '{' {
				b = fmt.Appendf(nil, `{%q:%s}`, fd.Name(), b)
			}
		}
		out := mt.New().Interface()
		if err := protojson.Unmarshal(b, out); err != nil {
			return nil, fmt.Errorf("encoding %T as %s: %w", resp, mt.Descriptor().FullName(), err)
		}
		return out, nil
	}
}

// hasKey reports whether b is a JSON object with the key.
func hasKey(b []byte, key string) bool {
	var obj map[string]json.RawMessage
	if json.Unmarshal(b, &obj) != nil {
		return false
	}
	_, ok := obj[key]
	return ok
}

// NewServer serves every RPC of the service sd with its Method, through
// go-kit's gRPC transport with ServerOptions and Status. It panics if an
// RPC has no method, a method no RPC, or a request message a field its
// Req lacks: the contract and the endpoints disagree, which tests show at
// once.
func NewServer(sd protoreflect.ServiceDescriptor, methods ...Method) *grpc.Server {
	desc := grpc.ServiceDesc{ServiceName: string(sd.FullName()), HandlerType: (*any)(nil), Metadata: sd.ParentFile().Path()}
	byName := map[string]Method{}
	for _, m := range methods {
		byName[m.name] = m
	}
	for i := range sd.Methods().Len() {
		md := sd.Methods().Get(i)
		m, ok := byName[string(md.Name())]
		if !ok {
			panic(fmt.Sprintf("grpckit: %s has no endpoint", md.FullName()))
		}
		delete(byName, m.name)
		in, out := messageType(md.Input()), messageType(md.Output())
		dec, err := m.decode(md.Input())
		if err != nil {
			panic("grpckit: " + err.Error())
		}
		h := kitgrpc.NewServer(m.e, dec, encode(out), ServerOptions()...)
		full := fmt.Sprintf("/%s/%s", sd.FullName(), md.Name())
		desc.Methods = append(desc.Methods, grpc.MethodDesc{MethodName: m.name, Handler: func(srv any, ctx context.Context, dec func(any) error, ic grpc.UnaryServerInterceptor) (any, error) {
			req := in.New().Interface()
			if err := dec(req); err != nil {
				return nil, err
			}
			serve := func(ctx context.Context, req any) (any, error) { return Serve[proto.Message](ctx, h, req) }
			if ic == nil {
				return serve(ctx, req)
			}
			return ic(ctx, req, &grpc.UnaryServerInfo{Server: srv, FullMethod: full}, serve)
		}})
	}
	for name := range byName {
		panic(fmt.Sprintf("grpckit: %s has no RPC %s", sd.FullName(), name))
	}
	srv := grpc.NewServer()
	srv.RegisterService(&desc, nil)
	return srv
}

func messageType(d protoreflect.MessageDescriptor) protoreflect.MessageType {
	mt, err := protoregistry.GlobalTypes.FindMessageByName(d.FullName())
	if err != nil {
		panic(fmt.Sprintf("grpckit: message %s: %v", d.FullName(), err))
	}
	return mt
}
