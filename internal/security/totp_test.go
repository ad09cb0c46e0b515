package security

import (
	"encoding/base32"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// RFC 6238 appendix B test vectors for SHA1 (8 digits, key "12345678901234567890").
func TestHOTPMatchesRFC6238Vectors(t *testing.T) {
	key := []byte("12345678901234567890")
	cases := []struct {
		unix int64
		want string
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("T=%d", c.unix), func(t *testing.T) {
			assert.Equal(t, c.want, hotp(key, uint64(c.unix/30), 8), "the RFC 6238 code at T=%d", c.unix)
		})
	}
}

func TestVerifyTOTPWindow(t *testing.T) {
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString([]byte("12345678901234567890"))
	now := time.Unix(1111111111, 0)
	code, err := TOTPCode(secret, now)
	require.NoError(t, err)
	cases := []struct {
		name string
		code string
		at   time.Time
		want bool
	}{
		{"same step", code, now, true},
		{"one step late", code, now.Add(30 * time.Second), true},
		{"one step early", code, now.Add(-30 * time.Second), true},
		{"two steps late", code, now.Add(61 * time.Second), false},
		{"wrong code", "000000", now, code == "000000"},
		{"too short", code[:5], now, false},
		{"spaces tolerated", code[:3] + " " + code[3:], now, true},
		{"letters", "abcdef", now, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, VerifyTOTP(secret, c.code, c.at), "VerifyTOTP accepts the code")
		})
	}
	assert.False(t, VerifyTOTP("not base32!!", code, now), "a malformed secret verified")
}

func TestNewTOTPSecretIsUniqueAndUsable(t *testing.T) {
	a, _ := NewTOTPSecret()
	b, _ := NewTOTPSecret()
	require.NotEqual(t, b, a, "secrets %q %q", a, b)
	require.Len(t, a, 32, "secrets %q %q", a, b)
	code, err := TOTPCode(a, time.Now())
	require.NoError(t, err, "fresh secret does not verify")
	require.True(t, VerifyTOTP(a, code, time.Now()), "fresh secret does not verify: %v", err)
	uri := TOTPURI(a, "ana@example.org", "Aegis")
	want := "otpauth://totp/Aegis:ana@example.org?"
	require.Equal(t, want, uri[:len(want)], "uri %s", uri)
}
