// Copyright 2021 FerretDB Inc.
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//     http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

// Percorsi patch: unmarshalScalar must read every value it takes exactly as the
// general decoder does.

package sjson

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// general decodes data of type t with the stock decoder of that type.
func general(data []byte, t elemType) (any, error) {
	var v sjsontype

	switch t {
	case elemTypeString:
		v = new(stringType)
	case elemTypeInt:
		v = new(int32Type)
	case elemTypeLong:
		v = new(int64Type)
	case elemTypeDate:
		v = new(dateTimeType)
	case elemTypeDouble:
		v = new(doubleType)
	case elemTypeBool:
		v = new(boolType)
	case elemTypeObjectID:
		v = new(objectIDType)
	default:
		panic(t)
	}

	if err := v.(interface{ UnmarshalJSON([]byte) error }).UnmarshalJSON(data); err != nil {
		return nil, err
	}

	return fromSJSON(v), nil
}

var scalarTypes = []elemType{
	elemTypeString, elemTypeInt, elemTypeLong, elemTypeDate, elemTypeDouble, elemTypeBool, elemTypeObjectID,
}

func FuzzUnmarshalScalar(f *testing.F) {
	for _, seed := range []string{
		`"x"`, `""`, `"è日本💡"`, `"a\"b"`, `"a\\b"`, `"\u003c"`, "\"\xff\"", "\"tab\there\"",
		`0`, `-0`, `1`, `-7`, `2147483647`, `2147483648`, `-2147483649`, `9223372036854775807`, `9223372036854775808`,
		`01`, `+1`, `1.5`, `-0.0`, `1e21`, `1E+21`, `1e400`, `1.`, `.5`, `1e`, `0x10`, `NaN`, `Infinity`,
		`1796661481340`, `true`, `false`, `null`, `"000000000000000000000001"`, `"00000000000000000000000G"`,
		`"0000000000000000000000010"`, ` 1`, `1 `, `"x" `,
	} {
		f.Add([]byte(seed))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		for _, typ := range scalarTypes {
			fast, ok := unmarshalScalar(data, typ)
			if !ok {
				continue
			}

			want, err := general(data, typ)
			require.NoError(t, err, "%s %q: taken by unmarshalScalar, refused by the general decoder", typ, data)
			assert.Equal(t, want, fast, "%s %q", typ, data)
		}
	})
}

// BenchmarkUnmarshalDocument decodes a document shaped like a class of
// Percorsi's: strings, numbers, dates, a roster of subdocuments and a list of ids.
func BenchmarkUnmarshalDocument(b *testing.B) {
	roster := types.MakeArray(25)
	counted := types.MakeArray(100)

	for i := range 25 {
		roster.Append(must.NotFail(types.NewDocument(
			"person", fmt.Sprintf("ps-%06d", i), "display_name", "Joy O.", "status", "enrolled",
			"since", time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), "attended", int32(1200), "held", int32(1500),
		)))
	}

	for i := range 100 {
		counted.Append(fmt.Sprintf("le-%04d-%03d", i, i))
	}

	doc := must.NotFail(types.NewDocument(
		"_id", "cl-it-a2-mattina", "title", "Italiano A2 — mattina", "organisation", "cpia1-roma",
		"capacity", int32(25), "planned_minutes", int64(12000), "version", int64(42), "ratio", 0.75,
		"start_date", time.Date(2026, 9, 14, 0, 0, 0, 0, time.UTC), "open", true,
		"roster", roster, "counted", counted,
	))

	data, err := Marshal(doc)
	require.NoError(b, err)

	b.SetBytes(int64(len(data)))

	for b.Loop() {
		if _, err := Unmarshal(data); err != nil {
			b.Fatal(err)
		}
	}
}
