// Package fieldcrypt encrypts personal data field by field with envelope
// encryption: every person has their own data key (AES-256-GCM), stored
// wrapped by a master key from configuration. Destroying a person's wrapped
// key makes every field ever sealed with it unreadable at once, wherever a
// copy lies (crypto-shredding). Master keys carry an id, so a new one can
// wrap new data keys while older ids still unwrap, until Rewrap moves them.
package fieldcrypt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the size of master and data keys: AES-256.
const KeySize = 32

var (
	// ErrUnknownKey is returned for data wrapped by a master key id the
	// keyring does not hold.
	ErrUnknownKey = errors.New("fieldcrypt: unknown master key id")
	// ErrOpen is returned when a ciphertext fails authentication: wrong
	// key, wrong field, or tampered bytes.
	ErrOpen = errors.New("fieldcrypt: ciphertext does not open")
)

// Keyring holds the master keys by id; Current wraps new data keys.
type Keyring struct {
	current string
	keys    map[string]cipher.AEAD
}

// NewKeyring returns a keyring whose current key is current; every key must
// be KeySize bytes.
func NewKeyring(current string, keys map[string][]byte) (*Keyring, error) {
	if _, ok := keys[current]; !ok {
		return nil, fmt.Errorf("fieldcrypt: current master key %q is not among the keys", current)
	}
	k := &Keyring{current: current, keys: make(map[string]cipher.AEAD, len(keys))}
	for id, key := range keys {
		if id == "" || strings.ContainsAny(id, ":,") {
			return nil, fmt.Errorf("fieldcrypt: master key id %q must be non-empty without ':' or ','", id)
		}
		aead, err := newAEAD(key)
		if err != nil {
			return nil, fmt.Errorf("fieldcrypt: master key %q: %w", id, err)
		}
		k.keys[id] = aead
	}
	return k, nil
}

// ParseKeyring reads "id:base64key[,id:base64key...]", the form kept in
// configuration; the first key is the current one.
func ParseKeyring(spec string) (*Keyring, error) {
	keys := map[string][]byte{}
	var current string
	for i, part := range strings.Split(spec, ",") {
		id, b64, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok {
			return nil, fmt.Errorf("fieldcrypt: master key %d is not id:base64", i+1)
		}
		key, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return nil, fmt.Errorf("fieldcrypt: master key %q is not base64: %w", id, err)
		}
		if _, dup := keys[id]; dup {
			return nil, fmt.Errorf("fieldcrypt: master key %q given twice", id)
		}
		keys[id] = key
		if i == 0 {
			current = id
		}
	}
	return NewKeyring(current, keys)
}

// Current is the id of the master key that wraps new data keys.
func (k *Keyring) Current() string { return k.current }

// Wrapped is a data key as stored: sealed by the master key KeyID.
type Wrapped struct {
	KeyID string
	Key   []byte
}

// NewDataKey returns a fresh data key and its wrapped form. owner (e.g. the
// person's pseudonym) is bound to the wrapping, so a wrapped key copied onto
// another person does not open.
func (k *Keyring) NewDataKey(owner string) (*DataKey, Wrapped, error) {
	raw := make([]byte, KeySize)
	if _, err := rand.Read(raw); err != nil {
		return nil, Wrapped{}, fmt.Errorf("fieldcrypt: new data key: %w", err)
	}
	dk, err := dataKey(raw)
	if err != nil {
		return nil, Wrapped{}, err
	}
	sealed, err := seal(k.keys[k.current], raw, owner)
	if err != nil {
		return nil, Wrapped{}, err
	}
	return dk, Wrapped{KeyID: k.current, Key: sealed}, nil
}

// Unwrap opens a wrapped data key of owner.
func (k *Keyring) Unwrap(w Wrapped, owner string) (*DataKey, error) {
	raw, err := k.unwrap(w, owner)
	if err != nil {
		return nil, err
	}
	return dataKey(raw)
}

// Rewrap wraps w again under the current master key (key rotation); the data
// key itself, and so every field sealed with it, is unchanged.
func (k *Keyring) Rewrap(w Wrapped, owner string) (Wrapped, error) {
	raw, err := k.unwrap(w, owner)
	if err != nil {
		return Wrapped{}, err
	}
	sealed, err := seal(k.keys[k.current], raw, owner)
	if err != nil {
		return Wrapped{}, err
	}
	return Wrapped{KeyID: k.current, Key: sealed}, nil
}

func (k *Keyring) unwrap(w Wrapped, owner string) ([]byte, error) {
	aead, ok := k.keys[w.KeyID]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownKey, w.KeyID)
	}
	return open(aead, w.Key, owner)
}

// DataKey seals and opens one person's fields.
type DataKey struct{ aead cipher.AEAD }

func dataKey(raw []byte) (*DataKey, error) {
	aead, err := newAEAD(raw)
	if err != nil {
		return nil, fmt.Errorf("fieldcrypt: data key: %w", err)
	}
	return &DataKey{aead}, nil
}

// Seal encrypts plaintext for field. The field name is authenticated, so a
// ciphertext moved to another field does not open.
func (d *DataKey) Seal(field string, plaintext []byte) ([]byte, error) {
	return seal(d.aead, plaintext, field)
}

// Open decrypts what Seal sealed for field; ErrOpen if it does not belong.
func (d *DataKey) Open(field string, sealed []byte) ([]byte, error) {
	return open(d.aead, sealed, field)
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// seal returns nonce || ciphertext. Nonces are random: 96 bits are safe for
// the few messages one key ever seals.
func seal(aead cipher.AEAD, plaintext []byte, aad string) ([]byte, error) {
	out := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(out); err != nil {
		return nil, fmt.Errorf("fieldcrypt: nonce: %w", err)
	}
	return aead.Seal(out, out, plaintext, []byte(aad)), nil
}

func open(aead cipher.AEAD, sealed []byte, aad string) ([]byte, error) {
	n := aead.NonceSize()
	if len(sealed) < n+aead.Overhead() {
		return nil, ErrOpen
	}
	plain, err := aead.Open(nil, sealed[:n], sealed[n:], []byte(aad))
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}
