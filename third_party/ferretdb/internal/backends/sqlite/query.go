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

package sqlite

import (
	"fmt"
	"strings"

	"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
	"github.com/FerretDB/FerretDB/internal/handler/sjson"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// prepareSelectClause returns SELECT clause for default column of provided table name.
//
// For capped collection with onlyRecordIDs, it returns select clause for recordID column.
//
// For capped collection, it returns select clause for recordID column and default column.
func prepareSelectClause(table, comment string, capped, onlyRecordIDs bool) string {
	if comment != "" {
		comment = strings.ReplaceAll(comment, "/*", "/ *")
		comment = strings.ReplaceAll(comment, "*/", "* /")
		comment = `/* ` + comment + ` */`
	}

	if capped && onlyRecordIDs {
		return fmt.Sprintf(`SELECT %s %s FROM %q`, comment, metadata.RecordIDColumn, table)
	}

	if capped {
		return fmt.Sprintf(`SELECT %s %s, %s FROM %q`, comment, metadata.RecordIDColumn, metadata.DefaultColumn, table)
	}

	return fmt.Sprintf(`SELECT %s %s FROM %q`, comment, metadata.DefaultColumn, table)
}

// prepareOrderByClause returns ORDER BY clause for given sort document.
//
// The provided sort document should be already validated.
// Provided document should only contain a single value.
func prepareOrderByClause(sort *types.Document) string {
	if sort.Len() != 1 {
		return ""
	}

	v := must.NotFail(sort.Get("$natural"))
	var order string

	switch v.(int64) {
	case 1:
		// Ascending order
	case -1:
		order = " DESC"
	default:
		panic("not reachable")
	}

	return fmt.Sprintf(" ORDER BY %s%s", metadata.RecordIDColumn, order)
}

// prepareWhereClause returns the WHERE clause, and its arguments, that selects
// through indexes a superset of the documents matching filter, or an empty clause
// when no part of filter can be pushed down.
//
// Percorsi patch: stock pushed down only a filter that was exactly {_id: <string or ObjectID>},
// with an expression no index serves. Handlers apply the whole filter again in Go
// after the query, so the clause may select more documents than match, never fewer.
// Each top-level condition of the filter on a field that an index serves (_id, or the
// first key of any index), an equality {f: v} or {f: {$in: [v, ...]}}, becomes one
// condition on that index, when every v is a value whose equals are all stored as v's
// own JSON (see pushdownArg).
//
// A field other than _id may hold an array, which matches when one of its elements is
// equal, so such a condition also selects every array (JSON text from "[" up to, not
// including, "\", the next byte), through the same index.
func prepareWhereClause(meta *metadata.Collection, filter *types.Document) (string, []any) {
	var conds []string
	var args []any

	values := filter.Values()

	for i, k := range filter.Keys() {
		if strings.ContainsAny(k, ".$") || !indexed(meta, k) {
			continue
		}

		in, ok := pushdownArgs(values[i])
		if !ok {
			continue
		}

		expr := metadata.FieldExpression(k)

		cond := expr + " = ?"
		if len(in) != 1 {
			cond = expr + " IN (" + strings.TrimPrefix(strings.Repeat(", ?", len(in)), ", ") + ")"
		}

		if k != "_id" { // _id is never an array
			cond = fmt.Sprintf("(%s OR (%[2]s >= '[' AND %[2]s < '\\'))", cond, expr)
		}

		conds = append(conds, cond)
		args = append(args, in...)
	}

	if len(conds) == 0 {
		return "", nil
	}

	return " WHERE " + strings.Join(conds, " AND "), args
}

// pushdownArgs returns the query arguments of a filter's condition on a field:
// one for a plain value, one per element for {$in: [...]} (none for an empty one,
// which matches nothing), or false when one of them cannot be pushed down.
func pushdownArgs(v any) ([]any, bool) {
	d, ok := v.(*types.Document)
	if !ok {
		arg, ok := pushdownArg(v)
		return []any{arg}, ok
	}

	if d.Len() != 1 {
		return nil, false
	}

	in, _ := d.Get("$in")

	elems, ok := in.(*types.Array)
	if !ok {
		return nil, false
	}

	args := make([]any, elems.Len())

	for i := range args {
		if args[i], ok = pushdownArg(must.NotFail(elems.Get(i))); !ok {
			return nil, false
		}
	}

	return args, true
}

// pushdownArg returns the JSON of v as SQLite stores every value equal to v,
// or false when some equal values may be stored otherwise:
//   - strings, ObjectIDs and booleans are written by the same encoder as the query's value;
//   - an integer is written as its decimal digits, and so is a double of the same value
//     when it is an integer within ±2^53, so int32, int64 and double match alike;
//     0 is left to Go (-0.0 is written "-0"), as are integers beyond 2^53, doubles
//     (written differently by magnitude), null (it also matches a missing field),
//     documents (operators and embedded documents), regular expressions and the rest.
func pushdownArg(v any) (string, bool) {
	switch v := v.(type) {
	case string, types.ObjectID, bool:
	case int32:
		if v == 0 {
			return "", false
		}
	case int64:
		if v == 0 || v > 1<<53 || v < -(1<<53) {
			return "", false
		}
	default:
		return "", false
	}

	return string(must.NotFail(sjson.MarshalSingleValue(v))), true
}

// indexed reports whether field is _id or the first key of one of the collection's indexes.
func indexed(meta *metadata.Collection, field string) bool {
	if field == "_id" {
		return true
	}

	for _, index := range meta.Settings.Indexes {
		if len(index.Key) > 0 && index.Key[0].Field == field {
			return true
		}
	}

	return false
}
