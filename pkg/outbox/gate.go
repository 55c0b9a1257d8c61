package outbox

import (
	"fmt"
	"hash/maphash"
	"sync"
)

// Gate serialises, within one process, the writes to a document that
// carries an outbox: the service's own updates (outbox.Append) and the
// relay's clears. MongoDB applies an update to one document atomically, so
// there the gate only costs a lock; FerretDB v1, the embedded stack, reads,
// changes and writes back a document without isolation, so two updates of
// the same document racing can lose one of them, events included. Locks
// are striped: memory stays bounded whatever the number of documents.
type Gate struct {
	seed    maphash.Seed
	stripes [256]sync.Mutex
}

// NewGate returns a gate; share one per process between the stores and the
// relay.
func NewGate() *Gate { return &Gate{seed: maphash.MakeSeed()} }

// Lock locks the document id of collection and returns its unlock.
func (g *Gate) Lock(collection string, id any) (unlock func()) {
	mu := &g.stripes[maphash.String(g.seed, collection+"\x00"+fmt.Sprint(id))%uint64(len(g.stripes))]
	mu.Lock()
	return mu.Unlock
}
