package jobs_test

import (
	"testing"
	"time"

	"github.com/aegis-sec/aegis/internal/jobs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNextRun(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse("2006-01-02 15:04", s)
		require.NoError(t, err)
		return v
	}
	for _, tc := range []struct {
		expr, from, want string
	}{
		{"0 2 * * *", "2026-11-30 01:59", "2026-11-30 02:00"},
		{"0 2 * * *", "2026-11-30 02:00", "2026-12-01 02:00"}, // strictly after
		{"@daily", "2026-12-31 23:30", "2027-01-01 00:00"},
		{"0 4 * * 0", "2026-11-30 04:00", "2026-12-06 04:00"}, // 30 Nov 2026 is a Monday
		{"*/15 * * * *", "2026-11-30 10:07", "2026-11-30 10:15"},
		{"30 1 * * *", "2026-11-30 01:29", "2026-11-30 01:30"},
		{"0 0 29 2 *", "2026-03-01 00:00", "2028-02-29 00:00"}, // leap day
		{"@weekly", "2026-11-30 00:00", "2026-12-06 00:00"},
		{"0 0 31 2 *", "2026-01-01 00:00", ""}, // never
	} {
		t.Run(tc.expr+" after "+tc.from, func(t *testing.T) {
			got := jobs.NextRun(tc.expr, at(tc.from))
			want := time.Time{}
			if tc.want != "" {
				want = at(tc.want)
			}
			assert.True(t, got.Equal(want), "NextRun(%q, %s) = %s, want %s", tc.expr, tc.from, got, want)
			// Next agrees with the cron's own IsDue.
			if !got.IsZero() {
				s, _ := jobs.ParseSchedule(tc.expr)
				assert.True(t, jobs.IsDue(s, got), "%q: next %s is not due by the cron's rule", tc.expr, got)
				for m := at(tc.from).Add(time.Minute); m.Before(got) && m.Sub(at(tc.from)) < 8*24*time.Hour; m = m.Add(time.Minute) {
					if !assert.False(t, jobs.IsDue(s, m), "%q: %s is due but Next skipped it", tc.expr, m) {
						break
					}
				}
			}
		})
	}
	assert.True(t, jobs.NextRun("", time.Now()).IsZero(), "empty or invalid expressions have no next run")
	assert.True(t, jobs.NextRun("not cron", time.Now()).IsZero(), "empty or invalid expressions have no next run")
}

// FuzzNextRun: any expression and instant must give an answer quickly and
// never panic; a next run is strictly later, due by the cron's own rule, and
// nothing between is due.
func FuzzNextRun(f *testing.F) {
	for _, s := range []string{"0 2 * * *", "@weekly", "*/7 1-5 * 2,4 0", "0 0 31 2 *", "59 23 29 2 *", "* * * * *", "", "a b c d e", "1-99/0 * * * *"} {
		f.Add(s, int64(1796000000))
	}
	f.Fuzz(func(t *testing.T, expr string, unix int64) {
		from := time.Unix(unix%(1<<34), 0).UTC()
		next := jobs.NextRun(expr, from)
		if next.IsZero() {
			return
		}
		require.True(t, next.After(from), "%q from %s: next %s not after", expr, from, next)
		s, err := jobs.ParseSchedule(expr)
		require.NoError(t, err, "%q has a next run but does not parse", expr)
		require.True(t, jobs.IsDue(s, next), "%q: next %s not due", expr, next)
		if gap := next.Sub(from); gap < 48*time.Hour {
			for m := from.Truncate(time.Minute).Add(time.Minute); m.Before(next); m = m.Add(time.Minute) {
				require.False(t, jobs.IsDue(s, m), "%q: %s due before next %s", expr, m, next)
			}
		}
	})
}
