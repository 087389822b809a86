package web

import (
	"net/http"
	"path"
	"strings"
)

// replyRecorder keeps the status and headers of the mux's own reply to a
// request no route takes; its text is not kept.
type replyRecorder struct {
	header http.Header
	code   int
}

func (r *replyRecorder) Header() http.Header { return r.header }

func (r *replyRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}

func (r *replyRecorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return len(b), nil
}

// isClean reports whether p, a request's escaped path, is one the mux
// routes as it is rather than redirecting to its clean form: rooted, with
// no empty, "." or ".." element (a trailing slash is kept). An escaped
// "%2F" or "%2E" is part of an element, as the mux sees it.
func isClean(p string) bool {
	if !strings.HasPrefix(p, "/") {
		return false
	}
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c == p
}
