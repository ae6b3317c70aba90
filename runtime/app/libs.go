package app

import (
	"github.com/moonbridge-go/moonbridge/stdlib/compat"
	"github.com/moonbridge-go/moonbridge/stdlib/mbhttp"
	"github.com/moonbridge-go/moonbridge/stdlib/mbio"
)

func init() {
	stateOptions = compat.Options
	Libraries = append(Libraries, compat.Open, mbio.Open, mbhttp.Open)
}
