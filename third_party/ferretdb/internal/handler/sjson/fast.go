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

package sjson

import (
	"bytes"
	"strings"

	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// unmarshalFast decodes a document as Unmarshal does, scanning its JSON
// once, or returns false for Unmarshal to decode it (and to report its errors).
//
// Percorsi patch: Unmarshal decodes every object and array of a document into
// maps and slices of json.RawMessage through encoding/json, once per level of
// nesting, and its schema through reflection; with every query served by an
// index, that was most of the embedded store's CPU. This decoder takes the
// documents Marshal writes: schemas of objects, arrays and scalars (binData and
// regex elements, and anything unexpected, go to Unmarshal), each key once.
// Scalars are read by unmarshalScalar, or by the general decoder of their type.
func unmarshalFast(data []byte) (*types.Document, bool) {
	members, ok := membersOf(data)
	if !ok || len(members) == 0 || members[0].key != "$s" { // Marshal writes the schema first
		return nil, false
	}

	sch, ok := scanSchema(members[0].value)
	if !ok {
		return nil, false
	}

	return documentOf(members[1:], sch)
}

// member is a key of a JSON object and the JSON of its value.
type member struct {
	key   string
	value []byte
}

// membersOf returns the members of the JSON object data, in order.
func membersOf(data []byte) ([]member, bool) {
	var members []member

	ok := eachMember(data, func(key string, value []byte) bool {
		members = append(members, member{key, value})
		return true
	})

	return members, ok
}

// documentOf decodes members in the order and with the types of sch.
func documentOf(members []member, sch *schema) (*types.Document, bool) {
	if len(sch.Keys) != len(members) {
		return nil, false
	}

	d := must.NotFail(types.NewDocument())

	for i, key := range sch.Keys {
		// Marshal writes the members in the order of the keys; anything else goes to Unmarshal.
		if members[i].key != key || d.Has(key) {
			return nil, false
		}

		v, ok := valueOf(members[i].value, sch.Properties[key])
		if !ok {
			return nil, false
		}

		d.Set(key, v)
	}

	return d, true
}

// valueOf decodes the JSON of one value of type e.
func valueOf(data []byte, e *elem) (any, bool) {
	if bytes.Equal(data, []byte("null")) {
		return types.Null, true
	}

	if e == nil {
		return nil, false
	}

	switch e.Type {
	case elemTypeObject:
		if e.Schema == nil {
			return nil, false
		}

		members, ok := membersOf(data)
		if !ok {
			return nil, false
		}

		if len(members) == 0 {
			return new(types.Document), true
		}

		return documentOf(members, e.Schema)
	case elemTypeArray:
		if e.Items == nil {
			return nil, false
		}

		a := types.MakeArray(len(e.Items))
		i := 0

		ok := eachElement(data, func(value []byte) bool {
			if i == len(e.Items) {
				return false
			}

			v, ok := valueOf(value, e.Items[i])
			if !ok {
				return false
			}

			a.Append(v)
			i++

			return true
		})
		if !ok || i != len(e.Items) {
			return nil, false
		}

		return a, true
	}

	if v, ok := unmarshalScalar(data, e.Type); ok {
		return v, true
	}

	v, err := unmarshalSingleValue(data, e)

	return v, err == nil
}

// scanSchema decodes a schema: {"p": {key: elem, ...}, "$k": [key, ...]}.
func scanSchema(data []byte) (*schema, bool) {
	sch := &schema{Properties: map[string]*elem{}}

	var seenKeys bool

	ok := eachMember(data, func(key string, value []byte) bool {
		switch key {
		case "p":
			return eachMember(value, func(key string, value []byte) bool {
				e, ok := scanElem(value)
				sch.Properties[key] = e

				return ok
			})
		case "$k":
			seenKeys = true
			sch.Keys = []string{}

			return eachElement(value, func(value []byte) bool {
				k, ok := plainString(value)
				if ok {
					sch.Keys = append(sch.Keys, k.(string))
				}

				return ok
			})
		}

		return false
	})

	return sch, ok && seenKeys
}

// scanElem decodes an element of a schema: {"t": type} with "$s" for an
// object and "i" for an array.
func scanElem(data []byte) (*elem, bool) {
	e := new(elem)

	ok := eachMember(data, func(key string, value []byte) bool {
		switch key {
		case "t":
			t, ok := plainString(value)
			if ok {
				e.Type = elemType(t.(string))
			}

			return ok
		case "$s":
			sch, ok := scanSchema(value)
			e.Schema = sch

			return ok
		case "i":
			e.Items = []*elem{}

			return eachElement(value, func(value []byte) bool {
				item, ok := scanElem(value)
				e.Items = append(e.Items, item)

				return ok
			})
		}

		return false
	})

	return e, ok && e.Type != ""
}

// eachMember calls fn with each member of the JSON object data, in order; it
// returns false if data is not an object or fn returned false.
func eachMember(data []byte, fn func(key string, value []byte) bool) bool {
	i := skipSpace(data, 0)
	if i == len(data) || data[i] != '{' {
		return false
	}

	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return i+1 == len(data) // as the general decoder, nothing after it
	}

	for {
		end, ok := skipValue(data, i)
		if !ok {
			return false
		}

		key, ok := plainString(data[i:end])
		if !ok {
			return false
		}

		i = skipSpace(data, end)
		if i == len(data) || data[i] != ':' {
			return false
		}

		i = skipSpace(data, i+1)

		if end, ok = skipValue(data, i); !ok || !fn(key.(string), data[i:end]) {
			return false
		}

		i = skipSpace(data, end)
		if i == len(data) {
			return false
		}

		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return i+1 == len(data) // as the general decoder, nothing after it
		default:
			return false
		}
	}
}

// eachElement calls fn with each element of the JSON array data, in order; it
// returns false if data is not an array or fn returned false.
func eachElement(data []byte, fn func(value []byte) bool) bool {
	i := skipSpace(data, 0)
	if i == len(data) || data[i] != '[' {
		return false
	}

	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == ']' {
		return i+1 == len(data) // as the general decoder, nothing after it
	}

	for {
		end, ok := skipValue(data, i)
		if !ok || !fn(data[i:end]) {
			return false
		}

		i = skipSpace(data, end)
		if i == len(data) {
			return false
		}

		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case ']':
			return i+1 == len(data) // as the general decoder, nothing after it
		default:
			return false
		}
	}
}

// skipValue returns the end of the JSON value that starts at i. It checks the
// nesting and the strings' quotes only: what it takes is decoded later, by
// functions that check the rest.
func skipValue(data []byte, i int) (int, bool) {
	if i >= len(data) {
		return 0, false
	}

	switch data[i] {
	case '"':
		for j := i + 1; j < len(data); j++ {
			switch data[j] {
			case '\\':
				j++
			case '"':
				return j + 1, true
			}
		}

		return 0, false
	case '{', '[':
		depth := 0

		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				end, ok := skipValue(data, j)
				if !ok {
					return 0, false
				}

				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, true
				}
			}
		}

		return 0, false
	}

	j := i
	for j < len(data) && strings.IndexByte(",}] \t\r\n", data[j]) < 0 {
		j++
	}

	return j, j > i
}

// skipSpace returns the index of the first byte at or after i that is not JSON white space.
func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n') {
		i++
	}

	return i
}
