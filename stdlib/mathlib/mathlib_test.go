package mathlib

import (
	"testing"

	"github.com/moonbridge-go/moonbridge/stdlib/internal/calltest"
)

func TestCalls(t *testing.T) {
	calltest.Run(t, "math", calltest.Lib{Name: "math", Open: Open})
}
