package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"
)

// FlagUsages formats the options of fs one per line, GNU style:
// "-l, --logfile FILE   text". The argument name comes from a `NAME` in
// backquotes in the usage text; boolean options take none.
func FlagUsages(fs *pflag.FlagSet) string {
	type row struct{ left, right string }
	var rows []row
	width := 0
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		name, usage := pflag.UnquoteUsage(f)
		left := "    "
		if f.Shorthand != "" {
			left = "-" + f.Shorthand + ", "
		}
		left += "--" + f.Name
		if f.Value.Type() != "bool" {
			if name == "" || name == "string" || name == "stringArray" {
				name = "VALUE"
			}
			left += " " + name
		}
		if f.DefValue != "" && f.Value.Type() != "bool" && f.Value.Type() != "stringArray" {
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		rows = append(rows, row{left, usage})
		width = max(width, len(left))
	})
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, r.left, r.right)
	}
	return b.String()
}
