// Package blobstore writes objects to blob storage named by a URL, through
// gocloud.dev/blob: file:// (a folder), mem:// (memory, for tests) and s3://
// (Amazon S3 and the stores that speak its API: MinIO, Ceph, R2, ...). A
// driver takes its credentials as its cloud's SDK does; none are read here.
//
// Another cloud is one import line below, then make tidy: gcsblob for gs://
// (Google Cloud Storage), azureblob for azblob:// (Azure), both under
// gocloud.dev/blob/. They are left out because each adds its cloud's SDK
// to vendor/ and to sales-admin.
package blobstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"

	"gocloud.dev/blob"

	// Each driver registers its scheme with blob.OpenBucket.
	_ "gocloud.dev/blob/fileblob"
	_ "gocloud.dev/blob/memblob"
	_ "gocloud.dev/blob/s3blob"
)

// Open opens the bucket at bucketURL: file:///var/dumps, s3://name?region=eu-west-1,
// mem://. The caller closes it.
func Open(ctx context.Context, bucketURL string) (*blob.Bucket, error) {
	// gocloud's errors name the URL and say what is wrong with it, or
	// which schemes there are; but for a folder that is not there it says
	// only "stat DIR: no such file or directory", and the fix is an
	// option of the URL.
	u, perr := url.Parse(bucketURL)
	if perr == nil && u.Scheme == "file" && u.Host != "" && u.Host != "localhost" && u.Host != "." {
		// file://dumps/x reads as the folder /x on the host "dumps".
		return nil, fmt.Errorf("%s names the host %q: a folder's URL is file:// and its absolute path, as in file:///var/dumps", bucketURL, u.Host)
	}
	b, err := blob.OpenBucket(ctx, bucketURL)
	if errors.Is(err, fs.ErrNotExist) && perr == nil && u.Scheme == "file" {
		q := u.Query()
		q.Set("create_dir", "1")
		u.RawQuery = q.Encode()
		return nil, fmt.Errorf("the folder %s does not exist: create it, or add ?create_dir=1 to the URL to have it made (%s)", u.Path, u)
	}
	return b, err
}

// Write creates or replaces the object key of b with what write writes to
// it and returns its size. The object appears whole or not at all: when
// write fails or ctx ends first, the upload is abandoned and key kept as it was.
func Write(ctx context.Context, b *blob.Bucket, key, contentType string, write func(io.Writer) error) (int64, error) {
	// A blob.Writer whose context ends before Close abandons the upload.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	w, err := b.NewWriter(ctx, key, &blob.WriterOptions{ContentType: contentType})
	if err != nil {
		return 0, fmt.Errorf("write %s: %w", key, err)
	}
	cw := &countingWriter{w: w}
	if err := write(cw); err != nil {
		cancel()
		_ = w.Close() // reports only the abandoned upload
		return 0, err
	}
	if err := w.Close(); err != nil {
		return 0, fmt.Errorf("write %s: %w", key, err)
	}
	return cw.n, nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
