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

// Percorsi patch: unmarshalFast must decode every document it takes exactly as
// the general decoder does.

package sjson

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// randomValue returns a value of any type sjson stores, documents and arrays
// nested up to depth.
func randomValue(r *rand.Rand, depth int) any {
	n := 16
	if depth == 0 {
		n = 14
	}

	switch r.IntN(n) {
	case 0:
		return []string{"x", "", `say "hi"`, `back\slash`, "<a&b>", "tab\there", "è日本💡", "\u2028", "\x00", "line\nbreak"}[r.IntN(10)]
	case 1:
		return int32(r.IntN(1<<20) - 1<<19)
	case 2:
		return []int64{0, -1, 1 << 53, math.MaxInt64, math.MinInt64, r.Int64()}[r.IntN(6)]
	case 3:
		return []float64{0, math.Copysign(0, -1), 1.5, -7, 1e21, 1e-300, math.MaxFloat64, r.Float64()}[r.IntN(8)]
	case 4:
		return r.IntN(2) == 0
	case 5:
		return time.UnixMilli(r.Int64N(1 << 42)).UTC()
	case 6:
		return types.ObjectID{byte(r.IntN(256)), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, byte(r.IntN(256))}
	case 7:
		return types.Null
	case 8:
		return types.Binary{Subtype: types.BinaryGeneric, B: []byte{1, 2, 3}}
	case 9:
		return types.Regex{Pattern: "^a.*", Options: "i"}
	case 10:
		return types.Timestamp(r.Uint64N(1 << 40))
	case 11, 12, 13:
		return fmt.Sprintf("ps-%06d", r.IntN(1000000))
	case 14:
		return randomDocument(r, depth-1, r.IntN(4))
	default:
		a := types.MakeArray(3)
		for range r.IntN(4) {
			a.Append(randomValue(r, depth-1))
		}

		return a
	}
}

func randomDocument(r *rand.Rand, depth, fields int) *types.Document {
	d := must.NotFail(types.NewDocument())
	for i := range fields {
		d.Set([]string{"_id", "a", "b", "version", "roster", "outbox", "é", "with space", "x-y"}[i%9]+fmt.Sprint(i/9), randomValue(r, depth))
	}

	return d
}

// TestUnmarshalFastRandom marshals random documents and checks that the fast
// decoder, whenever it takes one, reads what the general decoder reads.
func TestUnmarshalFastRandom(t *testing.T) {
	t.Parallel()

	r := rand.New(rand.NewPCG(3, 4))

	var taken int

	for i := range 3000 {
		doc := randomDocument(r, 3, r.IntN(12))

		data, err := Marshal(doc)
		require.NoError(t, err)

		want, err := unmarshalGeneral(data)
		require.NoError(t, err, "%s", data)

		got, ok := unmarshalFast(data)
		if !ok {
			continue
		}

		taken++

		assert.Equal(t, want, got, "document %d: %s", i, data)
	}

	// documents without binData or regex are all taken
	assert.Greater(t, taken, 1000)
}

func FuzzUnmarshalFast(f *testing.F) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 50 {
		f.Add(must.NotFail(Marshal(randomDocument(r, 2, r.IntN(6)))))
	}

	for _, seed := range []string{
		`{"$s":{"p":{},"$k":[]}}`,
		`{"$s":{"p":{"a":{"t":"int"}},"$k":["a"]},"a":1}`,
		`{"$s":{"p":{"a":{"t":"int"}},"$k":["a"]},"a":1,"a":2}`,
		`{"$s":{"p":{"a":{"t":"int"},"b":{"t":"int"}},"$k":["b","a"]},"a":1,"b":2}`,
		`{"$s":{"p":{"a":{"t":"object","$s":{"p":{},"$k":[]}}},"$k":["a"]},"a":{}}`,
		`{"$s":{"p":{"a":{"t":"array","i":[]}},"$k":["a"]},"a":[]}`,
		`{"$s":{"p":{"a":{"t":"array","i":[{"t":"string"}]}},"$k":["a"]},"a":["x","y"]}`,
		`{"$s":{"p":{"a":{"t":"string"}},"$k":["a"]},"a":"\u00e8\"x"}`,
		`{"$s":{"p":{"a":{"t":"string"}},"$k":["a","a"]},"a":"x"}`,
		` {"$s" : {"p":{"a":{"t":"bool"}},"$k":["a"]} , "a" : true }`,
		` {"$s" : {"p":{"a":{"t":"bool"}},"$k":["a"]} , "a" : true } `,
	} {
		f.Add([]byte(seed))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		got, ok := unmarshalFast(data)
		if !ok {
			return
		}

		want, err := unmarshalGeneral(data)
		require.NoError(t, err, "taken by unmarshalFast, refused by the general decoder: %q", data)
		assert.Equal(t, want, got, "%q", data)
	})
}
