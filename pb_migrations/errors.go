package migrations

import "fmt"

func wrap(collection string, err error) error {
	return fmt.Errorf("migrate collection %s: %w", collection, err)
}
