package settings_test

import (
	"bytes"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ardanlabs/conf/v3"

	"github.com/garagesale/service/foundation/settings"
	"github.com/google/go-cmp/cmp"
)

func TestProblems(t *testing.T) {
	for _, tt := range []struct {
		name string
		cfg  any
		want []string
	}{
		{"all described", &struct {
			Web struct {
				Host    string        `conf:"default:0.0.0.0:3000,help:where the API listens"`
				Timeout time.Duration `conf:"default:5s,help:deadline of a request"`
			}
			Secret string `conf:"mask,help:the password"`
		}{}, nil},
		{"no help", struct {
			DB struct {
				Host string `conf:"default:localhost:5432"`
			}
		}{}, []string{"DB.Host: no help: --help would show the setting with no description"}},
		{"a comma in the help", struct {
			Mode string `conf:"default:disable,help:one of disable, require or verify-full"`
		}{}, []string{`Mode: " require or verify-full" is neither a tag property nor a flag: a comma inside a help or default text ends it there`}},
		{"an apostrophe", struct {
			Header string `conf:"help:the proxy's header"`
		}{}, []string{"Header: the help has an apostrophe, which --help takes for a quoted placeholder"}},
		{"skipped", struct {
			Internal string `conf:"-"`
		}{}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, settings.Problems(tt.cfg)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAttr(t *testing.T) {
	cfg := struct {
		conf.Version
		Web struct {
			Host    string        `conf:"default:0.0.0.0:3000"`
			Timeout time.Duration `conf:"default:5s"`
		}
		DB struct {
			Password string `conf:"default:secret,mask"`
		}
	}{}
	cfg.Web.Host, cfg.Web.Timeout, cfg.DB.Password = "0.0.0.0:3000", 5*time.Second, "hunter2"

	attr, err := settings.Attr(&cfg)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey || a.Key == slog.LevelKey || a.Key == slog.MessageKey {
			return slog.Attr{}
		}
		return a
	}})).Info("startup", attr)
	want := `{"config":{"build":"","db-password":"xxxxxx","web-host":"0.0.0.0:3000","web-timeout":"5s"}}` + "\n"
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("log line (-want +got):\n%s", diff)
	}
}

// TestParseRefusesAnUnknownFlag: conf alone drops a flag that names no
// setting, so a misspelt --db-name would leave the default database in
// its place; flags after the first argument are the command's own.
func TestParseRefusesAnUnknownFlag(t *testing.T) {
	type config struct {
		DB struct {
			Name string `conf:"default:postgres"`
		}
		Args conf.Args
	}
	for _, tt := range []struct {
		args    []string
		wantErr string
		want    string
	}{
		{args: []string{"--db-name", "shop", "users"}, want: "shop"},
		{args: []string{"--db-nmae", "shop", "users"}, wantErr: "unrecognized flag: --db-nmae: --help lists the settings"},
		{args: []string{"--nope", "users"}, wantErr: "unrecognized flag: --nope"},
		{args: []string{"users", "--bogus"}, want: "postgres"},
	} {
		saved := os.Args
		os.Args = append([]string{"prog"}, tt.args...)
		var cfg config
		_, err := settings.Parse("TEST", &cfg)
		os.Args = saved
		switch {
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%q: error %v, want one saying %q", tt.args, err, tt.wantErr)
		case tt.wantErr == "" && err != nil:
			t.Errorf("%q: %v", tt.args, err)
		case tt.wantErr == "" && cfg.DB.Name != tt.want:
			t.Errorf("%q: db name %q, want %q", tt.args, cfg.DB.Name, tt.want)
		}
	}
}

// TestParseNamesTheSettingOfABadValue: a value not of its setting's type
// is named as the operator set it, not as the Go field it fills.
func TestParseNamesTheSettingOfABadValue(t *testing.T) {
	type config struct {
		Auth struct {
			TokenTTL time.Duration `conf:"default:1h"`
		}
		// A field of the same name in another group: not the one set.
		Idempotency struct {
			TTL time.Duration `conf:"default:24h"`
		}
		Args conf.Args
	}
	saved := os.Args
	os.Args = []string{"prog"}
	defer func() { os.Args = saved }()
	for _, tt := range []struct{ env, want string }{
		{"TEST_AUTH_TOKEN_TTL", `parse config: TEST_AUTH_TOKEN_TTL (--auth-token-ttl): "abc" is not a duration, such as 500ms, 30s or 1h`},
		// conf says only "TTL", which both names end with.
		{"TEST_IDEMPOTENCY_TTL", `parse config: TEST_IDEMPOTENCY_TTL (--idempotency-ttl): "abc" is not a duration, such as 500ms, 30s or 1h`},
	} {
		t.Run(tt.env, func(t *testing.T) {
			t.Setenv(tt.env, "abc")
			var cfg config
			_, err := settings.Parse("TEST", &cfg)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}
