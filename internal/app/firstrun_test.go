package app

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFirstRunURL(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"default loopback", []string{"aegis", "serve", "--http", "127.0.0.1:8090"}, "http://127.0.0.1:8090"},
		{"all interfaces", []string{"aegis", "serve", "--http=0.0.0.0:8090"}, "http://127.0.0.1:8090"},
		{"port only", []string{"aegis", "serve", "--http", ":9000"}, "http://127.0.0.1:9000"},
		{"named host on 80", []string{"aegis", "serve", "--http", "aegis.example.org:80"}, "http://aegis.example.org"},
		{"https on 443", []string{"aegis", "serve", "--https", "aegis.example.org:443"}, "https://aegis.example.org"},
		{"https=", []string{"aegis", "serve", "--https=aegis.example.org:8443"}, "https://aegis.example.org:8443"},
		{"ipv6", []string{"aegis", "serve", "--http", "[::1]:8090"}, "http://[::1]:8090"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			addr := c.args[len(c.args)-1]
			if i := strings.IndexByte(addr, '='); i >= 0 {
				addr = addr[i+1:]
			}
			assert.Equal(t, c.want, BaseURL(addr, servesHTTPS(c.args)))
		})
	}
	msg := FirstRunMessage("http://127.0.0.1:8090")
	assert.Contains(t, msg, "http://127.0.0.1:8090/setup")
	assert.Contains(t, msg, "aegis user create")
	assert.NotContains(t, msg, "superuser")
}
