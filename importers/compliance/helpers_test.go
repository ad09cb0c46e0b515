package compliance_test

import (
	"fmt"
	"strings"
)

// fmtSscan reads the count at the start of "… catalogue: N control mapping(s) …".
func fmtSscan(reason string, n *int) (int, error) {
	i := strings.LastIndex(reason, ": ")
	return fmt.Sscan(reason[i+2:], n)
}
