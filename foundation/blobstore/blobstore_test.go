package blobstore_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/garagesale/service/foundation/blobstore"
	"github.com/google/go-cmp/cmp"
)

// TestWrite: an object written whole is there to read back; one whose
// writing fails is not, and does not replace what was there.
func TestWrite(t *testing.T) {
	ctx := context.Background()
	for _, scheme := range []string{"file", "mem"} {
		t.Run(scheme, func(t *testing.T) {
			u := "mem://"
			if scheme == "file" {
				u = "file://" + filepath.ToSlash(t.TempDir())
			}
			b, err := blobstore.Open(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()

			n, err := blobstore.Write(ctx, b, "sales/a.txt", "text/plain", func(w io.Writer) error {
				_, err := io.WriteString(w, "first")
				return err
			})
			if err != nil || n != 5 {
				t.Fatalf("Write = %d, %v; want 5 bytes", n, err)
			}

			errFailed := errors.New("failed halfway")
			if _, err := blobstore.Write(ctx, b, "sales/a.txt", "text/plain", func(w io.Writer) error {
				if _, err := io.WriteString(w, "second, half"); err != nil {
					return err
				}
				return errFailed
			}); !errors.Is(err, errFailed) {
				t.Fatalf("Write error %v, want %v", err, errFailed)
			}

			got, err := b.ReadAll(ctx, "sales/a.txt")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff("first", string(got)); diff != "" {
				t.Errorf("object (-want +got):\n%s", diff)
			}
		})
	}
}

// TestOpenSaysWhichSchemes: a URL no driver takes is refused with the
// schemes there are.
func TestOpenSaysWhichSchemes(t *testing.T) {
	_, err := blobstore.Open(context.Background(), "ftp://host/dir")
	if err == nil {
		t.Fatal("opened an ftp:// bucket")
	}
	for _, scheme := range []string{"file", "mem", "s3"} {
		if !strings.Contains(err.Error(), scheme) {
			t.Errorf("error %q does not name the scheme %s", err, scheme)
		}
	}
}

// TestOpenMissingFolder: a file:// bucket whose folder is not there is
// refused saying so, with the URL that makes it; that URL opens a bucket
// in a new folder.
func TestOpenMissingFolder(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "dumps", "daily")
	missing := "file://" + filepath.ToSlash(dir)
	_, err := blobstore.Open(ctx, missing)
	want := "the folder " + filepath.ToSlash(dir) + " does not exist: create it, or add ?create_dir=1 to the URL to have it made (" + missing + "?create_dir=1)"
	if err == nil || err.Error() != want {
		t.Fatalf("Open(%s) error:\n%v\nwant:\n%s", missing, err, want)
	}

	b, err := blobstore.Open(ctx, missing+"?create_dir=1")
	if err != nil {
		t.Fatalf("with create_dir: %v", err)
	}
	defer b.Close()
	if _, err := blobstore.Write(ctx, b, "sales/a.txt", "text/plain", func(w io.Writer) error {
		_, err := io.WriteString(w, "x")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "sales", "a.txt")); err != nil {
		t.Errorf("the object is not in the folder create_dir made: %v", err)
	}
}

// TestOpenFolderURLs: file:// and an absolute path is a folder, and so
// with the host localhost; another host is a path mistyped (file://dumps
// would be the folder / on the host "dumps"), said so.
func TestOpenFolderURLs(t *testing.T) {
	ctx := context.Background()
	dir := filepath.ToSlash(t.TempDir())
	for _, u := range []string{"file://" + dir, "file://localhost" + dir} {
		b, err := blobstore.Open(ctx, u)
		if err != nil {
			t.Errorf("Open(%s): %v", u, err)
			continue
		}
		b.Close()
	}
	_, err := blobstore.Open(ctx, "file://dumps/daily")
	if want := `file://dumps/daily names the host "dumps"`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Open(file://dumps/daily): %v, want %q", err, want)
	}
}
