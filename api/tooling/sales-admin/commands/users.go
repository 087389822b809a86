package commands

import (
	"bufio"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/types/email"
	"github.com/garagesale/service/business/types/name"
	"github.com/garagesale/service/business/types/password"
	"github.com/garagesale/service/business/types/role"
	"github.com/google/uuid"
	"golang.org/x/term"
)

var usersCmd = Command{
	Name:  "users",
	Short: "list, add, promote or disable users: users [list] [page] [rows] | users add ... | users promote EMAIL | users disable EMAIL | users canonical",
	Usage: `Usage:
  sales-admin users [list] [page] [rows]
  sales-admin users [list] --cursor NEXT [rows]
  sales-admin users add --email EMAIL --name NAME [--role USER|ADMIN] [--department DEPT] < password
  sales-admin users promote EMAIL
  sales-admin users disable EMAIL
  sales-admin users canonical

list     lists users ordered by email, 50 to a page unless rows says
         otherwise (at most 100); page numbers reach the 10,000th user,
         and --cursor goes on from a page's end, as each full page's
         last line says.
add      creates a user; the password is the first line of standard input
         (so it shows neither in the shell's history nor in ps), asked
         for twice without echo when standard input is a terminal:
             printf '%s\n' "$PASSWORD" | sales-admin users add --email ada@example.com --name Ada --role ADMIN
         This is how the first ADMIN of a production database is made.
promote  makes an existing user an enabled ADMIN: the way back in when no
         admin can log in.
disable  disables a user: their tokens stop working on every replica at
         once and they cannot log in, until an ADMIN enables them. The
         way to stop an account when the API is out of reach (an
         ADMIN's token lost, the service flooded). The last enabled
         ADMIN cannot be disabled.
canonical
         rewrites every address stored in another form than the one the
         API now keeps (decomposed accents, full-width letters, an xn--
         domain) into it, so that its owner logs in and no lookalike can
         be made beside it; says which cannot be (an invisible character,
         mixed scripts: those cannot log in until an ADMIN gives them
         another address; another account already in that form). Run once after an upgrade
         from a kit older than that rule; again, it changes nothing.`,
	Run: func(ctx context.Context, env Env, args []string) error {
		sub := "list"
		if len(args) > 0 && !strings.HasPrefix(args[0], "--cursor") {
			if _, err := strconv.Atoi(args[0]); err != nil {
				sub, args = args[0], args[1:]
			}
		}
		switch sub {
		case "list":
			return listUsers(ctx, env, args)
		case "add":
			return addUser(ctx, env, args)
		case "promote":
			return promoteUser(ctx, env, args)
		case "disable":
			return disableUser(ctx, env, args)
		case "canonical":
			return canonicalEmails(ctx, env, args)
		}
		return fmt.Errorf("unknown users command %q: want list, add, promote, disable or canonical", sub)
	},
}

func listUsers(ctx context.Context, env Env, args []string) error {
	cursor, args, err := cursorFlag(args)
	if err != nil || len(args) > 2 || (cursor != "" && len(args) > 1) {
		return fmt.Errorf("usage: users [list] [page] [rows] | users [list] --cursor NEXT [rows]")
	}
	pageAndRows := []string{"1", "50"} // what args does not give
	switch {
	case cursor != "" && len(args) == 1:
		pageAndRows[1] = args[0]
	case cursor == "":
		copy(pageAndRows, args)
	}
	pg, err := page.Parse(pageAndRows[0], pageAndRows[1])
	var pageErr *page.FieldError
	if errors.As(err, &pageErr) && pageErr.Field == "page" && strings.Contains(pageErr.Msg, "cursor") {
		return fmt.Errorf("page %s is past row %d, the deepest a page number reaches: go on with users --cursor NEXT, which each full page's last line gives", pageAndRows[0], page.MaxOffset)
	}
	if err != nil {
		return err
	}
	if cursor != "" {
		c, err := decodeUsersCursor(cursor)
		if err != nil {
			return err
		}
		pg = pg.After(c)
	}

	db, err := openDB(ctx, env)
	if err != nil {
		return err
	}
	defer db.Close()

	bus := userBusiness(db)
	found, err := bus.Query(ctx, userbus.QueryFilter{}, order.NewBy(userbus.OrderByEmail, order.ASC), pg)
	if err != nil {
		return err
	}

	w := tabwriter.NewWriter(env.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tEMAIL\tNAME\tROLES\tENABLED")
	for _, u := range found.Items {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%t\n", u.ID, u.Email, u.Name, role.Join(u.Roles, ","), u.Enabled)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if cursor != "" {
		fmt.Fprintf(env.Out, "%d users\n", len(found.Items))
	} else {
		fmt.Fprintf(env.Out, "page %d: %d of %s users\n", pg.Number(), len(found.Items), countText(found.Total))
	}
	if found.Next != nil {
		fmt.Fprintf(env.Out, "next: sales-admin users --cursor %s %d\n", encodeUsersCursor(*found.Next), pg.RowsPerPage())
	}
	return nil
}

// The users list's cursor is the last row's keyset as the store gave it
// (lower(email) as Postgres writes it, and the ID), so that paging goes
// on from any row: one deleted since, an address in an older form.
func encodeUsersCursor(c page.Cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeUsersCursor(s string) (page.Cursor, error) {
	var c page.Cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.ID == "" {
		return page.Cursor{}, errors.New("--cursor: not a cursor of this list: copy it from a page's last line")
	}
	return c, nil
}

// cursorFlag takes --cursor NEXT (or --cursor=NEXT) out of args.
func cursorFlag(args []string) (cursor string, rest []string, err error) {
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--cursor" && i+1 < len(args):
			cursor, i = args[i+1], i+1
		case strings.HasPrefix(a, "--cursor="):
			cursor = strings.TrimPrefix(a, "--cursor=")
		case strings.HasPrefix(a, "-"):
			return "", nil, fmt.Errorf("unknown flag %s", a)
		default:
			rest = append(rest, a)
		}
	}
	return cursor, rest, nil
}

