package grpckit_test

import (
	"context"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/grpckit"
	"github.com/percorsi/percorsi/pkg/grpckit/grpckittest"
)

// testService is a contract of two RPCs: Put answers an item that the
// server wraps, Get one already wrapped as {"item": ...}.
const testService = `
name: "grpckit_test.proto" package: "grpckit.test" syntax: "proto3"
message_type { name: "PutRequest"
  field { name: "id" number: 1 type: TYPE_STRING label: LABEL_OPTIONAL json_name: "id" }
  field { name: "cents" number: 2 type: TYPE_INT64 label: LABEL_OPTIONAL json_name: "cents" }
  field { name: "inner" number: 3 type: TYPE_MESSAGE type_name: ".grpckit.test.Inner" label: LABEL_OPTIONAL json_name: "inner" } }
message_type { name: "Inner" field { name: "day" number: 1 type: TYPE_STRING label: LABEL_OPTIONAL json_name: "day" } }
message_type { name: "Item"
  field { name: "id" number: 1 type: TYPE_STRING label: LABEL_OPTIONAL json_name: "id" }
  field { name: "cents" number: 2 type: TYPE_INT64 label: LABEL_OPTIONAL json_name: "cents" } }
message_type { name: "ItemResponse" field { name: "item" number: 1 type: TYPE_MESSAGE type_name: ".grpckit.test.Item" label: LABEL_OPTIONAL json_name: "item" } }
service { name: "TestService"
  method { name: "Put" input_type: ".grpckit.test.PutRequest" output_type: ".grpckit.test.ItemResponse" }
  method { name: "Get" input_type: ".grpckit.test.PutRequest" output_type: ".grpckit.test.ItemResponse" } }
`

var service = func() protoreflect.ServiceDescriptor {
	var fdp descriptorpb.FileDescriptorProto
	if err := prototext.Unmarshal([]byte(testService), &fdp); err != nil {
		panic(err)
	}
	fd, err := protodesc.NewFile(&fdp, protoregistry.GlobalFiles)
	if err != nil {
		panic(err)
	}
	if err := protoregistry.GlobalFiles.RegisterFile(fd); err != nil {
		panic(err)
	}
	for i := range fd.Messages().Len() {
		if err := protoregistry.GlobalTypes.RegisterMessage(dynamicpb.NewMessageType(fd.Messages().Get(i))); err != nil {
			panic(err)
		}
	}
	return fd.Services().Get(0)
}()

// amounts is embedded: its fields are the request's own, as in JSON.
type amounts struct {
	Cents int64 `json:"cents"`
}

type putRequest struct {
	ID string `json:"-"` // a path parameter over HTTP
	amounts
	Inner struct {
		Day string `json:"day"`
	} `json:"inner"`
}

type item struct {
	ID    string `json:"id"`
	Cents int64  `json:"cents"`
}

func put(_ context.Context, req any) (any, error) {
	r := req.(putRequest)
	if r.Inner.Day == "never" {
		return nil, errcode.New(errcode.Invalid, "inner.day", "is no day")
	}
	return item{ID: r.ID, Cents: r.Cents}, nil
}

func get(ctx context.Context, req any) (any, error) {
	it, err := put(ctx, req)
	return map[string]any{"item": it}, err
}

func TestNewServer(t *testing.T) {
	srv := grpckit.NewServer(service, grpckit.Unary[putRequest]("Put", put), grpckit.Unary[putRequest]("Get", get))
	conn := grpckittest.Serve(t, srv)
	in, out := message(t, "PutRequest"), message(t, "ItemResponse")
	set(in, "id", protoreflect.ValueOfString("x1"))
	set(in, "cents", protoreflect.ValueOfInt64(1<<40)) // protojson writes it as a string
	for _, rpc := range []string{"Put", "Get"} {
		if err := conn.Invoke(t.Context(), "/grpckit.test.TestService/"+rpc, in, out); err != nil {
			t.Fatalf("%s: %v", rpc, err)
		}
		it := out.Get(out.Descriptor().Fields().ByName("item")).Message()
		if id, cents := it.Get(it.Descriptor().Fields().ByName("id")).String(), it.Get(it.Descriptor().Fields().ByName("cents")).Int(); id != "x1" || cents != 1<<40 {
			t.Fatalf("%s answered %v", rpc, out)
		}
	}

	inner := in.NewField(in.Descriptor().Fields().ByName("inner")).Message()
	set(inner, "day", protoreflect.ValueOfString("never"))
	in.Set(in.Descriptor().Fields().ByName("inner"), protoreflect.ValueOfMessage(inner))
	st := status.Convert(conn.Invoke(t.Context(), "/grpckit.test.TestService/Put", in, out))
	if st.Code() != codes.InvalidArgument || grpckittest.Field(st) != "inner.day" || st.Message() != "is no day" {
		t.Fatalf("a refusal: %v %q naming %q", st.Code(), st.Message(), grpckittest.Field(st))
	}
}

// TestNewServerDisagreement: a contract and endpoints that disagree stop
// the server from being built.
func TestNewServerDisagreement(t *testing.T) {
	type idOnly struct {
		ID string `json:"-"`
	}
	for _, tc := range []struct {
		name    string
		methods []grpckit.Method
		want    string
	}{
		{"an RPC without endpoint", []grpckit.Method{grpckit.Unary[putRequest]("Put", put)}, "Get has no endpoint"},
		{"an endpoint without RPC", []grpckit.Method{grpckit.Unary[putRequest]("Put", put), grpckit.Unary[putRequest]("Get", get), grpckit.Unary[putRequest]("Delete", get)}, "has no RPC Delete"},
		{"a request field the Go type lacks", []grpckit.Method{grpckit.Unary[idOnly]("Put", put), grpckit.Unary[putRequest]("Get", get)}, "PutRequest.cents: no field"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if p, _ := recover().(string); !strings.Contains(p, tc.want) {
					t.Fatalf("panicked with %q, want %q", p, tc.want)
				}
			}()
			grpckit.NewServer(service, tc.methods...)
		})
	}
}

func message(t *testing.T, name string) protoreflect.Message {
	t.Helper()
	mt, err := protoregistry.GlobalTypes.FindMessageByName(protoreflect.FullName("grpckit.test." + name))
	if err != nil {
		t.Fatal(err)
	}
	return mt.New()
}

func set(m protoreflect.Message, field string, v protoreflect.Value) {
	m.Set(m.Descriptor().Fields().ByName(protoreflect.Name(field)), v)
}
