// Command mbbuild turns a Moonbridge application into one statically linked
// server binary:
//
//	mbbuild app.lua -o server
//
// It compiles app.lua and every module it requires (found in the
// application directory and -I directories) to bytecode, packs them with
// the files named by --embed into a bundle, writes a Go main for the bundle
// from templates/ into a temporary copy of the product's module (which
// mbbuild carries inside itself, dependencies vendored) and runs
// `go build -mod=vendor` with CGO_ENABLED=0. Only a Go toolchain is needed:
// no network, no module cache. The temporary directory is always removed.
//
// mbbuild is a build tool: it must not run the application.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/moonbridge-go/moonbridge/runtime/app"
	"github.com/moonbridge-go/moonbridge/runtime/cli"
	"github.com/spf13/pflag"
)

// options are mbbuild's command line.
type options struct {
	script   string
	output   string
	includes []string
	modules  []string
	embeds   []string
	goos     string
	goarch   string
	goTool   string
	noStrip  bool
	verbose  bool
	quiet    bool
}

// Exit codes of mbbuild, in the spirit of the server's (runtime/cli): 1 is
// a command-line error, 3 an application that cannot be built.
const (
	exitOK    = 0
	exitUsage = 1 // bad option or argument; nothing was read
	exitBuild = 3 // the build failed: missing file, syntax error, module not found, no Go toolchain, go build failed, output not writable, interrupted
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usageText = `Usage: mbbuild [options] APP.lua

Builds APP.lua, the modules it requires and the files given with --embed
into one static server binary. The binary takes mbrun's options (without
the script argument); run it with --help.

Exit status: 0 built, 1 command-line error, 3 build failed.

Options:
`

// run is mbbuild without the process around it; it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts, err := parseArgs(args, stdout)
	if errors.Is(err, pflag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "mbbuild: %v\nRun 'mbbuild --help' for usage.\n", err)
		return exitUsage
	}
	if opts == nil { // --version
		fmt.Fprintf(stdout, "mbbuild (moonbridge %s, %s)\n", app.ProductVersion, runtime.Version())
		return 0
	}
	b := &builder{opts: *opts, log: stderr}
	if err := b.build(ctx); err != nil {
		fmt.Fprintf(stderr, "mbbuild: %v\n", err)
		return exitBuild
	}
	return exitOK
}

// parseArgs parses the command line; it returns nil options for --version.
func parseArgs(args []string, stdout io.Writer) (*options, error) {
	var o options
	fl := pflag.NewFlagSet("mbbuild", pflag.ContinueOnError)
	fl.SortFlags = false
	fl.SetOutput(io.Discard)
	fl.StringVarP(&o.output, "output", "o", "", "write the binary to `FILE` (default: APP without .lua, in the current directory)")
	fl.StringArrayVarP(&o.includes, "include", "I", nil, "also search `DIR` for required modules (repeatable)")
	fl.StringArrayVarP(&o.modules, "module", "m", nil, "bundle module `NAME` even if no constant require names it (repeatable)")
	fl.StringArrayVar(&o.embeds, "embed", nil, "embed the files under `DIR` (repeatable), readable by io.open under their path relative to the application directory")
	fl.StringVar(&o.goos, "os", "", "target operating system `OS` (default: $GOOS or this system's)")
	fl.StringVar(&o.goarch, "arch", "", "target architecture `ARCH` (default: $GOARCH or this machine's)")
	fl.StringVar(&o.goTool, "go", "", "the `GO` command to use (default: go in $PATH, then $GOROOT/bin/go)")
	fl.BoolVar(&o.noStrip, "no-strip", false, "keep symbol tables and debug information in the binary")
	fl.BoolVarP(&o.verbose, "verbose", "v", false, "also show each step's time and result")
	fl.BoolVarP(&o.quiet, "quiet", "q", false, "print nothing but errors and warnings (by default each step prints one line)")
	help := fl.BoolP("help", "h", false, "show this help")
	version := fl.Bool("version", false, "show mbbuild's version")
	if err := fl.Parse(args); err != nil {
		return nil, err
	}
	if *help {
		fmt.Fprint(stdout, usageText+cli.FlagUsages(fl))
		return nil, pflag.ErrHelp
	}
	if *version {
		return nil, nil
	}
	switch fl.NArg() {
	case 0:
		return nil, errors.New("no application given: name the main Lua file, e.g. mbbuild app.lua")
	case 1:
	default:
		return nil, fmt.Errorf("one application at a time, got %d: %s", fl.NArg(), strings.Join(fl.Args(), " "))
	}
	o.script = fl.Arg(0)
	if o.output == "" {
		o.output = strings.TrimSuffix(filepath.Base(o.script), ".lua")
		if o.output == filepath.Base(o.script) {
			o.output += ".bin"
		}
	}
	if o.goos == "" {
		o.goos = envOr("GOOS", runtime.GOOS)
	}
	if o.goarch == "" {
		o.goarch = envOr("GOARCH", runtime.GOARCH)
	}
	if o.goos != "linux" {
		return nil, fmt.Errorf("--os %s: the runtime supports linux only (its workers use Linux process and socket facilities)", o.goos)
	}
	return &o, nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// step runs one stage of the build: one line when it starts (unless -q),
// and with -v one more with its time and result when it ends.
func (b *builder) step(name string, f func() (string, error)) error {
	start := time.Now()
	if !b.opts.quiet {
		fmt.Fprintf(b.log, "mbbuild: %s\n", name)
	}
	detail, err := f()
	if b.opts.verbose && err == nil {
		if detail != "" {
			detail = ": " + detail
		}
		fmt.Fprintf(b.log, "mbbuild:   %8s%s\n", time.Since(start).Round(time.Millisecond), detail)
	}
	return err
}
