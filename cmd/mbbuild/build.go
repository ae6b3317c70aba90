package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/moonbridge-go/moonbridge/runtime/app"
	"github.com/moonbridge-go/moonbridge/runtime/bundle"
	"github.com/moonbridge-go/moonbridge/templates"
)

// productModule is the Go module path of the product; the generated main
// lives in a package of this module so it can import the runtime.
const productModule = "github.com/moonbridge-go/moonbridge"

// minGoMinor is the oldest Go 1.x release that builds the product (the go
// line of go.mod).
const minGoMinor = 23

// goFallbacks are the usual install locations of Go, tried after $PATH.
var goFallbacks = []string{"/usr/local/go/bin/go", "/usr/lib/go/bin/go"}

// builder holds the state of one build.
type builder struct {
	opts options
	log  io.Writer

	goCmd  string
	appDir string
	output string
	bundle bytes.Buffer
}

func (b *builder) warn(format string, args ...any) {
	fmt.Fprintf(b.log, "mbbuild: warning: "+format+"\n", args...)
}

func (b *builder) build(ctx context.Context) error {
	start := time.Now()
	if err := b.checkInputs(); err != nil {
		return err
	}
	if err := b.step("finding the Go toolchain", b.findGo); err != nil {
		return err
	}
	if err := b.step("compiling "+b.opts.script+" and its modules", b.compile); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "mbbuild-")
	if err != nil {
		return fmt.Errorf("create temporary directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := b.step("writing the Go module", func() (string, error) { return b.writeModule(tmp) }); err != nil {
		return err
	}
	built := filepath.Join(tmp, "server")
	goBuild := fmt.Sprintf("go build for %s/%s (the first build with a Go version takes about a minute, later ones seconds)", b.opts.goos, b.opts.goarch)
	if err := b.step(goBuild, func() (string, error) { return b.goBuild(ctx, tmp, built) }); err != nil {
		return err
	}
	if err := b.step("writing "+b.opts.output, func() (string, error) { return b.install(built) }); err != nil {
		return err
	}
	if !b.opts.quiet {
		fmt.Fprintf(b.log, "mbbuild: built %s in %s\n", b.output, time.Since(start).Round(100*time.Millisecond))
	}
	return nil
}