func addUser(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("users add", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addr := fs.String("email", "", "")
	userName := fs.String("name", "", "")
	roleName := fs.String("role", "USER", "")
	dept := fs.String("department", "", "")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("users add: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("users add takes flags only, got %q", fs.Args())
	}

	fe := map[string]error{}
	e, err := email.Parse(*addr)
	fe["--email"] = err
	n, err := name.Parse(*userName)
	fe["--name"] = err
	r, err := role.Parse(*roleName)
	fe["--role"] = err
	d, err := userbus.ParseDepartment(*dept)
	fe["--department"] = err
	var pw password.Password
	plain, err := readPassword(ctx, env.In, env.Err)
	if err == nil {
		pw, err = password.Parse(plain)
	}
	fe["password (standard input)"] = err
	if err := flagErrors(fe); err != nil {
		return err
	}

	db, err := openDB(ctx, env)
	if err != nil {
		return err
	}
	defer db.Close()

	usr, err := userBusiness(db).Create(ctx, uuid.Nil, userbus.NewUser{
		Name: n, Email: e, Roles: []role.Role{r}, Department: d, Password: pw,
	})
	switch {
	case errors.Is(err, userbus.ErrUniqueEmail):
		// The database's own words name its constraint, not the user.
		return fmt.Errorf("a user with email %s already exists", e)
	case err != nil:
		return err
	}
	fmt.Fprintf(env.Out, "created %s %s (%s)\n", role.Join(usr.Roles, ","), usr.Email, usr.ID)
	return nil
}

func promoteUser(ctx context.Context, env Env, args []string) error {
	before, usr, err := updateByEmail(ctx, env, args, "promote", func(userbus.User) (userbus.UpdateUser, bool) {
		return userbus.UpdateUser{Roles: []role.Role{role.Admin}, Enabled: new(true)}, true
	})
	if err != nil {
		return err
	}
	switch {
	case before.Enabled && usr.TokenVersion == before.TokenVersion:
		// The same roles, enabled: nothing a token says changed.
		fmt.Fprintf(env.Out, "%s was already an enabled %s: nothing changed, and their tokens still work\n", usr.Email, role.Join(usr.Roles, ","))
	case usr.TokenVersion == before.TokenVersion:
		// Re-enabled with the roles they had: the tokens died when they
		// were disabled, and stay so.
		fmt.Fprintf(env.Out, "%s is an enabled %s again; tokens from before they were disabled still do not work\n", usr.Email, role.Join(usr.Roles, ","))
	default:
		fmt.Fprintf(env.Out, "%s is now an enabled %s; their earlier tokens no longer work\n", usr.Email, role.Join(usr.Roles, ","))
	}
	return nil
}

func disableUser(ctx context.Context, env Env, args []string) error {
	before, usr, err := updateByEmail(ctx, env, args, "disable", func(u userbus.User) (userbus.UpdateUser, bool) {
		return userbus.UpdateUser{Enabled: new(false)}, u.Enabled
	})
	if err != nil {
		return err
	}
	if !before.Enabled {
		fmt.Fprintf(env.Out, "%s was already disabled: nothing changed\n", usr.Email)
		return nil
	}
	fmt.Fprintf(env.Out, "%s is disabled: their tokens no longer work and they cannot log in, until an ADMIN enables them\n", usr.Email)
	return nil
}

// updateByEmail makes the change change gives for the user whose email
// is the one argument, through the business (audited, every replica's
// cache told), unless it says there is nothing to do, and returns the
// user before and after.
func updateByEmail(ctx context.Context, env Env, args []string, sub string, change func(userbus.User) (userbus.UpdateUser, bool)) (before, after userbus.User, err error) {
	if len(args) != 1 {
		return before, after, fmt.Errorf("usage: users %s EMAIL", sub)
	}
	addr, err := email.Parse(args[0])
	if err != nil {
		return before, after, fmt.Errorf("email: %w", err)
	}

	db, err := openDB(ctx, env)
	if err != nil {
		return before, after, err
	}
	defer db.Close()

	bus := userBusiness(db)
	before, err = bus.QueryByEmail(ctx, addr)
	if err != nil {
		return before, after, err
	}
	upd, ok := change(before)
	if !ok {
		return before, before, nil
	}
	after, err = bus.Update(ctx, uuid.Nil, before.ID, upd)
	var na *userbus.NotAcknowledgedError
	switch {
	case errors.As(err, &na):
		// Made; the replicas behind catch up within seconds.
		fmt.Fprintf(env.Out, "note: %v\n", na)
	case err != nil:
		return before, after, err
	}
	return before, after, nil
}

// canonicalEmails rewrites every stored address whose canonical form
// differs into it, through the business (audited, checked for a taken
// address), and reports each it cannot. The stored form is shown with
// its non-ASCII escaped: a decomposed accent looks like a composed one.
func canonicalEmails(ctx context.Context, env Env, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("usage: users canonical")
	}
	db, err := openDB(ctx, env)
	if err != nil {
		return err
	}
	defer db.Close()
	bus := userBusiness(db)

	var changed, left int
	pg, _ := page.Parse("1", strconv.Itoa(page.MaxRows))
	for {
		found, err := bus.Query(ctx, userbus.QueryFilter{}, order.NewBy(userbus.OrderByID, order.ASC), pg)
		if err != nil {
			return err
		}
		for _, u := range found.Items {
			canon, err := email.Parse(u.Email.String())
			switch {
			case err != nil:
				left++
				fmt.Fprintf(env.Out, "%s %+q: left as it is: %v; it cannot log in until an ADMIN gives the account another address (PUT /v1/users/%s)\n", u.ID, u.Email, err, u.ID)
				continue
			case canon.String() == u.Email.String():
				continue
			}
			_, err = bus.Update(ctx, uuid.Nil, u.ID, userbus.UpdateUser{Email: &canon})
			var na *userbus.NotAcknowledgedError
			switch {
			case errors.Is(err, userbus.ErrUniqueEmail):
				left++
				// The other account as it is stored, which may differ
				// from canon in case.
				other, err := bus.QueryByEmail(ctx, canon)
				if err != nil {
					return err
				}
				fmt.Fprintf(env.Out, "%s %+q: left as it is: another account, %s, is %s\n", u.ID, u.Email, other.ID, other.Email)
			case err != nil && !errors.As(err, &na):
				return err
			default:
				changed++
				fmt.Fprintf(env.Out, "%s %+q is now %s\n", u.ID, u.Email, canon)
			}
		}
		if found.Next == nil {
			break
		}
		pg = pg.After(*found.Next)
	}
	fmt.Fprintf(env.Out, "%d addresses made canonical, %d left as they are\n", changed, left)
	return nil
}

