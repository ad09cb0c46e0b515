package jobs

import (
	"fmt"
	"time"

	"github.com/pocketbase/pocketbase/tools/cron"
)

// ParseSchedule parses a cron expression in the syntax app.Cron() accepts
// (five fields min hour dom month dow, or @daily, @weekly…), so what a job or
// an integration stores is exactly what the scheduler runs.
func ParseSchedule(expr string) (*cron.Schedule, error) {
	s, err := cron.NewSchedule(expr)
	if err != nil {
		return nil, fmt.Errorf("schedule %q: %w", expr, err)
	}
	return s, nil
}

// IsDue reports whether the schedule fires in the minute of t (UTC, like
// the PocketBase cron ticker).
func IsDue(s *cron.Schedule, t time.Time) bool {
	return s.IsDue(cron.NewMoment(t.UTC()))
}

// nextHorizon bounds the search for the next run: a schedule such as
// "0 0 31 2 *" (never) must not loop forever.
const nextHorizon = 5 * 366 * 24 * time.Hour

// Next returns the first minute strictly after t at which s fires, in UTC,
// or the zero time when it never fires within five years. It skips whole
// months, days and hours that cannot match, so it costs at most a few
// thousand steps.
func Next(s *cron.Schedule, t time.Time) time.Time {
	t = t.UTC().Truncate(time.Minute).Add(time.Minute)
	end := t.Add(nextHorizon)
	for t.Before(end) {
		if _, ok := s.Months[int(t.Month())]; !ok {
			t = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC)
			continue
		}
		_, dayOK := s.Days[t.Day()]
		_, dowOK := s.DaysOfWeek[int(t.Weekday())]
		if !dayOK || !dowOK {
			t = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, time.UTC)
			continue
		}
		if _, ok := s.Hours[t.Hour()]; !ok {
			t = t.Truncate(time.Hour).Add(time.Hour)
			continue
		}
		if _, ok := s.Minutes[t.Minute()]; !ok {
			t = t.Add(time.Minute)
			continue
		}
		return t
	}
	return time.Time{}
}

// NextRun returns the next time expr fires after t, or the zero time for an
// empty or invalid expression.
func NextRun(expr string, t time.Time) time.Time {
	if expr == "" {
		return time.Time{}
	}
	s, err := ParseSchedule(expr)
	if err != nil {
		return time.Time{}
	}
	return Next(s, t)
}
