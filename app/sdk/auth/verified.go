package auth

import (
	"crypto/sha256"
	"slices"
	"sync"
	"time"
)

// verifiedMax bounds the tokens remembered as verified.
const verifiedMax = 10_000

// verified remembers, by SHA-256, tokens that passed every check, so each
// is RSA-verified once rather than on every request; its expiry is checked
// on every use. The verifying keys change only with a restart, which
// empties it.
type verified struct {
	mu     sync.RWMutex
	tokens map[[sha256.Size]byte]Claims
}

// get returns the claims of token if it was verified and has not expired
// by now (with the parser's leeway).
func (v *verified) get(token string, now time.Time) (Claims, bool) {
	key := sha256.Sum256([]byte(token))
	v.mu.RLock()
	c, ok := v.tokens[key]
	v.mu.RUnlock()
	if !ok || c.ExpiresAt == nil || !now.Before(c.ExpiresAt.Add(Leeway)) {
		return Claims{}, false
	}
	// Callers may change what they get (the roles, from the database).
	c.Roles = slices.Clone(c.Roles)
	return c, true
}

func (v *verified) put(token string, c Claims) {
	key := sha256.Sum256([]byte(token))
	c.Roles = slices.Clone(c.Roles)
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.tokens) >= verifiedMax {
		// Rare, and cheaper than an LRU's bookkeeping: start over.
		clear(v.tokens)
	}
	v.tokens[key] = c
}
