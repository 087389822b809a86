package keystore_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/garagesale/service/foundation/keystore"
	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
)

// writePEM writes one PEM block to dir/name.
func writePEM(t *testing.T, dir, name, blockType string, der []byte) {
	t.Helper()
	data := pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der})
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func newRSAKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	pk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return pk
}

func TestLoadFolder(t *testing.T) {
	dir := t.TempDir()

	kid1, err := keystore.Generate(dir, 0)
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	kid2, err := keystore.Generate(dir, 0)
	if err != nil {
		t.Fatalf("generate: %v", err)
	}

	pkcs1 := newRSAKey(t)
	writePEM(t, dir, "pkcs1.pem", "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(pkcs1))

	pubOnly := newRSAKey(t)
	pubDER, err := x509.MarshalPKIXPublicKey(&pubOnly.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	writePEM(t, dir, "public.pem", "PUBLIC KEY", pubDER)

	// Neither a non-.pem file nor a folder named like a key may be read.
	if err := os.WriteFile(filepath.Join(dir, "README.txt"), []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "folder.pem"), 0o700); err != nil {
		t.Fatal(err)
	}

	ks, err := keystore.LoadFolder(dir)
	if err != nil {
		t.Fatalf("load folder: %v", err)
	}

	want := []string{kid1, kid2, "pkcs1", "public"}
	slices.Sort(want)
	if diff := cmp.Diff(want, ks.KIDs()); diff != "" {
		t.Fatalf("KIDs mismatch (-want +got):\n%s", diff)
	}

	t.Run("private keys sign and match their public keys", func(t *testing.T) {
		for _, kid := range []string{kid1, kid2, "pkcs1"} {
			priv, err := ks.PrivateKey(kid)
			if err != nil {
				t.Fatalf("private key %s: %v", kid, err)
			}
			pub, err := ks.PublicKey(kid)
			if err != nil {
				t.Fatalf("public key %s: %v", kid, err)
			}
			if !priv.PublicKey.Equal(pub) {
				t.Errorf("kid %s: public key does not belong to the private key", kid)
			}
		}

		got, err := ks.PrivateKey("pkcs1")
		if err != nil {
			t.Fatal(err)
		}
		if !got.Equal(pkcs1) {
			t.Error("pkcs1: loaded key differs from the key written")
		}
	})

	t.Run("public-only key verifies but cannot sign", func(t *testing.T) {
		pub, err := ks.PublicKey("public")
		if err != nil {
			t.Fatalf("public key: %v", err)
		}
		if !pub.Equal(&pubOnly.PublicKey) {
			t.Error("loaded public key differs from the key written")
		}

		_, err = ks.PrivateKey("public")
		if !errors.Is(err, keystore.ErrNoPrivateKey) {
			t.Errorf("private key of public-only kid: got %v, want ErrNoPrivateKey", err)
		}
	})
}

func TestLoadFolderBrokenKey(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKCS8PrivateKey(ec)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		write func(t *testing.T, dir string)
		want  string
	}{
		{
			name: "garbage",
			write: func(t *testing.T, dir string) {
				if err := os.WriteFile(filepath.Join(dir, "bad.pem"), []byte("garbage"), 0o600); err != nil {
					t.Fatal(err)
				}
			},
			want: "no PEM block",
		},
		{
			name: "corrupt DER",
			write: func(t *testing.T, dir string) {
				writePEM(t, dir, "bad.pem", "PRIVATE KEY", []byte("not DER"))
			},
			want: "parse PKCS#8",
		},
		{
			name: "unsupported block type",
			write: func(t *testing.T, dir string) {
				writePEM(t, dir, "bad.pem", "CERTIFICATE", []byte("x"))
			},
			want: "unsupported PEM block",
		},
		{
			name: "not RSA",
			write: func(t *testing.T, dir string) {
				writePEM(t, dir, "bad.pem", "PRIVATE KEY", ecDER)
			},
			want: "not RSA",
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := keystore.Generate(dir, 0); err != nil {
				t.Fatal(err)
			}
			tt.write(t, dir)

			ks, err := keystore.LoadFolder(dir)
			if err == nil {
				t.Fatalf("got store with %v, want error", ks.KIDs())
			}
			if msg := err.Error(); !strings.Contains(msg, filepath.Join(dir, "bad.pem")) || !strings.Contains(msg, tt.want) {
				t.Errorf("error %q should name the file and contain %q", msg, tt.want)
			}
		})
	}
}

