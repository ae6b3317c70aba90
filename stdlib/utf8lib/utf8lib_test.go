package utf8lib

import (
	"testing"

	"github.com/moonbridge-go/moonbridge/stdlib/internal/calltest"
)

func TestCalls(t *testing.T) {
	calltest.Run(t, "utf8", calltest.Lib{Name: "utf8", Open: Open})
}
