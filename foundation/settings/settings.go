// Package settings reads, checks and renders the settings of a program
// with github.com/ardanlabs/conf/v3.
package settings

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"slices"
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
		var fieldErr *conf.FieldError
		switch {
		case strings.Contains(err.Error(), "unrecognized flag"):
			return slog.Attr{}, fmt.Errorf("parse config: %w: --help lists the settings", err)
		case errors.As(err, &fieldErr):
			return slog.Attr{}, fmt.Errorf("parse config: %w", badValue(prefix, cfg, fieldErr))
		}
		return slog.Attr{}, fmt.Errorf("parse config: %w", err)
	}
	return Attr(cfg)
}

// conf words a value it cannot convert after the Go field it was for.
var (
	fieldErrRE = regexp.MustCompile(`^conf: error assigning to field (\w+): converting '(.*)' to type (\S+)\. details: (.*)$`)
	flagRE     = regexp.MustCompile(`--([a-z0-9-]+)`)
)

// kinds says what a value of a Go type looks like.
var kinds = map[string]string{
	"time.Duration": "a duration, such as 500ms, 30s or 1h",
	"int":           "a whole number",
	"int32":         "a whole number",
	"int64":         "a whole number",
	"bool":          "true or false",
	"float64":       "a number",
}

// badValue rewords conf's error about a value that is not of its
// setting's type after the setting, as its environment variable and flag
// name it, rather than the Go field.
func badValue(prefix string, cfg any, err *conf.FieldError) error {
	m := fieldErrRE.FindStringSubmatch(err.Error())
	usage, uerr := conf.UsageInfo(prefix, cfg)
	if m == nil || uerr != nil {
		return err
	}
	field, value, typ := strings.ToLower(m[1]), m[2], m[3]
	// conf names the Go field alone, which settings of several groups may
	// share (TTL): the one set to this value is the one meant.
	var names, set []string
	for _, flag := range flagRE.FindAllStringSubmatch(usage, -1) {
		if !strings.HasSuffix(strings.ReplaceAll(flag[1], "-", ""), field) {
			continue
		}
		env := strings.ToUpper(prefix + "_" + strings.ReplaceAll(flag[1], "-", "_"))
		name := env + " (--" + flag[1] + ")"
		names = append(names, name)
		if v, ok := os.LookupEnv(env); (ok && v == value) || slices.Contains(os.Args, "--"+flag[1]+"="+value) || slices.Contains(os.Args, "--"+flag[1]) {
			set = append(set, name)
		}
	}
	if len(set) > 0 {
		names = set
	}
	if len(names) == 0 {
		return err
	}
	kind := kinds[typ]
	if kind == "" {
		kind = "of type " + typ
	}
	if len(value) > 64 {
		value = value[:64] + "…"
	}
	return fmt.Errorf("%s: %q is not %s", strings.Join(names, " or "), value, kind)
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