// checkInputs validates paths before any work: the script exists and the
// output location is writable.
func (b *builder) checkInputs() error {
	st, err := os.Stat(b.opts.script)
	if err != nil {
		return userErrorf("application %s: %v", b.opts.script, errors.Unwrap(err))
	}
	if st.IsDir() {
		return userErrorf("application %s is a directory; name its main Lua file", b.opts.script)
	}
	abs, err := filepath.Abs(b.opts.script)
	if err != nil {
		return fmt.Errorf("application %s: %w", b.opts.script, err)
	}
	b.appDir = filepath.Dir(abs)
	for _, dir := range b.opts.includes {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return userErrorf("-I %s: not a directory", dir)
		}
	}
	for _, dir := range b.opts.embeds {
		if _, err := os.Stat(dir); err != nil {
			return userErrorf("--embed %s: %v", dir, errors.Unwrap(err))
		}
	}
	if b.output, err = filepath.Abs(b.opts.output); err != nil {
		return fmt.Errorf("output %s: %w", b.opts.output, err)
	}
	if st, err := os.Stat(b.output); err == nil && st.IsDir() {
		return userErrorf("output %s is a directory; give a file name with -o", b.opts.output)
	}
	probe, err := os.CreateTemp(filepath.Dir(b.output), ".mbbuild-probe-")
	if err != nil {
		return userErrorf("cannot write output %s: %v", b.opts.output, errors.Unwrap(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}

// findGo locates the go command and checks its version.
func (b *builder) findGo() (string, error) {
	candidates := []string{b.opts.goTool}
	if b.opts.goTool == "" {
		candidates = []string{"go"}
		if root := os.Getenv("GOROOT"); root != "" {
			candidates = append(candidates, filepath.Join(root, "bin", "go"))
		}
		candidates = append(candidates, goFallbacks...)
	}
	for _, c := range candidates {
		if path, err := exec.LookPath(c); err == nil {
			b.goCmd = path
			break
		}
	}
	if b.goCmd == "" {
		if b.opts.goTool != "" {
			return "", userErrorf("--go %s: no such executable", b.opts.goTool)
		}
		return "", userErrorf("no Go toolchain found: mbbuild compiles the server with the go command, which is not in $PATH, $GOROOT/bin or /usr/local/go/bin.\n" +
			"Install Go 1.23 or newer from https://go.dev/dl/ (or your system's package, e.g. apt-get install golang-go) and add its bin directory to PATH, or pass --go /path/to/go")
	}
	out, err := exec.Command(b.goCmd, "env", "GOVERSION").Output()
	if err != nil {
		return "", userErrorf("%s does not work as a Go toolchain (go env GOVERSION: %v)", b.goCmd, err)
	}
	version := strings.TrimSpace(string(out))
	if m := regexp.MustCompile(`^go1\.(\d+)`).FindStringSubmatch(version); m != nil {
		if minor, _ := strconv.Atoi(m[1]); minor < minGoMinor {
			return "", userErrorf("%s is %s; building a server needs Go 1.%d or newer (https://go.dev/dl/)", b.goCmd, version, minGoMinor)
		}
	}
	return b.goCmd + " (" + version + ")", nil
}

// compile resolves and compiles the application and writes the bundle.
func (b *builder) compile() (string, error) {
	r := &resolver{appDir: b.appDir, builtin: runtimeModules(), warn: b.warn}
	for _, dir := range b.opts.includes {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return "", fmt.Errorf("-I %s: %w", dir, err)
		}
		r.includes = append(r.includes, abs)
	}
	main, mods, err := r.resolve(b.opts.script, b.opts.modules)
	if err != nil {
		return "", err
	}
	built := time.Now()
	if epoch := os.Getenv("SOURCE_DATE_EPOCH"); epoch != "" {
		if sec, err := strconv.ParseInt(epoch, 10, 64); err == nil {
			built = time.Unix(sec, 0)
		}
	}
	bw := bundle.NewBuilder(&b.bundle, main.Origin, built, app.ProductVersion)
	if err := bw.SetMain(main.Proto, main.Origin); err != nil {
		return "", err
	}
	var names []string
	for _, m := range mods {
		if err := bw.AddModule(m.Name, m.Origin, m.Proto); err != nil {
			return "", err
		}
		names = append(names, m.Name+" ("+m.Origin+")")
	}
	nfiles, err := b.addAssets(bw)
	if err != nil {
		return "", err
	}
	if err := bw.Close(); err != nil {
		return "", err
	}
	detail := fmt.Sprintf("%s, %d modules, %d embedded files, bundle %d bytes", main.Origin, len(mods), nfiles, b.bundle.Len())
	if len(names) > 0 {
		detail += "\n    modules: " + strings.Join(names, ", ")
	}
	return detail, nil
}

// assetPath is the path under which an embedded file is readable: relative
// to the application directory, or, for a --embed directory outside it,
// relative to that directory's parent (so --embed ../shared/static gives
// static/...).
func (b *builder) assetPath(root, file string) (string, error) {
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return "", err
	}
	absFile, err := filepath.Abs(file)
	if err != nil {
		return "", err
	}
	base := b.appDir
	if rel, err := filepath.Rel(b.appDir, absRoot); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		base = filepath.Dir(absRoot)
	}
	rel, err := filepath.Rel(base, absFile)
	if err != nil {
		return "", err
	}
	return filepath.ToSlash(rel), nil
}

func (b *builder) addAssets(bw *bundle.Builder) (int, error) {
	count := 0
	for _, root := range b.opts.embeds {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				return nil
			}
			if !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0 {
				b.warn("--embed %s: skipping %s (not a regular file)", root, path)
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			rel, err := b.assetPath(root, path)
			if err != nil {
				return err
			}
			count++
			return bw.AddFile(rel, data)
		})
		if err != nil {
			return 0, userErrorf("--embed %s: %v", root, err)
		}
	}
	return count, nil
}

// writeModule writes the product's module, its vendored dependencies, the
// generated main and the bundle into dir.
func (b *builder) writeModule(dir string) (string, error) {
	n, err := writeModule(dir)
	if err != nil {
		return "", err
	}
	mainDir := filepath.Join(dir, "mbapp")
	if err := os.MkdirAll(mainDir, 0o755); err != nil {
		return "", fmt.Errorf("write generated main: %w", err)
	}
	src, err := templates.Main(templates.MainData{Module: productModule, BundleFile: "app.mbb", Command: filepath.Base(b.output)})
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(mainDir, "main.go"), src, 0o644); err != nil {
		return "", fmt.Errorf("write generated main: %w", err)
	}
	if err := os.WriteFile(filepath.Join(mainDir, "app.mbb"), b.bundle.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("write bundle: %w", err)
	}
	return fmt.Sprintf("%d files in %s", n+2, dir), nil
}

