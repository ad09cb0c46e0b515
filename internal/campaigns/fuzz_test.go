package campaigns_test

import (
	"testing"
	"time"

	"github.com/aegis-sec/aegis/internal/campaigns"
	"github.com/stretchr/testify/require"
)

// FuzzParseRecurrence: any spec either fails cleanly or yields a schedule
// whose next run is after the time asked about.
func FuzzParseRecurrence(f *testing.F) {
	for _, s := range []string{"0 6 * * 1", "@daily", "@every 720h", "*/15 * * * *", "TZ=Europe/Paris 0 6 * * *", "0 0 31 2 *", "", "61 * * * *"} {
		f.Add(s)
	}
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, spec string) {
		s, err := campaigns.ParseRecurrence(spec)
		if err != nil {
			return
		}
		next := s.Next(at)
		require.False(t, !next.IsZero() && !next.After(at), "%q: next %v not after %v", spec, next, at)
	})
}
