package security

import (
	"encoding/base32"
	"testing"
	"time"

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
		if got := hotp(key, uint64(c.unix/30), 8); got != c.want {
			t.Errorf("T=%d: got %s, want %s", c.unix, got, c.want)
		}
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
		if got := VerifyTOTP(secret, c.code, c.at); got != c.want {
			t.Errorf("%s: VerifyTOTP = %v, want %v", c.name, got, c.want)
		}
	}
	if VerifyTOTP("not base32!!", code, now) {
		t.Error("a malformed secret verified")
	}
}

func TestNewTOTPSecretIsUniqueAndUsable(t *testing.T) {
	a, _ := NewTOTPSecret()
	b, _ := NewTOTPSecret()
	if a == b || len(a) != 32 {
		t.Fatalf("secrets %q %q", a, b)
	}
	code, err := TOTPCode(a, time.Now())
	if err != nil || !VerifyTOTP(a, code, time.Now()) {
		t.Fatalf("fresh secret does not verify: %v", err)
	}
	uri := TOTPURI(a, "ana@example.org", "Aegis")
	if want := "otpauth://totp/Aegis:ana@example.org?"; uri[:len(want)] != want {
		t.Fatalf("uri %s", uri)
	}
}
