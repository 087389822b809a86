// Command rename turns a clone of the kit into a new project, in place: it
// rewrites the module path and the names the kit derives from its service
// name (binaries, settings, Kubernetes and compose objects, images, metric
// names), and moves the directories named for them. The example
// application (its sale, product and user domains, routes and tables) is
// left as it is.
//
//	rename --module github.com/acme/shop --name shop [--root DIR]
//
// It prints what it changed. Run again with the same arguments it finds
// nothing to do.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	err := run(os.Args[1:], os.Stdout)
	if err == nil {
		return
	}
	fmt.Fprintln(os.Stderr, "rename:", err)
	if errors.As(err, new(usageError)) {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	os.Exit(1)
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("rename", flag.ContinueOnError)
	module := fs.String("module", "", "new module `path`, e.g. github.com/acme/shop")
	name := fs.String("name", "", "new service `name`, a lowercase identifier, e.g. shop (binaries shop-api and shop-admin, settings SHOP_*)")
	root := fs.String("root", ".", "root of the repository, where go.mod is")

	// The flag package's own report of a mistake would come before ours.
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(out)
		fmt.Fprintln(out, usage)
		fs.PrintDefaults()
		return nil
	case err != nil:
		return usageError{err.Error()}
	case fs.NArg() > 0:
		return usageError{fmt.Sprintf("unexpected arguments %q", fs.Args())}
	}

	cfg, err := newConfig(*root, *module, *name)
	if err != nil {
		return err
	}
	_, err = rename(cfg, out)
	return err
}

// summary counts what a rename changed.
type summary struct {
	files, tokens, moves int
}

// rename rewrites the tree at cfg.root and reports each change to out.
func rename(cfg config, out io.Writer) (summary, error) {
	current, err := moduleOf(cfg.root)
	if err != nil {
		return summary{}, err
	}
	if current != templateModule && current != cfg.module {
		return summary{}, fmt.Errorf("%s/go.mod is module %s: not the template (%s), nor %s", cfg.root, current, templateModule, cfg.module)
	}

	p, err := planTree(cfg.root, newReplacer(cfg.module, cfg.name))
	if err != nil {
		return summary{}, err
	}
	if len(p.edits) == 0 && len(p.moves) == 0 {
		fmt.Fprintln(out, "nothing to do: no names of the template left")
		return summary{}, nil
	}
	if err := p.apply(cfg.root, out); err != nil {
		return summary{}, err
	}

	s := summary{files: len(p.edits), moves: len(p.moves)}
	for _, e := range p.edits {
		s.tokens += e.count
	}
	fmt.Fprintf(out, "renamed to module %s, service %s: %d files rewritten (%d tokens), %d paths moved\n",
		cfg.module, cfg.name, s.files, s.tokens, s.moves)
	return s, nil
}
