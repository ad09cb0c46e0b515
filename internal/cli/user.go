package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/audit"
	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
)

func userCommand(pb *pocketbase.PocketBase) *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage Aegis users"}
	cmd.AddCommand(userCreateCommand(pb), userListCommand(pb), userSetRoleCommand(pb), userDeleteCommand(pb))
	return cmd
}

func userCreateCommand(pb *pocketbase.PocketBase) *cobra.Command {
	var role, name string
	var asJSON bool
	create := &cobra.Command{
		Use:   "create EMAIL PASSWORD",
		Short: "Create an active user with a role (admin, red_lead, red_operator, blue_lead, blue_analyst, viewer)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var u *core.Record
			err := pb.RunInTransaction(func(txApp core.App) error {
				audit.Bind(txApp, audit.System("cli"))
				r, err := collections.ParseRole(role)
				if err != nil {
					return err
				}
				u, err = collections.CreateUser(txApp, collections.NewUserInput{
					Email: args[0], Password: args[1], Name: name, Role: r,
				})
				return err
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
	create.Flags().StringVar(&role, "role", string(collections.RoleViewer), "role of the new user")
	create.Flags().StringVar(&name, "name", "", "display name")
	create.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return create
}

// userRow is one line of `aegis user list`.
type userRow struct {
	Id      string           `json:"id"`
	Email   string           `json:"email"`
	Name    string           `json:"name"`
	Role    collections.Role `json:"role"`
	Active  bool             `json:"active"`
	Created string           `json:"created"`
}

func userListCommand(pb *pocketbase.PocketBase) *cobra.Command {
	var asJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List users with their roles",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			users, err := pb.FindRecordsByFilter(collections.Users, "", "email", 0, 0)
			if err != nil {
				return fmt.Errorf("list users: %w", err)
			}
			rows := make([]userRow, 0, len(users))
			for _, u := range users {
				rows = append(rows, userRow{Id: u.Id, Email: u.Email(), Name: u.GetString("name"),
					Role: collections.RoleOf(u), Active: u.GetBool("active"), Created: u.GetString("created")})
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), rows)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "EMAIL\tROLE\tACTIVE\tNAME\tID")
			for _, r := range rows {
				fmt.Fprintf(w, "%s\t%s\t%t\t%s\t%s\n", r.Email, r.Role, r.Active, r.Name, r.Id)
			}
			return w.Flush()
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, "print the users as JSON")
	return list
}

func userSetRoleCommand(pb *pocketbase.PocketBase) *cobra.Command {
	var asJSON bool
	setRole := &cobra.Command{
		Use:   "set-role EMAIL ROLE",
		Short: "Change a user's role (signs them out everywhere; the last active admin cannot be demoted)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var u *core.Record
			err := pb.RunInTransaction(func(txApp core.App) error {
				audit.Bind(txApp, audit.System("cli"))
				r, err := collections.ParseRole(args[1])
				if err != nil {
					return err
				}
				u, err = collections.SetRole(txApp, args[0], r)
				return err
			})
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), map[string]any{"id": u.Id, "email": u.Email(), "role": args[1]})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s now has role %s\n", u.Email(), args[1])
			return nil
		},
	}
	setRole.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return setRole
}

func userDeleteCommand(pb *pocketbase.PocketBase) *cobra.Command {
	return &cobra.Command{
		Use:   "delete EMAIL...",
		Short: "Delete users (all or none; the last active admin cannot be deleted; their history stays in the audit log)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			err := pb.RunInTransaction(func(txApp core.App) error {
				audit.Bind(txApp, audit.System("cli"))
				for _, email := range args {
					u, err := txApp.FindAuthRecordByEmail(collections.Users, email)
					if err != nil {
						return fmt.Errorf("no user with email %q", email)
					}
					if err := txApp.Delete(u); err != nil {
						return fmt.Errorf("delete %s: %w", email, err)
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "deleted %d user(s)\n", len(args))
			return nil
		},
	}
}
