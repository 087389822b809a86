package migrate

import (
	"context"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"
)

// MigrationStatus is one migration and whether the database has it.
type MigrationStatus struct {
	Version   int64
	Name      string    // the file's name without its version and extension: "users"
	Applied   bool      // the database has it
	AppliedAt time.Time // when it was applied, if it was
}

// Status lists every migration, oldest first, with whether the database
// has it, and the highest version the database records (a newer build's
// may exceed them all). It takes no lock; like goose, on a database never
// migrated it creates the empty version table.
func Status(ctx context.Context, db *sqlx.DB) (_ []MigrationStatus, dbVersion int64, err error) {
	provider, err := newProvider(db)
	if err != nil {
		return nil, 0, err
	}

	states, err := provider.Status(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("read migration status: %w", err)
	}
	dbVersion, err = provider.GetDBVersion(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("read database version: %w", err)
	}

	out := make([]MigrationStatus, 0, len(states))
	for _, st := range states {
		out = append(out, MigrationStatus{
			Version:   st.Source.Version,
			Name:      migrationName(st.Source.Path),
			Applied:   st.State == goose.StateApplied,
			AppliedAt: st.AppliedAt,
		})
	}
	return out, dbVersion, nil
}

// migrationName turns "00001_users.sql" into "users".
func migrationName(file string) string {
	base := strings.TrimSuffix(path.Base(file), path.Ext(file))
	if _, name, ok := strings.Cut(base, "_"); ok {
		return name
	}
	return base
}
