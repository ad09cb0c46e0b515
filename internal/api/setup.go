package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/audit"
	"github.com/aegis-sec/aegis/internal/security"
	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// setupInput is the first-run form.
type setupInput struct {
	Email           string `json:"email"`
	Password        string `json:"password"`
	PasswordConfirm string `json:"passwordConfirm"`
	Name            string `json:"name"`
}

func registerSetupRoutes(g *Group) {
	g.GET("/setup", setupStatus)
	g.POST("/setup", setupFirstAdmin)
	document(
		Op{Method: http.MethodGet, Path: Prefix + "/setup", Tags: []string{"setup"}, Auth: "public",
			Summary:     "Whether the first-run setup is still needed (no user exists yet)",
			Description: "minPasswordLength is the password policy the setup form should show.",
			Response:    map[string]any{"needed": true, "minPasswordLength": collections.MinPasswordLength}},
		Op{Method: http.MethodPost, Path: Prefix + "/setup", Tags: []string{"setup"}, Auth: "public",
			Summary: "Create the first admin; refused (403) once any user exists",
			Description: "Returns the standard auth response, so the SPA is signed in right away. " +
				"Passwords need at least " + strconv.Itoa(collections.MinPasswordLength) + " characters. " +
				"Rate limited (5 per minute per IP).",
			Request: setupInput{Email: "admin@example.org", Password: "a-long-passphrase",
				PasswordConfirm: "a-long-passphrase", Name: "Ada Admin"},
			Response: map[string]any{"token": "eyJ…", "record": map[string]any{"id": "…", "role": collections.RoleAdmin}}},
	)
}

func setupStatus(e *core.RequestEvent) error {
	needed, err := collections.SetupNeeded(e.App)
	if err != nil {
		return e.InternalServerError("", err)
	}
	return e.JSON(http.StatusOK, map[string]any{"needed": needed, "minPasswordLength": security.Load(e.App).PasswordMinLength})
}

func setupFirstAdmin(e *core.RequestEvent) error {
	var in setupInput
	if err := e.BindBody(&in); err != nil {
		return e.BadRequestError("The body must be a JSON object {email, password, passwordConfirm, name}.", err)
	}
	if in.Password != in.PasswordConfirm {
		return e.BadRequestError("The passwords do not match.", validation.Errors{
			"passwordConfirm": validation.NewError("validation_values_mismatch", "Values don't match."),
		})
	}
	var admin *core.Record
	err := e.App.RunInTransaction(func(txApp core.App) error {
		who := audit.FromRequest(e)
		who.Kind, who.Name = audit.KindUser, in.Email
		audit.Bind(txApp, who)
		var err error
		admin, err = collections.CreateFirstAdmin(txApp, collections.NewUserInput{
			Email: in.Email, Password: in.Password, Name: in.Name, Role: collections.RoleAdmin,
		})
		if err != nil {
			return err
		}
		return audit.Write(txApp, audit.Entry{
			Actor: admin.Id, ActorName: in.Email, ActorKind: audit.KindUser, IP: who.IP,
			Action: audit.ActionSetup, Collection: collections.Users, RecordId: admin.Id,
			Details: map[string]any{"role": collections.RoleAdmin},
		})
	})
	switch {
	case errors.Is(err, collections.ErrSetupDone):
		return e.ForbiddenError("Setup is already complete: sign in, or ask an admin for an account.", nil)
	case err != nil:
		return e.BadRequestError("Cannot create the first admin: "+err.Error(), err)
	}
	return apis.RecordAuthResponse(e, admin, core.MFAMethodPassword, nil)
}