// readPassword reads the first line of in, without its line end. At a
// terminal it asks on prompt, twice, without echo: a password typed
// there must not show on the screen, nor a typo become the password.
func readPassword(ctx context.Context, in io.Reader, prompt io.Writer) (string, error) {
	if in == nil {
		return "", errors.New("no standard input to read it from")
	}
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return askPassword(ctx, int(f.Fd()), cmp.Or(prompt, io.Writer(os.Stderr)))
	}
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("empty: give it on standard input")
	}
	return line, nil
}

// askPassword reads a password twice from the terminal fd without echo.
// A Ctrl-C ends ctx, not the read, which cannot be stopped: the terminal
// gets its echo back and the command ends, leaving the read behind.
func askPassword(ctx context.Context, fd int, prompt io.Writer) (string, error) {
	state, err := term.GetState(fd)
	if err != nil {
		return "", err
	}
	var typed [2]string
	for i, ask := range []string{"password: ", "the same again: "} {
		fmt.Fprint(prompt, ask)
		type read struct {
			b   []byte
			err error
		}
		done := make(chan read, 1)
		go func() {
			b, err := term.ReadPassword(fd)
			done <- read{b, err}
		}()
		select {
		case <-ctx.Done():
			_ = term.Restore(fd, state)
			fmt.Fprintln(prompt)
			return "", ctx.Err()
		case r := <-done:
			fmt.Fprintln(prompt)
			if r.err != nil {
				return "", r.err
			}
			typed[i] = string(r.b)
		}
	}
	switch {
	case typed[0] == "":
		return "", errors.New("empty")
	case typed[0] != typed[1]:
		return "", errors.New("the two did not match")
	}
	return typed[0], nil
}

// flagErrors joins the errors of fe, naming each flag, in a stable order.
func flagErrors(fe map[string]error) error {
	var msgs []string
	for _, k := range slices.Sorted(maps.Keys(fe)) {
		if fe[k] != nil {
			msgs = append(msgs, k+": "+fe[k].Error())
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return errors.New(strings.Join(msgs, "; "))
}

// countText writes a list's count, which stops past page.CountCap.
func countText(total int) string {
	if total > page.CountCap {
		return fmt.Sprintf("more than %d", page.CountCap)
	}
	return strconv.Itoa(total)
}
