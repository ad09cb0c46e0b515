package collections

import (
	"errors"

	"fmt"
	validation "github.com/go-ozzo/ozzo-validation/v4"
	"net/mail"
	"strings"

	"github.com/pocketbase/pocketbase/core"
)

// NewUserInput is what it takes to create an Aegis user.
type NewUserInput struct {
	Email    string
	Password string
	Name     string
	Role     Role
}

// MinPasswordLength is the password policy's minimum length.
const MinPasswordLength = 10

// Validate checks the input before anything is written. Its errors are
// validation.Errors keyed by field, so the API can point at the field.
func (in NewUserInput) Validate() error {
	errs := validation.Errors{}
	if _, err := mail.ParseAddress(in.Email); err != nil || !strings.Contains(in.Email, "@") || strings.ContainsAny(in.Email, "<> ") {
		errs["email"] = validation.NewError("validation_invalid_email", fmt.Sprintf("%q is not a valid email address", in.Email))
	}
	if len(in.Password) < MinPasswordLength {
		errs["password"] = validation.NewError("validation_min_text_constraint",
			fmt.Sprintf("must be at least %d characters", MinPasswordLength))
	} else if len(in.Password) > 71 {
		// bcrypt ignores everything after 72 bytes.
		errs["password"] = validation.NewError("validation_max_text_constraint", "must be at most 71 bytes")
	}
	if _, err := ParseRole(string(in.Role)); err != nil {
		errs["role"] = validation.NewError("validation_invalid_role", err.Error())
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// CreateUser validates in and saves an active, verified user.
func CreateUser(app core.App, in NewUserInput) (*core.Record, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	col, err := app.FindCachedCollectionByNameOrId(Users)
	if err != nil {
		return nil, err
	}
	if _, err := app.FindAuthRecordByEmail(col, in.Email); err == nil {
		return nil, errors.New("a user with this email already exists")
	}
	u := core.NewRecord(col)
	u.SetEmail(in.Email)
	u.SetPassword(in.Password)
	u.SetVerified(true)
	p := AsUser(u)
	p.SetName(in.Name)
	p.SetRole(in.Role)
	p.SetActive(true)
	if err := app.Save(u); err != nil {
		return nil, err
	}
	return u, nil
}

// ErrSetupDone refuses a second first-run setup.
var ErrSetupDone = errors.New("setup is already complete: sign in, or ask an admin for an account")

// SetupNeeded reports whether no user exists yet (the first-run state).
func SetupNeeded(app core.App) (bool, error) {
	n, err := app.CountRecords(Users)
	if err != nil {
		return false, fmt.Errorf("count users: %w", err)
	}
	return n == 0, nil
}

// CreateFirstAdmin creates the first admin, only while no user exists. The
// check and the insert share one write transaction, so concurrent calls
// create exactly one admin; the others get ErrSetupDone.
func CreateFirstAdmin(app core.App, in NewUserInput) (*core.Record, error) {
	in.Role = RoleAdmin
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var admin *core.Record
	err := app.RunInTransaction(func(txApp core.App) error {
		needed, err := SetupNeeded(txApp)
		if err != nil {
			return err
		}
		if !needed {
			return ErrSetupDone
		}
		admin, err = CreateUser(txApp, in)
		return err
	})
	if err != nil {
		return nil, err
	}
	return admin, nil
}

// SignOutEverywhere invalidates every token of user by rotating its token key.
func SignOutEverywhere(app core.App, user *core.Record) error {
	user.RefreshTokenKey()
	if err := app.Save(user); err != nil {
		return fmt.Errorf("sign out %s: %w", user.Email(), err)
	}
	return nil
}

// SetRole gives the user with email a new role. The user hooks refuse to
// demote the last active admin and sign the user out everywhere.
func SetRole(app core.App, email string, role Role) (*core.Record, error) {
	if _, err := ParseRole(string(role)); err != nil {
		return nil, err
	}
	u, err := app.FindAuthRecordByEmail(Users, email)
	if err != nil {
		return nil, fmt.Errorf("no user with email %q", email)
	}
	AsUser(u).SetRole(role)
	if err := app.Save(u); err != nil {
		return nil, fmt.Errorf("set role of %s: %w", email, err)
	}
	return u, nil
}

// ParseRole is the role named s, or an error that lists the roles: the one
// place where a role typed by a person or sent by a client becomes a Role.
func ParseRole(s string) (Role, error) {
	if !IsRole(s) {
		return "", fmt.Errorf("unknown role %q: use one of %s", s, strings.Join(RoleNames(), ", "))
	}
	return Role(s), nil
}
