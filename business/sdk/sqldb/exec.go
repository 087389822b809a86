package sqldb

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jmoiron/sqlx"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// The statement text goes into spans, never the bound values: those may be
// emails or password hashes.
var tracer = otel.Tracer("github.com/garagesale/service/business/sdk/sqldb")

func startSpan(ctx context.Context, query string) (context.Context, trace.Span) {
	return tracer.Start(ctx, "db.query",
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(
			attribute.String("db.system", "postgresql"),
			attribute.String("db.statement", query),
		))
}

func endSpan(span trace.Span, err error) {
	if err != nil && !errors.Is(err, ErrDBNotFound) {
		span.RecordError(err)
		span.SetStatus(codes.Error, "query failed")
	}
	span.End()
}

// NamedExec runs a statement with named parameters taken from data.
func NamedExec(ctx context.Context, db sqlx.ExtContext, query string, data any) (err error) {
	_, err = NamedExecResult(ctx, db, query, data)
	return err
}

// NamedExecResult runs a statement with named parameters and returns the
// number of rows it affected.
func NamedExecResult(ctx context.Context, db sqlx.ExtContext, query string, data any) (rows int64, err error) {
	ctx, span := startSpan(ctx, query)
	defer func() { endSpan(span, err) }()

	res, err := sqlx.NamedExecContext(ctx, db, query, data)
	if err != nil {
		return 0, translate(err)
	}
	rows, err = res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("rows affected: %w", err)
	}
	return rows, nil
}

// NamedExecOne runs a statement that must affect one row; none is ErrDBNotFound.
func NamedExecOne(ctx context.Context, db sqlx.ExtContext, query string, data any) error {
	rows, err := NamedExecResult(ctx, db, query, data)
	if err != nil {
		return err
	}
	if rows == 0 {
		return ErrDBNotFound
	}
	return nil
}

// NamedQueryStruct runs a query with named parameters and scans its single
// row into dest; no row is ErrDBNotFound.
func NamedQueryStruct(ctx context.Context, db sqlx.ExtContext, query string, data any, dest any) error {
	return namedQuery(ctx, db, query, data, func(rows *sqlx.Rows) error {
		if !rows.Next() {
			if err := rows.Err(); err != nil {
				return translate(err)
			}
			return ErrDBNotFound
		}
		if err := rows.StructScan(dest); err != nil {
			return fmt.Errorf("scan row: %w", err)
		}
		return translate(rows.Err())
	})
}

// NamedQuerySlice runs a query with named parameters into dest.
func NamedQuerySlice[T any](ctx context.Context, db sqlx.ExtContext, query string, data any, dest *[]T) error {
	return querySlice(ctx, db, query, data, dest)
}

// querySlice is NamedQuerySlice with pgx's query options (opts).
func querySlice[T any](ctx context.Context, db sqlx.ExtContext, query string, data any, dest *[]T, opts ...any) error {
	var out []T
	err := queryEach(ctx, db, query, data, func(v T) error {
		out = append(out, v)
		return nil
	}, opts...)
	if err != nil {
		return err
	}
	*dest = out
	return nil
}

// Load turns rows into business values, stopping at the first error.
func Load[R, T any](rows []R, load func(R) (T, error)) ([]T, error) {
	out := make([]T, len(rows))
	for i, r := range rows {
		v, err := load(r)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// NamedQueryEach runs a query with named parameters and calls fn with
// each row as the driver reads it, so a result of any size takes the
// memory of one row, all of one snapshot. An error from fn stops the query
// and is returned as it is.
func NamedQueryEach[T any](ctx context.Context, db sqlx.ExtContext, query string, data any, fn func(T) error) error {
	return queryEach(ctx, db, query, data, fn)
}

// queryEach is NamedQueryEach with pgx's query options (opts).
func queryEach[T any](ctx context.Context, db sqlx.ExtContext, query string, data any, fn func(T) error, opts ...any) error {
	return namedQuery(ctx, db, query, data, func(rows *sqlx.Rows) error {
		for rows.Next() {
			var v T
			if err := rows.StructScan(&v); err != nil {
				return fmt.Errorf("scan row: %w", err)
			}
			if err := fn(v); err != nil {
				return err
			}
		}
		return translate(rows.Err())
	}, opts...)
}

// namedQuery runs a query in a span and hands its rows to read. opts are
// pgx's query options (pgx.QueryExecMode), sent ahead of the values.
func namedQuery(ctx context.Context, db sqlx.ExtContext, query string, data any, read func(*sqlx.Rows) error, opts ...any) (err error) {
	ctx, span := startSpan(ctx, query)
	defer func() { endSpan(span, err) }()

	// As sqlx.NamedQueryContext binds for pgx, with the options first.
	bound, args, err := sqlx.BindNamed(sqlx.DOLLAR, query, data)
	if err != nil {
		return fmt.Errorf("bind %q: %w", query, err)
	}
	rows, err := db.QueryxContext(ctx, bound, append(opts, args...)...)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	return read(rows)
}

// selectRows runs a list's query with named parameters into dest. With
// perValues it is planned for its values on each run: pgx prepares a
// statement once per connection and Postgres may then run it with a
// generic plan, made once for any values, and for a filter whose matches
// run from none to every row (name ILIKE $1) a generic plan can sort
// every match where the values' own plan reads ten rows of an index.
// pgx's CacheDescribe mode sends the statement unnamed, which Postgres
// plans with its values, in the same one round trip. Planning costs
// Postgres more than reading a page of an index, so a list without a
// filter, whose plan no value changes, keeps its prepared statement.
func selectRows[T any](ctx context.Context, db sqlx.ExtContext, query string, data map[string]any, perValues bool, dest *[]T) error {
	if perValues {
		return querySlice(ctx, db, query, data, dest, pgx.QueryExecModeCacheDescribe)
	}
	return querySlice(ctx, db, query, data, dest)
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// escapeLike makes s match only itself inside a LIKE pattern.
func escapeLike(s string) string { return likeEscaper.Replace(s) }
