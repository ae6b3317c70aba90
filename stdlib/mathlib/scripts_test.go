package mathlib

import (
	"flag"
	"testing"

	"github.com/moonbridge-go/moonbridge/stdlib/internal/calltest"
)

var update = flag.Bool("update", false, "rewrite testdata/scripts/*.out from lua5.3")

// TestScripts runs testdata/scripts/*.lua and compares their output with
// lua5.3's.
func TestScripts(t *testing.T) {
	calltest.RunScripts(t, *update, calltest.Lib{Name: "math", Open: Open})
}
