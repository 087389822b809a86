// Command bundle writes a release's manifest bundle: a kustomization (the
// production overlay) rendered offline with the kit's images pinned to the
// release's version. make release-bundle runs it:
//
//	go run ./cmd/bundle -version v1.2.3 \
//	    -image garagesale/sales-api=registry.example.com/api \
//	    -image garagesale/metrics=registry.example.com/metrics \
//	    -o bundle.yaml ../prod/sales
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/garagesale/service/tools/validate/bundle"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "bundle:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("bundle", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: bundle -version V -image NAME[=NEWNAME] ... [-o FILE] KUSTOMIZATION-DIR")
		fs.PrintDefaults()
	}
	var (
		cfg    bundle.Config
		images imageFlags
		out    string
	)
	fs.StringVar(&cfg.Version, "version", "", "the release's version, the tag of every image")
	fs.Var(&images, "image", "an image of the kit to pin, as the overlay names it, =where the release pushes it (repeat)")
	fs.StringVar(&out, "o", "", "file to write; standard output if empty")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("want one kustomization folder")
	}
	cfg.Dir = fs.Arg(0)
	cfg.Images = images

	data, err := bundle.Render(cfg)
	if err != nil {
		return err
	}
	if out == "" {
		_, err := os.Stdout.Write(data)
		return err
	}
	return writeFile(out, data)
}

// writeFile replaces path with data at once, so a failed run never leaves
// half a bundle where a release expects a whole one.
func writeFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write bundle: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write bundle: %w", err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write bundle: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write bundle: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write bundle: %w", err)
	}
	return nil
}

// imageFlags collects the repeated -image flags.
type imageFlags []bundle.Image

func (f *imageFlags) String() string {
	names := make([]string, len(*f))
	for i, img := range *f {
		names[i] = img.Name
	}
	return strings.Join(names, ",")
}

func (f *imageFlags) Set(s string) error {
	img, err := bundle.ParseImage(s)
	if err != nil {
		return err
	}
	*f = append(*f, img)
	return nil
}
