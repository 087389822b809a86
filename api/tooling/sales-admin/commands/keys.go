package commands

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/business/types/role"
	"github.com/garagesale/service/foundation/keystore"
	"github.com/google/uuid"
)

var genkeyCmd = Command{
	Name:  "genkey",
	Short: "create a new RSA signing key in the keys folder",
	Usage: `Usage: sales-admin genkey

Creates a 2048-bit RSA key as <kid>.pem in SALES_AUTH_KEYS_FOLDER and prints
its kid. Existing keys keep verifying the tokens they signed. On stderr it
says which key now signs new tokens (SALES_AUTH_ACTIVE_KID, or the only key
in the folder when that is not set) and how to pick another.`,
	Run: func(ctx context.Context, env Env, args []string) error {
		if err := noArgs("genkey", args); err != nil {
			return err
		}
		kid, err := keystore.Generate(env.KeysFolder, 0)
		if err != nil {
			return err
		}
		fmt.Fprintln(env.Out, kid)
		if env.Err != nil {
			ks, err := keystore.LoadFolder(env.KeysFolder)
			if err != nil {
				return err
			}
			fmt.Fprintln(env.Err, signingNote(ks, env, kid))
		}
		return nil
	},
}

// keySetting is how sales-api and sales-admin pick the key that signs.
var keySetting = keystore.Setting{ActiveKID: "SALES_AUTH_ACTIVE_KID", Genkey: "sales-admin genkey"}

// signingNote tells, after genkey made the key kid, which key signs new
// tokens now and how to pick another: a second key in the folder stops
// sales-api and gentoken until one is picked.
func signingNote(ks *keystore.KeyStore, env Env, kid string) string {
	made := fmt.Sprintf("made key %s (%s)", kid, filepath.Join(env.KeysFolder, kid+".pem"))
	kids := ks.KIDs()
	if env.ActiveKID != "" {
		if _, err := ks.Active(env.ActiveKID, keySetting); err != nil {
			return fmt.Sprintf("%s; but %v", made, err)
		}
		return fmt.Sprintf("%s; %s=%s still signs new tokens: set %s=%s to sign with the new key (the others keep verifying the tokens they signed)",
			made, keySetting.ActiveKID, env.ActiveKID, keySetting.ActiveKID, kid)
	}
	if len(kids) == 1 {
		return fmt.Sprintf("%s: the only key in %s, so it signs new tokens (with %s not set, the only key signs)",
			made, env.KeysFolder, keySetting.ActiveKID)
	}
	var old []string
	for _, k := range kids {
		if k != kid {
			old = append(old, filepath.Join(env.KeysFolder, k+".pem"))
		}
	}
	return fmt.Sprintf("%s: %s now holds %d keys (%s), and with %s not set sales-api and gentoken refuse to start until you pick the one that signs new tokens:\n"+
		"  export %s=%s   to sign with the new key (every key in the folder still verifies the tokens it signed)\n"+
		"  rm %s   or drop the old keys instead (the tokens they signed stop verifying)",
		made, env.KeysFolder, len(kids), strings.Join(kids, ", "), keySetting.ActiveKID,
		keySetting.ActiveKID, kid, strings.Join(old, " "))
}

var gentokenCmd = Command{
	Name:  "gentoken",
	Short: "sign a token for a user: gentoken <user-id> [kid]",
	Usage: `Usage: sales-admin gentoken <user-id> [kid]

Prints a token for the user with that ID, with the roles the user has now,
valid for SALES_AUTH_TOKEN_TTL. kid defaults to the active key
(SALES_AUTH_ACTIVE_KID, or the only key in the folder).`,
	Run: func(ctx context.Context, env Env, args []string) error {
		if len(args) < 1 || len(args) > 2 {
			return errors.New("usage: gentoken <user-id> [kid]")
		}
		userID, err := uuid.Parse(args[0])
		if err != nil {
			return fmt.Errorf("user id %q is not a UUID", args[0])
		}
		if env.TokenTTL <= 0 {
			// Signed, it would be expired before it is printed.
			return fmt.Errorf("SALES_AUTH_TOKEN_TTL (--auth-token-ttl) is %s: a token's lifetime must be more than zero", env.TokenTTL)
		}

		ks, err := keystore.LoadFolder(env.KeysFolder)
		if err != nil {
			return err
		}
		var kid string
		if len(args) == 2 {
			kid = args[1]
		} else if kid, err = ks.Active(env.ActiveKID, keySetting); err != nil {
			return fmt.Errorf("%w (or name the kid: gentoken <user-id> <kid>)", err)
		}

		db, err := openDB(ctx, env)
		if err != nil {
			return err
		}
		defer db.Close()

		users := userBusiness(db)
		usr, err := users.QueryByID(ctx, userID)
		if err != nil {
			return err
		}
		if !usr.Enabled {
			return fmt.Errorf("user %s is disabled", userID)
		}

		a, err := auth.New(auth.Config{KeyLookup: ks, Issuer: env.Issuer})
		if err != nil {
			return err
		}
		claims := auth.NewClaims(usr.ID, role.Strings(usr.Roles), time.Now(), env.TokenTTL)
		claims.Version = usr.TokenVersion
		tkn, err := a.GenerateToken(kid, claims)
		if err != nil {
			return err
		}
		fmt.Fprintln(env.Out, tkn)
		return nil
	},
}
