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
	"encoding/hex"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/FerretDB/FerretDB/internal/types"
)

// unmarshalScalar decodes the common forms of scalar values directly, or returns
// false for the general decoder to handle the value (and to report its errors).
//
// Percorsi patch: the general decoder builds a json.Decoder for every value; with
// every query served by an index, that decoding was most of the embedded store's CPU.
// Only forms that the general decoder reads to the very same value are taken here:
// strings without escapes in valid UTF-8, integers, plain JSON numbers, booleans,
// dates (milliseconds, as time.UnixMilli) and ObjectIDs.
func unmarshalScalar(data []byte, t elemType) (any, bool) {
	switch t {
	case elemTypeString:
		return plainString(data)
	case elemTypeInt:
		if !jsonNumber(data, false) {
			return nil, false
		}

		i, err := strconv.ParseInt(string(data), 10, 32)

		return int32(i), err == nil
	case elemTypeLong, elemTypeDate:
		if !jsonNumber(data, false) {
			return nil, false
		}

		i, err := strconv.ParseInt(string(data), 10, 64)
		if err != nil {
			return nil, false
		}

		if t == elemTypeDate {
			return time.UnixMilli(i), true
		}

		return i, true
	case elemTypeDouble:
		if !jsonNumber(data, true) {
			return nil, false
		}

		f, err := strconv.ParseFloat(string(data), 64)

		return f, err == nil
	case elemTypeBool:
		switch string(data) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	case elemTypeObjectID:
		s, ok := plainString(data)
		if !ok || len(s.(string)) != 2*types.ObjectIDLen {
			return nil, false
		}

		var id types.ObjectID
		if _, err := hex.Decode(id[:], []byte(s.(string))); err != nil {
			return nil, false
		}

		return id, true
	}

	return nil, false
}

// plainString decodes a JSON string that has no escape and is valid UTF-8.
func plainString(data []byte) (any, bool) {
	if len(data) < 2 || data[0] != '"' || data[len(data)-1] != '"' {
		return nil, false
	}

	s := data[1 : len(data)-1]
	if bytes.IndexByte(s, '\\') >= 0 || bytes.IndexByte(s, '"') >= 0 || !utf8.Valid(s) {
		return nil, false
	}

	for _, c := range s {
		if c < 0x20 {
			return nil, false
		}
	}

	return string(s), true
}

// jsonNumber reports whether data is a JSON number: an optional minus, an integer
// part without leading zeros and, if fraction is set, an optional fraction and exponent.
func jsonNumber(data []byte, fraction bool) bool {
	i := 0
	if i < len(data) && data[i] == '-' {
		i++
	}

	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && data[i] >= '1' && data[i] <= '9':
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
	default:
		return false
	}

	if !fraction {
		return i == len(data)
	}

	if i < len(data) && data[i] == '.' {
		i++
		if i == len(data) || data[i] < '0' || data[i] > '9' {
			return false
		}

		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
	}

	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}

		if i == len(data) || data[i] < '0' || data[i] > '9' {
			return false
		}

		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
	}

	return i == len(data)
}