// buildEnv is the environment of go build: the user's, minus settings that
// would reach for the network, a workspace or cgo.
func (b *builder) buildEnv(tmp string) []string {
	drop := map[string]bool{"GOFLAGS": true, "GOPROXY": true, "GOTOOLCHAIN": true, "GOWORK": true,
		"CGO_ENABLED": true, "GOOS": true, "GOARCH": true, "GOENV": true}
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !drop[k] {
			env = append(env, kv)
		}
	}
	env = append(env, "CGO_ENABLED=0", "GOFLAGS=", "GOPROXY=off", "GOTOOLCHAIN=local", "GOWORK=off",
		"GOENV=off", "GOOS="+b.opts.goos, "GOARCH="+b.opts.goarch)
	// The build cache normally lives under $HOME; without one (e.g. an
	// empty environment) use a cache that goes away with the build.
	if os.Getenv("GOCACHE") == "" && os.Getenv("HOME") == "" && os.Getenv("XDG_CACHE_HOME") == "" {
		env = append(env, "GOCACHE="+filepath.Join(tmp, "gocache"))
	}
	if os.Getenv("GOPATH") == "" && os.Getenv("HOME") == "" {
		env = append(env, "GOPATH="+filepath.Join(tmp, "gopath"))
	}
	return env
}

func (b *builder) goBuild(ctx context.Context, dir, out string) (string, error) {
	ldflags := "-s -w"
	if b.opts.noStrip {
		ldflags = ""
	}
	args := []string{"build", "-mod=vendor", "-trimpath", "-ldflags=" + ldflags, "-o", out, "./mbapp"}
	cmd := exec.CommandContext(ctx, b.goCmd, args...)
	cmd.Dir = dir
	cmd.Env = b.buildEnv(dir)
	// On interrupt let go stop its compilers itself, so nothing still
	// writes into the temporary directory when it is removed.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	var output bytes.Buffer
	cmd.Stdout = &output
	cmd.Stderr = &output
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", errors.New("build interrupted")
		}
		return "", fmt.Errorf("go build for %s/%s failed (%v); this is a bug in mbbuild or an unsupported target, please report it with this output:\n%s",
			b.opts.goos, b.opts.goarch, err, strings.TrimSpace(output.String()))
	}
	return fmt.Sprintf("%s/%s, CGO_ENABLED=0 %s %s", b.opts.goos, b.opts.goarch, b.goCmd, strings.Join(args, " ")), nil
}

// install copies the built binary to the output path through a temporary
// file in the same directory, so a failed copy leaves no half-written file.
func (b *builder) install(built string) (string, error) {
	data, err := os.ReadFile(built)
	if err != nil {
		return "", fmt.Errorf("read built binary: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(b.output), "."+filepath.Base(b.output)+".tmp-")
	if err != nil {
		return "", userErrorf("cannot write output %s: %v", b.opts.output, errors.Unwrap(err))
	}
	tmpName := f.Name()
	// Written in pieces of 64 KiB, the size the kernel maps around a
	// page fault in a file. One write of the whole binary left it in the
	// page cache as 2 MiB folios (ext4 has large folios since Linux
	// 6.16), and a fault maps a whole folio: every process of a freshly
	// built server then had nearly all of its code and constants
	// resident (an idle worker of examples/webapp after start-up: 4.7 of
	// its 7.1 MiB; written in pieces, 2.3 MiB).
	for rest := data; err == nil && len(rest) > 0; {
		n := min(len(rest), 64<<10)
		_, err = f.Write(rest[:n])
		rest = rest[n:]
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmpName, 0o755)
	}
	if err == nil {
		err = os.Rename(tmpName, b.output)
	}
	if err != nil {
		os.Remove(tmpName)
		return "", userErrorf("cannot write output %s: %v", b.opts.output, err)
	}
	return fmt.Sprintf("%s, %d bytes", b.output, len(data)), nil
}
