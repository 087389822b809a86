package settings

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/ardanlabs/conf/v3"
)

// Attr returns cfg's settings as one log attribute, "config", holding a
// field per setting named as its flag (web-read-timeout), secrets masked
// as conf masks them. A log line then carries them as structured fields
// that a log viewer can filter on, not as one string of lines.
func Attr(cfg any) (slog.Attr, error) {
	out, err := conf.String(cfg)
	if err != nil {
		return slog.Attr{}, fmt.Errorf("render settings: %w", err)
	}
	var attrs []any
	for line := range strings.Lines(out) {
		name, value, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok || name == "--desc" {
			continue // the program's description is no setting
		}
		attrs = append(attrs, slog.String(strings.TrimPrefix(name, "--"), value))
	}
	return slog.Group("config", attrs...), nil
}
