// Package eventstest builds envelopes from fuzz inputs. Random bytes almost
// never make an envelope whose payload is a known event, so consumers'
// decoders would only ever see garbage; these envelopes are well formed
// around a payload of a real event type whose bytes are the fuzzer's.
package eventstest

import (
	"sort"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// PayloadTypes lists the full names of every Percorsi message linked into
// the test binary, sorted so that an index names the same type every run.
func PayloadTypes() []string {
	var names []string
	protoregistry.GlobalTypes.RangeMessages(func(mt protoreflect.MessageType) bool {
		if name := string(mt.Descriptor().FullName()); strings.HasPrefix(name, "percorsi.") && name != "percorsi.events.v1.Envelope" {
			names = append(names, name)
		}
		return true
	})
	sort.Strings(names)
	return names
}

// Fields are the parts of an envelope a fuzzer chooses.
type Fields struct {
	Type              uint8 // index into PayloadTypes
	ID, Person, Org   string
	OccurredAtSeconds int64
	OccurredAtNanos   int32
	Payload           []byte // the payload's own encoding, any bytes
}

// Envelope encodes an envelope of f around a payload of type
// PayloadTypes()[f.Type], recorded when it occurred, produced by "fuzz".
// It is written field by field, as a producer in another language might:
// proto.Marshal would refuse the invalid UTF-8 a consumer must survive.
func Envelope(types []string, f Fields) []byte {
	name := types[int(f.Type)%len(types)]
	var at []byte
	at = protowire.AppendTag(at, 1, protowire.VarintType)
	at = protowire.AppendVarint(at, uint64(f.OccurredAtSeconds))
	at = protowire.AppendTag(at, 2, protowire.VarintType)
	at = protowire.AppendVarint(at, uint64(int64(f.OccurredAtNanos)))
	var payload []byte
	payload = protowire.AppendTag(payload, 1, protowire.BytesType)
	payload = protowire.AppendString(payload, "type.googleapis.com/"+name)
	payload = protowire.AppendTag(payload, 2, protowire.BytesType)
	payload = protowire.AppendBytes(payload, f.Payload)

	var b []byte
	for _, field := range []struct {
		num   protowire.Number
		bytes []byte
	}{
		{1, []byte(f.ID)}, {2, []byte(name)}, {3, []byte(f.Person)}, {4, []byte(f.Org)},
		{5, at}, {6, at}, {7, []byte("fuzz")}, {9, payload},
	} {
		b = protowire.AppendTag(b, field.num, protowire.BytesType)
		b = protowire.AppendBytes(b, field.bytes)
	}
	b = protowire.AppendTag(b, 8, protowire.VarintType) // schema_version
	return protowire.AppendVarint(b, 1)
}