func TestLoadFolderMissing(t *testing.T) {
	_, err := keystore.LoadFolder(filepath.Join(t.TempDir(), "absent"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %v, want os.ErrNotExist", err)
	}
}

func TestUnknownKID(t *testing.T) {
	ks := keystore.New()
	ks.Add("known", newRSAKey(t))

	if _, err := ks.PrivateKey("unknown"); !errors.Is(err, keystore.ErrKeyNotFound) || !strings.Contains(err.Error(), "unknown") {
		t.Errorf("private key: got %v, want ErrKeyNotFound naming the kid", err)
	}
	if _, err := ks.PublicKey("unknown"); !errors.Is(err, keystore.ErrKeyNotFound) || !strings.Contains(err.Error(), "unknown") {
		t.Errorf("public key: got %v, want ErrKeyNotFound naming the kid", err)
	}
}

func TestGenerate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")

	kid, err := keystore.Generate(dir, 0)
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	if _, err := uuid.Parse(kid); err != nil {
		t.Errorf("kid %q is not a UUID: %v", kid, err)
	}

	dirInfo, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	fileInfo, err := os.Stat(filepath.Join(dir, kid+".pem"))
	if err != nil {
		t.Fatal(err)
	}
	gotModes := []os.FileMode{dirInfo.Mode().Perm(), fileInfo.Mode().Perm()}
	if diff := cmp.Diff([]os.FileMode{0o700, 0o600}, gotModes); diff != "" {
		t.Errorf("folder and file modes (-want +got):\n%s", diff)
	}

	data, err := os.ReadFile(filepath.Join(dir, kid+".pem"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		t.Fatalf("file is not a PKCS#8 PEM block: %q", data)
	}

	ks, err := keystore.LoadFolder(dir)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	pk, err := ks.PrivateKey(kid)
	if err != nil {
		t.Fatalf("private key: %v", err)
	}
	if got := pk.N.BitLen(); got != keystore.DefaultBits {
		t.Errorf("key size: got %d bits, want %d", got, keystore.DefaultBits)
	}
}

func TestConcurrentAddAndRead(t *testing.T) {
	ks := keystore.New()
	pk := newRSAKey(t)

	kids := make([]string, 20)
	for i := range kids {
		kids[i] = uuid.NewString()
	}

	// Run with -race: writers and readers share the map.
	var wg sync.WaitGroup
	for _, kid := range kids {
		wg.Go(func() { ks.Add(kid, pk) })
		wg.Go(func() {
			ks.PublicKey(kid)
			ks.KIDs()
		})
	}
	wg.Wait()

	slices.Sort(kids)
	if diff := cmp.Diff(kids, ks.KIDs()); diff != "" {
		t.Errorf("KIDs after concurrent adds (-want +got):\n%s", diff)
	}
}

// TestActive: the key that signs is the one named, or the only one; with
// several and none named, or a name that is no key, the error names the
// kids found, newest first, and the ways to pick one.
func TestActive(t *testing.T) {
	set := keystore.Setting{ActiveKID: "APP_ACTIVE_KID", Genkey: "app genkey"}
	made := func(day int) time.Time { return time.Date(2026, 11, day, 9, 30, 0, 0, time.UTC) }
	tests := []struct {
		name    string
		keys    map[string]time.Time // kid: when its file was written
		public  string               // a kid whose file holds only the public key
		want    string
		wantKID string
		wantErr string
	}{
		{name: "the only key signs", keys: map[string]time.Time{"a": made(1)}, wantKID: "a"},
		{name: "the key named signs", keys: map[string]time.Time{"a": made(1), "b": made(2)}, want: "a", wantKID: "a"},
		{
			name: "no keys", keys: map[string]time.Time{},
			wantErr: "no keys in DIR: run 'app genkey' to make one",
		},
		{
			name: "several keys and none named", keys: map[string]time.Time{"a": made(1), "c": made(3), "b": made(2)},
			wantErr: "DIR holds 3 keys and APP_ACTIVE_KID is not set to the one that signs new tokens: " +
				"c (made 2026-11-03 09:30 UTC), b (made 2026-11-02 09:30 UTC), a (made 2026-11-01 09:30 UTC). " +
				"Set APP_ACTIVE_KID=c to sign with the newest (every key in the folder still verifies the tokens it signed), " +
				"or delete the files of the keys you no longer want (DIR/b.pem, DIR/a.pem)",
		},
		{
			name: "a kid that is no key", keys: map[string]time.Time{"a": made(1), "b": made(2)}, want: "x",
			wantErr: "APP_ACTIVE_KID=x: no such key in DIR (it holds b (made 2026-11-02 09:30 UTC), a (made 2026-11-01 09:30 UTC)): key not found",
		},
		{
			name: "a public key cannot sign", keys: map[string]time.Time{"a": made(1)}, public: "p", want: "p",
			wantErr: `APP_ACTIVE_KID=p: key has no private part: kid "p"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for kid, at := range tt.keys {
				writePEM(t, dir, kid+".pem", "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(newRSAKey(t)))
				if err := os.Chtimes(filepath.Join(dir, kid+".pem"), at, at); err != nil {
					t.Fatal(err)
				}
			}
			if tt.public != "" {
				der, err := x509.MarshalPKIXPublicKey(&newRSAKey(t).PublicKey)
				if err != nil {
					t.Fatal(err)
				}
				writePEM(t, dir, tt.public+".pem", "PUBLIC KEY", der)
			}
			ks, err := keystore.LoadFolder(dir)
			if err != nil {
				t.Fatal(err)
			}
			kid, err := ks.Active(tt.want, set)
			gotErr := ""
			if err != nil {
				gotErr = strings.ReplaceAll(err.Error(), dir, "DIR")
			}
			if diff := cmp.Diff([]string{tt.wantKID, tt.wantErr}, []string{kid, gotErr}); diff != "" {
				t.Errorf("kid and error (-want +got):\n%s", diff)
			}
		})
	}
}
