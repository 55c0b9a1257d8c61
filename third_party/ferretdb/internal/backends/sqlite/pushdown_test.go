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

// Percorsi patch: tests of the indexed pushdown (see PATCHES in the copy's parent folder).

package sqlite

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/FerretDB/FerretDB/internal/backends"
	"github.com/FerretDB/FerretDB/internal/handler/common"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/iterator"
	"github.com/FerretDB/FerretDB/internal/util/must"
	"github.com/FerretDB/FerretDB/internal/util/state"
	"github.com/FerretDB/FerretDB/internal/util/testutil"
)

// pushdownPalette holds values whose JSON is easy to get wrong: numbers of
// every BSON type that compare equal, zeros of both signs, integers around 2^53,
// strings that need escaping, an ObjectID and the string of its hex digits.
var pushdownPalette = []any{
	"x", "X", "", `say "hi"`, `back\slash`, "<a&b>", "tab\there", "è", "日本", "\u2028", "💡", "line\nbreak",
	"000000000000000000000001", types.ObjectID{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
	int32(1), int64(1), float64(1), int32(-7), int64(-7), float64(-7), float64(1.5),
	int32(0), int64(0), float64(0), math.Copysign(0, -1),
	int64(1 << 53), float64(1 << 53), int64(1<<53 + 1), float64(1<<53 + 2), int64(math.MaxInt64),
	float64(1e21), float64(-1e300),
	true, false, types.Null,
}

// pushdownFields are the indexed fields of the test collection; "free" has no index.
var pushdownFields = []string{"s", "n", "b", "c", "free"}

func pushdownCollection(t *testing.T, noTableScan bool) backends.Collection {
	t.Helper()

	ctx := testutil.Ctx(t)

	sp, err := state.NewProvider("")
	require.NoError(t, err)

	b, err := NewBackend(&NewBackendParams{URI: testutil.TestSQLiteURI(t, ""), L: testutil.LevelLogger(t, slog.LevelWarn), P: sp, BatchSize: 100, NoTableScan: noTableScan})
	require.NoError(t, err)
	t.Cleanup(b.Close)

	db, err := b.Database(testutil.DatabaseName(t))
	require.NoError(t, err)

	c, err := db.Collection(testutil.CollectionName(t))
	require.NoError(t, err)

	_, err = c.CreateIndexes(ctx, &backends.CreateIndexesParams{Indexes: []backends.IndexInfo{
		{Name: "s_1", Key: []backends.IndexKeyPair{{Field: "s"}}},
		{Name: "n_-1", Key: []backends.IndexKeyPair{{Field: "n", Descending: true}}},
		{Name: "b_1", Key: []backends.IndexKeyPair{{Field: "b"}}},
		{Name: "c_1_s_1", Key: []backends.IndexKeyPair{{Field: "c"}, {Field: "s"}}},
	}})
	require.NoError(t, err)

	return c
}

// pushdownValue picks a field's value: from the palette, an array of palette
// values, an embedded document, or nothing (the field is missing).
func pushdownValue(r *rand.Rand) (any, bool) {
	switch r.IntN(10) {
	case 0:
		return nil, false
	case 1:
		arr := types.MakeArray(3)
		for range r.IntN(3) + 1 {
			arr.Append(pushdownPalette[r.IntN(len(pushdownPalette))])
		}

		return arr, true
	case 2:
		return must.NotFail(types.NewDocument("v", pushdownPalette[r.IntN(len(pushdownPalette))])), true
	default:
		return pushdownPalette[r.IntN(len(pushdownPalette))], true
	}
}

// TestPushdownDifferential checks that pushing a filter down returns the same
// documents as reading the whole collection and filtering in Go, which is what
// the handlers did for every filter but {_id: <string or ObjectID>}.
func TestPushdownDifferential(t *testing.T) {
	t.Parallel()

	ctx := testutil.Ctx(t)
	c := pushdownCollection(t, false)
	r := rand.New(rand.NewPCG(1, 2))

	const docs = 300

	insert := make([]*types.Document, docs)
	for i := range insert {
		d := must.NotFail(types.NewDocument("_id", fmt.Sprintf("d%03d", i)))
		if i%30 == 0 {
			d.Set("_id", types.ObjectID{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, byte(i >> 8), byte(i)})
		}

		for _, f := range pushdownFields {
			if v, ok := pushdownValue(r); ok {
				d.Set(f, v)
			}
		}

		insert[i] = d
	}

	_, err := c.InsertAll(ctx, &backends.InsertAllParams{Docs: insert})
	require.NoError(t, err)

	res, err := c.Query(ctx, new(backends.QueryParams))
	require.NoError(t, err)

	stored, err := iterator.ConsumeValues(res.Iter)
	require.NoError(t, err)
	require.Len(t, stored, docs)

	var pushed int

	for i := range 1000 {
		filter := pushdownFilter(r, insert)

		res, err := c.Query(ctx, &backends.QueryParams{Filter: filter})
		require.NoError(t, err)

		got := matchingIDs(t, res.Iter, filter)
		want := matchingIDs(t, iterator.Values(iterator.ForSlice(stored)), filter)

		require.Equal(t, want, got, "filter %d: %s", i, types.FormatAnyValue(filter))

		explain, err := c.Explain(ctx, &backends.ExplainParams{Filter: filter})
		require.NoError(t, err)

		if explain.FilterPushdown {
			pushed++
		}
	}

	// most filters are pushed down, or the test checks little
	assert.Greater(t, pushed, 400)
}

// pushdownFilter returns a random filter: equalities and $in on indexed and
// free fields, sometimes with _id, an operator or a dotted path beside them.
func pushdownFilter(r *rand.Rand, docs []*types.Document) *types.Document {
	filter := must.NotFail(types.NewDocument())

	for range r.IntN(2) + 1 {
		f := pushdownFields[r.IntN(len(pushdownFields))]

		switch r.IntN(5) {
		case 0:
			in := types.MakeArray(3)
			for range r.IntN(4) {
				in.Append(pushdownPalette[r.IntN(len(pushdownPalette))])
			}

			filter.Set(f, must.NotFail(types.NewDocument("$in", in)))
		case 1:
			filter.Set(f, must.NotFail(types.NewDocument("$ne", pushdownPalette[r.IntN(len(pushdownPalette))])))
		case 2:
			filter.Set(f+".v", pushdownPalette[r.IntN(len(pushdownPalette))])
		default:
			filter.Set(f, pushdownPalette[r.IntN(len(pushdownPalette))])
		}
	}

	if r.IntN(4) == 0 {
		filter.Set("_id", must.NotFail(docs[r.IntN(len(docs))].Get("_id")))
	}

	return filter
}

// matchingIDs returns the sorted _id of the documents of iter that match filter.
func matchingIDs(t *testing.T, iter types.DocumentsIterator, filter *types.Document) []string {
	t.Helper()

	defer iter.Close()

	var ids []string

	for {
		_, doc, err := iter.Next()
		if errors.Is(err, iterator.ErrIteratorDone) {
			break
		}

		require.NoError(t, err)

		ok, err := common.FilterDocument(doc, filter)
		require.NoError(t, err)

		if ok {
			ids = append(ids, types.FormatAnyValue(must.NotFail(doc.Get("_id"))))
		}
	}

	slices.Sort(ids)

	return ids
}

// TestPushdownUsesIndexes checks SQLite's plan: a filter with an indexed
// equality searches an index; one without scans.
func TestPushdownUsesIndexes(t *testing.T) {
	t.Parallel()

	ctx := testutil.Ctx(t)
	c := pushdownCollection(t, false)

	_, err := c.InsertAll(ctx, &backends.InsertAllParams{Docs: []*types.Document{
		must.NotFail(types.NewDocument("_id", "a", "s", "x", "n", int32(3), "c", "k", "free", "f")),
	}})
	require.NoError(t, err)

	in := must.NotFail(types.NewDocument("$in", must.NotFail(types.NewArray("x", "y"))))

	for name, tc := range map[string]struct {
		filter *types.Document
		index  string // "" for a scan
	}{
		"IDAlone":      {must.NotFail(types.NewDocument("_id", "a")), "_id_"},
		"IDAndVersion": {must.NotFail(types.NewDocument("_id", "a", "version", int64(4))), "_id_"},
		"IDObjectID":   {must.NotFail(types.NewDocument("_id", types.ObjectID{1})), "_id_"},
		"IDIn":         {must.NotFail(types.NewDocument("_id", in)), "_id_"},
		"String":       {must.NotFail(types.NewDocument("s", "x")), "s_1"},
		"StringIn":     {must.NotFail(types.NewDocument("s", in)), "s_1"},
		"Int":          {must.NotFail(types.NewDocument("n", int64(3))), "n_-1"},
		"Bool":         {must.NotFail(types.NewDocument("b", true)), "b_1"},
		"CompoundHead": {must.NotFail(types.NewDocument("c", "k")), "c_1_s_1"},
		"FreeAndIndex": {must.NotFail(types.NewDocument("free", "f", "s", "x")), "s_1"},
		"Free":         {must.NotFail(types.NewDocument("free", "f")), ""},
		"Zero":         {must.NotFail(types.NewDocument("n", int32(0))), ""},
		"Double":       {must.NotFail(types.NewDocument("n", 2.5)), ""},
		"Null":         {must.NotFail(types.NewDocument("s", types.Null)), ""},
		"Range":        {must.NotFail(types.NewDocument("n", must.NotFail(types.NewDocument("$gt", int32(1))))), ""},
		"Dotted":       {must.NotFail(types.NewDocument("s.v", "x")), ""},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()

			res, err := c.Explain(ctx, &backends.ExplainParams{Filter: tc.filter})
			require.NoError(t, err)

			plan := types.FormatAnyValue(must.NotFail(res.QueryPlanner.Get("Plan")))

			if tc.index == "" {
				assert.False(t, res.FilterPushdown, plan)
				assert.Contains(t, plan, "SCAN", plan)

				return
			}

			assert.True(t, res.FilterPushdown, plan)
			assert.NotContains(t, plan, "detail=SCAN", plan)
			assert.Contains(t, plan, "_"+tc.index+" (", plan)
		})
	}
}

