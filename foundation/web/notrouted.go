package web

import "net/http"

// notRoutedWriter replaces the ServeMux's own plain-text 404 and 405
// replies (for a path no route has, or a method the path lacks) with the
// app's body. The mux's replies are text/plain; routed handlers always set
// their own Content-Type first, so they pass through untouched.
type notRoutedWriter struct {
	http.ResponseWriter
	body        func(status int) any
	wroteHeader bool
	replaced    bool
}

func (w *notRoutedWriter) WriteHeader(code int) {
	if w.wroteHeader {
		return
	}
	w.wroteHeader = true

	isMuxReply := (code == http.StatusNotFound || code == http.StatusMethodNotAllowed) &&
		w.Header().Get("Content-Type") == "text/plain; charset=utf-8"
	if !isMuxReply {
		w.ResponseWriter.WriteHeader(code)
		return
	}

	body := w.body(code)
	if body == nil {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	data, contentType, err := Encode(body)
	if err != nil {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	w.replaced = true
	w.Header().Set("Content-Type", contentType)
	w.ResponseWriter.WriteHeader(code)
	// The client may be gone; nothing to do about it.
	_, _ = w.ResponseWriter.Write(data)
}

func (w *notRoutedWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.replaced {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *notRoutedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
