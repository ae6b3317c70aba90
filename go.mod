module github.com/moonbridge-go/moonbridge

go 1.24

require (
	github.com/spf13/pflag v1.1.0
	github.com/yuin/gopher-lua v1.1.2
)
