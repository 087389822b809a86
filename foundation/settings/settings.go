// Package settings reads, checks and renders the settings of a program
// with github.com/ardanlabs/conf/v3.
package settings

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/ardanlabs/conf/v3"
)

// Parse reads cfg from the command line and the environment variables
// prefix_GROUP_NAME, as conf does, and returns what it read as a log
// attribute (see Attr). A flag that names no setting is an error: conf
// alone would drop it, and a misspelt --db-name would quietly leave the
// default database in its place. When --help or --version was asked for
// it prints the answer and returns an error Answered reports.
func Parse(prefix string, cfg any) (slog.Attr, error) {
	help, err := conf.ParseWithOptions(prefix, cfg, conf.WithStrictFlags())
	if Answered(err) {
		fmt.Println(help)
		return slog.Attr{}, err
	}
	if err != nil {
		if strings.Contains(err.Error(), "unrecognized flag") {
			return slog.Attr{}, fmt.Errorf("parse config: %w: --help lists the settings", err)
		}
		return slog.Attr{}, fmt.Errorf("parse config: %w", err)
	}
	return Attr(cfg)
}

// Answered reports whether err is Parse saying that --help or --version
// was asked for and answered: a success, not a failure.
func Answered(err error) bool {
	return errors.Is(err, conf.ErrHelpWanted) || errors.Is(err, conf.ErrVersionWanted)
}

// Attr returns cfg's settings as one log attribute, "config", with a field
// per setting named as its flag (web-read-timeout), secrets masked as conf
// masks them: fields a log viewer can filter on, not one string of lines.
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
