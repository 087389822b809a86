package web

import (
	"net/http"
	"path"
	"strings"
)

// notRoutedWriter takes over the ServeMux's own plain-text 404 and 405
// replies (for a path no route has, or a method the path lacks): the app
// answers them instead. The mux's replies are text/plain; routed handlers
// always set their own Content-Type first, so they pass through untouched.
type notRoutedWriter struct {
	http.ResponseWriter
	app         *App
	r           *http.Request
	wroteHeader bool
	replaced    bool
}

func (w *notRoutedWriter) WriteHeader(code int) {
	if w.wroteHeader {
		return
	}
	w.wroteHeader = true
	if (code == http.StatusNotFound || code == http.StatusMethodNotAllowed) &&
		w.Header().Get("Content-Type") == "text/plain; charset=utf-8" &&
		w.app.answerNotRouted(w.ResponseWriter, w.r, code) {
		w.replaced = true
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

// notRouted answers status as one no route takes, or with the mux's text.
func (w *notRoutedWriter) notRouted(status int) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	if !w.replaced {
		_, _ = w.ResponseWriter.Write([]byte(http.StatusText(status) + "\n"))
	}
}

func (w *notRoutedWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK) // a no-op once the header is written
	if w.replaced {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *notRoutedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

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
