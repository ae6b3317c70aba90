package bit32lib

import (
	"testing"

	"github.com/moonbridge-go/moonbridge/stdlib/internal/calltest"
)

func TestCalls(t *testing.T) {
	calltest.Run(t, "bit32", calltest.Lib{Name: "bit32", Open: Open})
}
