package collections_test

import (
	"os"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUIVocabularyIsGeneratedFromTheEnums(t *testing.T) {
	got, err := os.ReadFile("../ui/src/lib/vocabulary.gen.ts")
	require.NoError(t, err)
	assert.Equal(t, string(collections.TypeScript()), string(got),
		"ui/src/lib/vocabulary.gen.ts is out of date: run `go generate ./collections`")
}

func TestEveryListHasLabels(t *testing.T) {
	for _, l := range collections.Vocabulary() {
		require.NotEmpty(t, l.Terms, l.Name)
		for _, term := range l.Terms {
			assert.NotEmpty(t, term.Label, "%s %s", l.Name, term.Value)
		}
	}
	assert.Equal(t, "Blue review", collections.Humanize("blue_review"))
}
