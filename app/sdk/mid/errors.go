package mid

import (
	"context"
	"errors"
	"net/http"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/foundation/logger"
	"github.com/garagesale/service/foundation/otel"
	"github.com/garagesale/service/foundation/web"
	"github.com/google/uuid"
)

// Errors turns the errors handlers return into the API's error body. An
// internal error's cause is logged once, under an errorID that the
// response also carries, and never sent to the client.
func Errors(log *logger.Logger) web.MidFunc {
	return func(next web.HandlerFunc) web.HandlerFunc {
		return func(ctx context.Context, r *http.Request) (any, error) {
			resp, err := next(ctx, r)
			if err == nil {
				return resp, nil
			}

			e := errs.Of(err).Bounded()
			switch e.Code {
			case errs.Internal:
				id := uuid.NewString()
				args := []any{"errorID", id, "cause", causeOf(e)}
				var p *panicError
				if errors.As(e.Cause, &p) {
					args = append(args, "stack", p.stack)
				}
				log.Error(ctx, "internal error", args...)
				otel.Fail(ctx, "internal error "+id, e)
				return &errs.Error{Code: errs.Internal, Message: http.StatusText(http.StatusInternalServerError), ErrorID: id}, nil
			case errs.Unavailable:
				// Not the client's doing, and the operator's to fix: the
				// cause says which of the database's troubles it was.
				log.Warn(ctx, "request unavailable", "code", e.Code, "cause", causeOf(e))
				otel.Fail(ctx, "unavailable", e)
				return e, nil
			}
			args := []any{"code", e.Code, "message", e.Message}
			if len(e.Fields) > 0 {
				args = append(args, "fields", e.Fields)
			}
			// A client's cause may quote what it sent, at any length.
			if c := causeOf(e); c != e.Message {
				args = append(args, "cause", errs.Clip(c))
			}
			log.Info(ctx, "request error", args...)
			return e, nil
		}
	}
}

func causeOf(e *errs.Error) string {
	if e.Cause != nil {
		return e.Cause.Error()
	}
	return e.Message
}
