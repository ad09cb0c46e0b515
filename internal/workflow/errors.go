package workflow

import (
	"net/http"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/tools/router"
)

// Errors carry their HTTP status so handlers pass them through unchanged,
// in PocketBase's {status, message, data} shape.

func badRequest(msg string, data map[string]error) error {
	return router.NewApiError(http.StatusBadRequest, msg, data)
}

func forbidden(msg string) error { return router.NewForbiddenError(msg, nil) }

func notFound(msg string) error { return router.NewNotFoundError(msg, nil) }

func conflict(msg string) error {
	return router.NewApiError(http.StatusConflict, msg, nil)
}

// fieldError is the data of a 400 naming one field.
func fieldError(field, code, msg string) map[string]error {
	return map[string]error{field: validation.NewError(code, msg)}
}

// missing is the 400 for a required field left out.
func missing(field string) error {
	return badRequest(field+" is required.", fieldError(field, "validation_required", "Cannot be blank."))
}

// invalid is the 400 for a field with an unacceptable value.
func invalid(field, msg string) error {
	return badRequest(msg, fieldError(field, "validation_invalid_value", msg))
}
