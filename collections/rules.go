package collections

import "strings"

// API rule expressions shared by the migrations. A nil rule (superusers only)
// is written as nil in the migration itself; these helpers cover the rest.

// Authed matches any signed-in, active Aegis user. Superusers bypass rules.
const Authed = "@request.auth.id != '' && @request.auth.collectionName = 'users' && @request.auth.active = true"

// RoleIn matches signed-in active users holding one of roles.
func RoleIn(roles ...Role) string {
	parts := make([]string, len(roles))
	for i, r := range roles {
		parts[i] = "@request.auth.role = '" + string(r) + "'"
	}
	return Authed + " && (" + strings.Join(parts, " || ") + ")"
}

// NotBlueOrRevealed hides unrevealed tests of blind campaigns from blue roles.
// prefix is the path to the test record ("" for tests, "test." for children).
func NotBlueOrRevealed(prefix string) string {
	return "(" + prefix + "revealed = true || (@request.auth.role != '" + string(RoleBlueLead) + "' && @request.auth.role != '" + string(RoleBlueAnalyst) + "'))"
}
