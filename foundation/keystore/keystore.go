// Package keystore holds the RSA keys that sign and verify tokens, loaded
// from a folder of PEM files named <kid>.pem.
package keystore

import (
	"cmp"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// ErrKeyNotFound is returned, wrapped with the kid, for a kid the store lacks.
var ErrKeyNotFound = errors.New("key not found")

// ErrNoPrivateKey is returned, wrapped with the kid, when a kid was loaded
// from a public-key file: it can verify but not sign.
var ErrNoPrivateKey = errors.New("key has no private part")

// DefaultBits is the RSA key size Generate uses when asked for 0 bits.
const DefaultBits = 2048

const pemExt = ".pem"

// key is one entry of the store; private is nil for a public-only key.
type key struct {
	private *rsa.PrivateKey
	public  *rsa.PublicKey
	// made is when the key's file was last written (zero for a key
	// added in memory): it tells a new key from an old one.
	made time.Time
}

// KeyStore maps key IDs to RSA keys. It is safe for concurrent use.
type KeyStore struct {
	mu   sync.RWMutex
	keys map[string]key
	// dir is the folder LoadFolder read, for the errors that send a user
	// there; empty for a store built in memory.
	dir string
}

// New returns an empty KeyStore.
func New() *KeyStore {
	return &KeyStore{keys: make(map[string]key)}
}

// LoadFolder returns a KeyStore holding every <kid>.pem file in dir, other
// files and sub-folders ignored. A .pem file without an RSA key is an error
// naming it, so a broken key never silently drops out of rotation.
func LoadFolder(dir string) (*KeyStore, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read key folder: %w", err)
	}

	ks := New()
	ks.dir = dir
	for _, e := range entries {
		kid, isPEM := strings.CutSuffix(e.Name(), pemExt)
		if e.IsDir() || !isPEM {
			continue
		}

		path := filepath.Join(dir, e.Name())
		if kid == "" {
			return nil, fmt.Errorf("load key %s: file name gives an empty key ID", path)
		}

		k, err := readKey(path)
		if err != nil {
			return nil, fmt.Errorf("load key %s: %w", path, err)
		}
		if info, err := e.Info(); err == nil {
			k.made = info.ModTime()
		}
		ks.keys[kid] = k
	}

	return ks, nil
}

// readKey parses the first PEM block of the file at path.
func readKey(path string) (key, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return key{}, err
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return key{}, errors.New("no PEM block found")
	}

	var parsed any
	var format string
	switch block.Type {
	case "RSA PRIVATE KEY":
		format = "PKCS#1 private key"
		parsed, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		format = "PKCS#8 private key"
		parsed, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "PUBLIC KEY":
		format = "PKIX public key"
		parsed, err = x509.ParsePKIXPublicKey(block.Bytes)
	default:
		return key{}, fmt.Errorf("unsupported PEM block type %q", block.Type)
	}
	if err != nil {
		return key{}, fmt.Errorf("parse %s: %w", format, err)
	}
	switch k := parsed.(type) {
	case *rsa.PrivateKey:
		return key{private: k, public: &k.PublicKey}, nil
	case *rsa.PublicKey:
		return key{public: k}, nil
	}
	return key{}, fmt.Errorf("%s is %T, not RSA", format, parsed)
}

// Add stores key under kid, replacing any key already there.
func (ks *KeyStore) Add(kid string, pk *rsa.PrivateKey) {
	ks.mu.Lock()
	defer ks.mu.Unlock()

	ks.keys[kid] = key{private: pk, public: &pk.PublicKey}
}

// PrivateKey returns the signing key stored under kid, ErrKeyNotFound or
// ErrNoPrivateKey.
func (ks *KeyStore) PrivateKey(kid string) (*rsa.PrivateKey, error) {
	k, err := ks.get(kid)
	if err != nil {
		return nil, err
	}
	if k.private == nil {
		return nil, fmt.Errorf("%w: kid %q", ErrNoPrivateKey, kid)
	}
	return k.private, nil
}

// PublicKey returns the verifying key stored under kid, or ErrKeyNotFound.
func (ks *KeyStore) PublicKey(kid string) (*rsa.PublicKey, error) {
	k, err := ks.get(kid)
	return k.public, err
}

func (ks *KeyStore) get(kid string) (key, error) {
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	k, ok := ks.keys[kid]
	if !ok {
		return key{}, fmt.Errorf("%w: kid %q", ErrKeyNotFound, kid)
	}
	return k, nil
}

