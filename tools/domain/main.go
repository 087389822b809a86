// Command domain writes a new domain into the service: its business core,
// store, HTTP routes, migration, seed rows and tests, wired in where the
// service builds its domains. Run it from the repository's root (make
// domain ARGS="add widget --field label:string").
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"

	"github.com/garagesale/service/tools/domaingen"
)

const usage = `Usage:
  domain add NAME --field name:type [--field ...] [--plural P] [--dry-run] [--no-docs]

Writes a domain called NAME (singular, lower case: widget) into the
repository: its business core, store, HTTP routes (/v1/NAMEs), migration,
seed rows, business tests and HTTP role-matrix tests, and the lines that
wire it into the API's routes. Any user with a token reads the records; an
ADMIN creates, changes and deletes them. Run it from the repository's root,
then make test.

Field types: string (1 to 100 characters), int (32-bit), money (decimal,
2 places), quantity (0 to 1,000,000), bool, time (RFC 3339), uuid; name:uuid:DOMAIN refers
to a record of another domain (productID:uuid:product), which the database
checks and which cannot be deleted while referred to.

It never overwrites a file: a file that is there already is kept, and
reported as edited when it differs from what the generator writes, so
running it again changes nothing and keeps every edit.

  --field     name:type, camelCase name; repeat for each field
  --plural    the plural, for the table, routes and tag (default: widgets,
              categories, boxes by the common English rules)
  --dry-run   print the changes as a diff and write nothing
  --no-docs   do not regenerate docs/openapi.json afterwards
  --root      the repository (.)
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	args := os.Args[1:]
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Print(usage)
		return
	}
	if err := run(ctx, os.Stdout, args); err != nil {
		fmt.Fprintln(os.Stderr, "domain:", err)
		os.Exit(1)
	}
}

// fieldFlags collects repeated --field flags.
type fieldFlags []domaingen.FieldSpec

func (f *fieldFlags) String() string { return fmt.Sprint(*f) }

func (f *fieldFlags) Set(s string) error {
	fs, err := domaingen.ParseField(s)
	if err != nil {
		return err
	}
	*f = append(*f, fs)
	return nil
}

func run(ctx context.Context, out io.Writer, args []string) error {
	if len(args) < 2 || args[0] != "add" || strings.HasPrefix(args[1], "-") {
		return errors.New("usage: domain add NAME --field name:type ... (domain --help)")
	}
	spec := domaingen.Spec{Name: args[1]}

	fset := flag.NewFlagSet("domain add", flag.ContinueOnError)
	fset.SetOutput(io.Discard)
	var fields fieldFlags
	fset.Var(&fields, "field", "")
	fset.StringVar(&spec.Plural, "plural", "", "")
	dryRun := fset.Bool("dry-run", false, "")
	noDocs := fset.Bool("no-docs", false, "")
	root := fset.String("root", ".", "")
	if err := fset.Parse(args[2:]); err != nil {
		return fmt.Errorf("domain add: %w", err)
	}
	if fset.NArg() > 0 {
		return fmt.Errorf("domain add: unexpected %q", fset.Args())
	}
	spec.Fields = fields

	plan, err := domaingen.Make(*root, spec)
	if err != nil {
		return err
	}
	if *dryRun {
		diff, err := domaingen.Diff(plan)
		if err != nil {
			return err
		}
		fmt.Fprint(out, diff)
		report(out, plan, "would ")
		fmt.Fprintln(out, "dry run: nothing written")
		return nil
	}
	if err := domaingen.Apply(*root, plan); err != nil {
		return err
	}
	report(out, plan, "")

	if plan.Changed() && !*noDocs {
		// The API's document is made from the code, and a test fails while
		// the committed copy differs from it.
		cmd := exec.CommandContext(ctx, "go", "run", "./api/tooling/openapi", "-o", "docs/openapi.json")
		cmd.Dir, cmd.Stdout, cmd.Stderr = *root, out, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("regenerate docs/openapi.json (run make docs): %w", err)
		}
		fmt.Fprintln(out, "regenerated docs/openapi.json")
	}
	if plan.Changed() {
		fmt.Fprintf(out, "\nnext: make test; then make run and try /v1/%s\n", plan.Data.Plural)
	} else {
		fmt.Fprintln(out, "nothing to do: every file is there (kept ones as they were edited)")
	}
	return nil
}

// report lists what the run did with each file.
func report(w io.Writer, p domaingen.Plan, would string) {
	for _, c := range p.Changes {
		switch c.Action {
		case domaingen.Create:
			fmt.Fprintf(w, "%screate    %s\n", would, c.Path)
		case domaingen.Wire:
			fmt.Fprintf(w, "%swire in   %s\n", would, c.Path)
		case domaingen.Unchanged:
			fmt.Fprintf(w, "unchanged %s\n", c.Path)
		case domaingen.Kept:
			fmt.Fprintf(w, "kept      %s (it differs from the template: edited since it was generated; --dry-run shows how)\n", c.Path)
		}
	}
}
