package userdb

import (
	"context"
	"strings"
	"testing"

	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/types/email"
)

// TestAddressesAreOneInAnyCase: the database tells addresses apart as
// email.Key does (the throttles count logins to an address by it), and a
// lookup by address, the login's and the list filter's, reads the unique
// index rather than the table.
func TestAddressesAreOneInAnyCase(t *testing.T) {
	db := dbtest.New(t, "userdb_email")
	ctx := context.Background()
	for _, s := range []string{"σοφίας@example.gr", "ΣΟΦΊΑΣ@EXAMPLE.GR", "ſam@example.com", "MICRO\u00b5@example.com",
		"\u1c80\u1c88@example.ru", "ärger@example.de", "ÄRGER@example.de", "Bob@Example.com", "ınci@example.tr", "İNCİ@example.tr", "ΟΔΟΣ.ΣΟΦΊΑΣ@example.gr"} {
		addr, err := email.Load(s)
		if err != nil {
			t.Fatal(err)
		}
		// In the database's locale, and in ICU's, whose lower() closes a
		// word with ς and dots the i of İ.
		for _, collate := range []string{"", ` COLLATE "und-x-icu"`} {
			var folded string
			if err := db.DB.GetContext(ctx, &folded, `SELECT email_fold($1`+collate+`)`, s); err != nil {
				t.Fatal(err)
			}
			if folded != addr.Key() {
				t.Errorf("%s%s: email_fold %q, email.Key %q", s, collate, folded, addr.Key())
			}
		}
	}

	dbtest.Grow(t, db.DB, 5000, map[string]map[string]string{
		"users": {"user_id": "gen_random_uuid()", "email": "'u' || i || '.' || r.email"},
	})
	addr, err := email.Load("U7.ADMIN@example.com")
	if err != nil {
		t.Fatal(err)
	}
	dbtest.CheckFilterPlans(t, db.DB, "users", map[string]dbtest.PageQuery{
		"email": func(pg page.Page) (string, map[string]any, error) {
			return selectUsers(userbus.QueryFilter{Email: &addr}, order.NewBy(userbus.OrderByID, order.ASC)).Statement(pg)
		},
	})
	if plan := dbtest.Plan(t, db.DB, `SELECT `+columns+` FROM users WHERE email_fold(email) = email_fold(:email)`,
		map[string]any{"email": addr.String()}); !strings.Contains(plan, "users_email_key") {
		t.Errorf("a login's lookup by address does not read users_email_key:\n%s", plan)
	}
}
