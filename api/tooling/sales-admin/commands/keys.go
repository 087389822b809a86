package commands

import (
	"context"
	"errors"
	"fmt"
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
its kid. Existing keys keep verifying the tokens they signed.`,
	Run: func(ctx context.Context, env Env, args []string) error {
		if err := noArgs("genkey", args); err != nil {
			return err
		}
		kid, err := keystore.Generate(env.KeysFolder, 0)
		if err != nil {
			return err
		}
		fmt.Fprintln(env.Out, kid)
		return nil
	},
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

		ks, err := keystore.LoadFolder(env.KeysFolder)
		if err != nil {
			return err
		}
		kid := env.ActiveKID
		if len(args) == 2 {
			kid = args[1]
		}
		if kid == "" {
			kids := ks.KIDs()
			if len(kids) != 1 {
				return fmt.Errorf("%d keys in %s: name the kid", len(kids), env.KeysFolder)
			}
			kid = kids[0]
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
