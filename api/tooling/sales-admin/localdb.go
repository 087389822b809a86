package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/garagesale/service/api/tooling/pgrun/connfile"
	"github.com/garagesale/service/api/tooling/sales-admin/commands"
)

// makeRunConnFile is where make run's pgrun (--data .data/pg) keeps the
// settings of its Postgres, relative to the repo root, while it runs.
var makeRunConnFile = filepath.Join(".data", "pg", connfile.Name)

// dbVarPrefix marks the variables sales-admin takes from the file; the
// file's others (DATABASE_URL) are for psql.
const dbVarPrefix = "SALES_DB_"

// localDB returns the SALES_DB_* variables to take from the connection
// file at path, and where the database settings come from. A host given in
// the environment or as a flag in args means the file is not used at all
// (its user and password belong to its own server); otherwise each of its
// SALES_DB_* variables is taken unless given. A missing file means make
// run is not running: no error.
func localDB(path string, lookupEnv func(string) (string, bool), args []string) (map[string]string, commands.DBOrigin, error) {
	flags := confFlags(args)
	given := func(name string) bool {
		_, inEnv := lookupEnv(name)
		return inEnv || flags[flagName(name)]
	}
	if given(dbVarPrefix + "HOST") {
		return nil, commands.DBOrigin{Given: true}, nil
	}

	file, err := connfile.Read(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, commands.DBOrigin{}, nil
	case err != nil:
		return nil, commands.DBOrigin{}, fmt.Errorf("%w (pgrun writes that file while make run runs: delete it if make run is not running)", err)
	case file[dbVarPrefix+"HOST"] == "":
		return nil, commands.DBOrigin{}, nil
	}

	vars := make(map[string]string)
	for name, value := range file {
		if strings.HasPrefix(name, dbVarPrefix) && !given(name) {
			vars[name] = value
		}
	}
	return vars, commands.DBOrigin{File: path}, nil
}

// confFlags returns the names of the flags conf reads from args, lower
// case: the leading arguments that start with a dash, up to "--" or the
// first that does not (the command's name). A flag without "=" takes the
// next argument as its value unless that starts with a dash, as in conf.
func confFlags(args []string) map[string]bool {
	flags := make(map[string]bool)
	for len(args) > 0 {
		arg := args[0]
		if len(arg) < 2 || arg[0] != '-' || arg == "--" {
			break
		}
		args = args[1:]
		name, _, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		flags[strings.ToLower(name)] = true
		if !hasValue && len(args) > 0 && !strings.HasPrefix(args[0], "-") {
			args = args[1:]
		}
	}
	return flags
}

// flagName returns conf's flag for the SALES_ variable name:
// SALES_DB_TLS_MODE is --db-tls-mode.
func flagName(envName string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(envName, "SALES_"), "_", "-"))
}
