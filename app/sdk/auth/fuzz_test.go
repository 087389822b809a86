package auth_test

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"strings"
	"testing"

	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/foundation/keystore"
)

// FuzzAuthenticate: any Authorization header is refused with
// ErrUnauthenticated and one of the messages a client is shown, never a
// panic; no forged text gets through.
func FuzzAuthenticate(f *testing.F) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		f.Fatal(err)
	}
	ks := keystore.New()
	ks.Add("kid1", key)
	a, err := auth.New(auth.Config{KeyLookup: ks, Issuer: "fuzz"})
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		"", "Bearer", "Bearer ", "Basic Ym9iOnNlY3JldA==", "bearer a.b.c",
		"Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
		"Bearer eyJhbGciOiJIUzI1NiIsImtpZCI6Ii4uLy4uL2V0Yy9wYXNzd2QifQ.e30.x",
	} {
		f.Add(seed)
	}
	shown := []error{auth.ErrNoToken, auth.ErrWrongScheme, auth.ErrInvalidToken}
	f.Fuzz(func(t *testing.T, header string) {
		_, err := a.Authenticate(t.Context(), header)
		if err == nil {
			t.Fatalf("%q was accepted", header)
		}
		if !errors.Is(err, auth.ErrUnauthenticated) {
			t.Fatalf("%q: %v does not wrap ErrUnauthenticated", header, err)
		}
		for _, e := range shown {
			if errors.Is(err, e) {
				if len(header) >= 16 && strings.Contains(e.Error(), header) {
					t.Fatalf("the message quotes the header")
				}
				return
			}
		}
		t.Fatalf("%q: %v is none of the messages a client is shown", header, err)
	})
}
