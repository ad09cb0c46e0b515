package cli

import (
	"fmt"

	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase"
	"github.com/spf13/cobra"
)

func userCommand(pb *pocketbase.PocketBase) *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage Aegis users"}
	var role, name string
	var asJSON bool
	create := &cobra.Command{
		Use:   "create EMAIL PASSWORD",
		Short: "Create an active user with a role (admin, red_lead, red_operator, blue_lead, blue_analyst, viewer)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			u, err := collections.CreateUser(pb, collections.NewUserInput{
				Email: args[0], Password: args[1], Name: name, Role: role,
			})
			if err != nil {
				return fmt.Errorf("create user %s: %w", args[0], err)
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), map[string]any{"id": u.Id, "email": u.Email(), "role": role})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "created %s (%s) with role %s\n", u.Email(), u.Id, role)
			return nil
		},
	}
	create.Flags().StringVar(&role, "role", collections.RoleViewer, "role of the new user")
	create.Flags().StringVar(&name, "name", "", "display name")
	create.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	cmd.AddCommand(create)
	return cmd
}