// TestNoTableScan checks that a backend with NoTableScan refuses a filter no
// index serves, and serves an indexed one and the empty filter.
func TestNoTableScan(t *testing.T) {
	t.Parallel()

	ctx := testutil.Ctx(t)
	c := pushdownCollection(t, true)

	_, err := c.InsertAll(ctx, &backends.InsertAllParams{Docs: []*types.Document{
		must.NotFail(types.NewDocument("_id", "a", "s", "x", "free", "f")),
	}})
	require.NoError(t, err)

	for filter, want := range map[*types.Document]int{
		nil: 1,
		must.NotFail(types.NewDocument("s", "x", "free", "f")): 1,
		// an empty $in matches nothing: SQLite plans a scan it never runs
		must.NotFail(types.NewDocument("_id", must.NotFail(types.NewDocument("$in", types.MakeArray(0))))): 0,
	} {
		res, err := c.Query(ctx, &backends.QueryParams{Filter: filter})
		require.NoError(t, err)

		docs, err := iterator.ConsumeValues(res.Iter)
		require.NoError(t, err)
		assert.Len(t, docs, want)
	}

	_, err = c.Query(ctx, &backends.QueryParams{Filter: must.NotFail(types.NewDocument("free", "f"))})
	require.ErrorContains(t, err, `notablescan: no index serves the filter { free: "f" } on TestNoTableScan.TestNoTableScan`)
}
