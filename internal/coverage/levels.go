package coverage

import (
	"image/color"
	"strconv"
	"strings"
)

// LevelColors colour the levels in the heatmap, the layer and the report.
var LevelColors = map[string]string{
	LevelNone:       "#e5e7eb",
	LevelLow:        "#f87171",
	LevelPartial:    "#fbbf24",
	LevelGood:       "#34d399",
	LevelValidated:  "#059669",
	LevelOutOfScope: "#ffffff",
}

// LevelOrder lists the levels for legends.
var LevelOrder = []string{LevelNone, LevelLow, LevelPartial, LevelGood, LevelValidated, LevelOutOfScope}

// HexRGBA turns "#rrggbb" (a LevelColors value) into a colour for raster
// output; anything else is light grey.
func HexRGBA(s string) color.RGBA {
	s = strings.TrimPrefix(s, "#")
	if len(s) != 6 {
		return color.RGBA{200, 200, 200, 255}
	}
	v, err := strconv.ParseUint(s, 16, 32)
	if err != nil {
		return color.RGBA{200, 200, 200, 255}
	}
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}
}
