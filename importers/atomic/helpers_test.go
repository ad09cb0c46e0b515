package atomic_test

import (
	"io"

	"github.com/aegis-sec/aegis/importers/source"
)

type sourceEntry = source.Entry

func readAll(e source.Entry) ([]byte, error) { return io.ReadAll(e.Body) }