// KIDs returns the IDs of every stored key, sorted.
func (ks *KeyStore) KIDs() []string {
	ks.mu.RLock()
	defer ks.mu.RUnlock()

	return slices.Sorted(maps.Keys(ks.keys))
}

// Setting names, for Active's errors, what a user changes to pick the key
// that signs: the words of the program that loads the store.
type Setting struct {
	// ActiveKID is where the active kid is set (SALES_AUTH_ACTIVE_KID).
	ActiveKID string
	// Genkey is the command that makes a key (sales-admin genkey).
	Genkey string
}

// Active returns the kid that signs new tokens: want when it is set,
// which must be a key of the store with its private part, or else the
// only key of the store. With none, or several and no want, the error
// names the kids there are, newest first, and how to pick one: set the
// setting to a kid, or delete the files of the keys not wanted.
func (ks *KeyStore) Active(want string, set Setting) (string, error) {
	kids := ks.newestFirst()
	where := "the key store"
	if ks.dir != "" {
		where = ks.dir
	}
	if want != "" {
		if _, err := ks.PrivateKey(want); err != nil {
			if errors.Is(err, ErrKeyNotFound) {
				return "", fmt.Errorf("%s=%s: no such key in %s (it holds %s): %w", set.ActiveKID, want, where, ks.describe(kids), ErrKeyNotFound)
			}
			return "", fmt.Errorf("%s=%s: %w", set.ActiveKID, want, err)
		}
		return want, nil
	}
	switch len(kids) {
	case 0:
		return "", fmt.Errorf("no keys in %s: run '%s' to make one", where, set.Genkey)
	case 1:
		return kids[0], nil
	}
	var old []string
	for _, kid := range kids[1:] {
		old = append(old, ks.path(kid))
	}
	return "", fmt.Errorf("%s holds %d keys and %s is not set to the one that signs new tokens: %s. "+
		"Set %s=%s to sign with the newest (every key in the folder still verifies the tokens it signed), "+
		"or delete the files of the keys you no longer want (%s)",
		where, len(kids), set.ActiveKID, ks.describe(kids), set.ActiveKID, kids[0], strings.Join(old, ", "))
}

// newestFirst is the kids, the last written first; by kid when the
// store knows no times.
func (ks *KeyStore) newestFirst() []string {
	ks.mu.RLock()
	defer ks.mu.RUnlock()

	kids := slices.Sorted(maps.Keys(ks.keys))
	slices.SortStableFunc(kids, func(a, b string) int { return ks.keys[b].made.Compare(ks.keys[a].made) })
	return kids
}

// describe lists kids with the time each key's file was written.
func (ks *KeyStore) describe(kids []string) string {
	ks.mu.RLock()
	defer ks.mu.RUnlock()

	parts := make([]string, len(kids))
	for i, kid := range kids {
		parts[i] = kid
		if made := ks.keys[kid].made; !made.IsZero() {
			parts[i] += " (made " + made.UTC().Format("2006-01-02 15:04 UTC") + ")"
		}
	}
	return strings.Join(parts, ", ")
}

// path is the file of kid's key, or the kid alone for a store in memory.
func (ks *KeyStore) path(kid string) string {
	if ks.dir == "" {
		return kid
	}
	return filepath.Join(ks.dir, kid+pemExt)
}

// Generate creates an RSA key of bits bits (DefaultBits when 0) and writes
// it as PKCS#8 PEM to <dir>/<kid>.pem with mode 0600, creating dir with mode
// 0700 if missing. The kid is a new random UUID; it is returned.
func Generate(dir string, bits int) (string, error) {
	bits = cmp.Or(bits, DefaultBits)
	pk, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return "", fmt.Errorf("generate %d-bit RSA key: %w", bits, err)
	}

	der, err := x509.MarshalPKCS8PrivateKey(pk)
	if err != nil {
		return "", fmt.Errorf("marshal private key: %w", err)
	}

	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create key folder: %w", err)
	}

	kid := uuid.NewString()
	path := filepath.Join(dir, kid+pemExt)
	if err := writeNew(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})); err != nil {
		return "", fmt.Errorf("write key %s: %w", path, err)
	}

	return kid, nil
}

// writeNew writes data to a new file, so a key is never overwritten, and
// removes it if the write fails, so no truncated key is left to break LoadFolder.
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}

	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(path)
		return err
	}
	return nil
}
