// Command mbrun runs a Moonbridge application straight from its Lua source:
//
//	mbrun [options] [--] app.lua [app arguments...]
//
// See `mbrun --help`; the options are the original moonbridge's.
package main

import (
	"os"

	"github.com/moonbridge-go/moonbridge/runtime/app"
	"github.com/moonbridge-go/moonbridge/runtime/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.Options{
		Command: "mbrun",
		Version: "mbrun " + app.ProductVersion + " (Moonbridge API " + app.MoonbridgeVersion + ")",
	}))
}
