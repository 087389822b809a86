package commands

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/types/role"
)

var usersCmd = Command{
	Name:  "users",
	Short: "list users: users [page] [rows]",
	Usage: `Usage: sales-admin users [page] [rows]

Lists users ordered by email, 50 to a page unless rows says otherwise
(at most 100).`,
	Run: func(ctx context.Context, env Env, args []string) error {
		if len(args) > 2 {
			return fmt.Errorf("usage: users [page] [rows]")
		}
		pageStr, rowsStr := "1", "50"
		if len(args) > 0 {
			pageStr = args[0]
		}
		if len(args) > 1 {
			rowsStr = args[1]
		}
		pg, err := page.Parse(pageStr, rowsStr)
		if err != nil {
			return err
		}

		db, err := openDB(ctx, env)
		if err != nil {
			return err
		}
		defer db.Close()

		bus := userBusiness(db)
		users, err := bus.Query(ctx, userbus.QueryFilter{}, userbus.DefaultOrderBy, pg)
		if err != nil {
			return err
		}
		total, err := bus.Count(ctx, userbus.QueryFilter{})
		if err != nil {
			return err
		}

		w := tabwriter.NewWriter(env.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tEMAIL\tNAME\tROLES\tENABLED")
		for _, u := range users {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%t\n", u.ID, u.Email, u.Name, role.Join(u.Roles, ","), u.Enabled)
		}
		if err := w.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(env.Out, "page %d: %d of %d users\n", pg.Number(), len(users), total)
		return nil
	},
}
