package fieldcrypt_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"testing"

	"github.com/percorsi/percorsi/pkg/fieldcrypt"
)

func key(b byte) []byte { return bytes.Repeat([]byte{b}, fieldcrypt.KeySize) }

func TestSealOpen(t *testing.T) {
	t.Parallel()
	ring, err := fieldcrypt.NewKeyring("k1", map[string][]byte{"k1": key(1)})
	if err != nil {
		t.Fatal(err)
	}
	dk, wrapped, err := ring.NewDataKey("ps-1")
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := dk.Seal("legal_name", []byte("Joy Okafor"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("Joy")) {
		t.Fatal("plaintext visible in ciphertext")
	}
	again, err := ring.Unwrap(wrapped, "ps-1")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := again.Open("legal_name", sealed); err != nil || string(got) != "Joy Okafor" {
		t.Fatalf("open: %q %v", got, err)
	}

	tampered := append([]byte{}, sealed...)
	tampered[len(tampered)-1] ^= 1
	other, _, err := ring.NewDataKey("ps-2")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		key   *fieldcrypt.DataKey
		field string
		data  []byte
	}{
		{"another field", again, "birth_date", sealed},
		{"tampered", again, "legal_name", tampered},
		{"another person's key", other, "legal_name", sealed},
		{"too short", again, "legal_name", sealed[:5]},
	} {
		if _, err := tc.key.Open(tc.field, tc.data); !errors.Is(err, fieldcrypt.ErrOpen) {
			t.Errorf("%s: %v, want ErrOpen", tc.name, err)
		}
	}
	if _, err := ring.Unwrap(wrapped, "ps-2"); !errors.Is(err, fieldcrypt.ErrOpen) {
		t.Errorf("wrapped key moved to another person: %v", err)
	}
}

// A new master key wraps new data keys; old ids still unwrap, and Rewrap
// moves a data key under the new master without touching the fields.
func TestRotation(t *testing.T) {
	t.Parallel()
	old, err := fieldcrypt.NewKeyring("2025", map[string][]byte{"2025": key(1)})
	if err != nil {
		t.Fatal(err)
	}
	dk, wrapped, err := old.NewDataKey("ps-1")
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := dk.Seal("f", []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	spec := "2026:" + base64.StdEncoding.EncodeToString(key(2)) + ",2025:" + base64.StdEncoding.EncodeToString(key(1))
	ring, err := fieldcrypt.ParseKeyring(spec)
	if err != nil {
		t.Fatal(err)
	}
	if ring.Current() != "2026" {
		t.Fatalf("current %s", ring.Current())
	}
	moved, err := ring.Rewrap(wrapped, "ps-1")
	if err != nil || moved.KeyID != "2026" {
		t.Fatalf("rewrap: %+v %v", moved, err)
	}
	newOnly, err := fieldcrypt.NewKeyring("2026", map[string][]byte{"2026": key(2)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newOnly.Unwrap(wrapped, "ps-1"); !errors.Is(err, fieldcrypt.ErrUnknownKey) {
		t.Fatalf("retired key id: %v", err)
	}
	dk2, err := newOnly.Unwrap(moved, "ps-1")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := dk2.Open("f", sealed); err != nil || string(got) != "x" {
		t.Fatalf("after rotation: %q %v", got, err)
	}
}

func TestParseKeyringRefuses(t *testing.T) {
	t.Parallel()
	good := base64.StdEncoding.EncodeToString(key(1))
	for _, spec := range []string{
		"", "k1", "k1:notbase64!", "k1:" + base64.StdEncoding.EncodeToString([]byte("short")),
		"k1:" + good + ",k1:" + good, ":" + good,
	} {
		if _, err := fieldcrypt.ParseKeyring(spec); err == nil {
			t.Errorf("accepted %q", spec)
		}
	}
}
