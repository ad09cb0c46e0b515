package collections

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/pocketbase/pocketbase/core"
)

// NewUserInput is what it takes to create an Aegis user.
type NewUserInput struct {
	Email    string
	Password string
	Name     string
	Role     string
}

// MinPasswordLength is the password policy's minimum length.
const MinPasswordLength = 10

// Validate checks the input before anything is written.
func (in NewUserInput) Validate() error {
	if _, err := mail.ParseAddress(in.Email); err != nil || !strings.Contains(in.Email, "@") {
		return fmt.Errorf("%q is not a valid email address", in.Email)
	}
	if len(in.Password) < MinPasswordLength {
		return fmt.Errorf("password must be at least %d characters", MinPasswordLength)
	}
	if !IsRole(in.Role) {
		return fmt.Errorf("unknown role %q: use one of %s", in.Role, strings.Join(Roles, ", "))
	}
	return nil
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
	u.Set("name", in.Name)
	u.Set("role", in.Role)
	u.Set("active", true)
	if err := app.Save(u); err != nil {
		return nil, err
	}
	return u, nil
}
