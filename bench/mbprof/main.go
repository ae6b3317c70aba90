// Command mbprof is mbrun with CPU profiling, for mbbench -profile: when
// MBBENCH_PPROF_DIR is set, every process it becomes (the master and each
// re-executed worker) writes DIR/cpu-<pid>.pprof and, at its end,
// DIR/heap-<pid>.pprof. Inspect them with `go tool pprof`.
//
// It is a measuring aid, not a product binary: it must not be shipped or
// change the runtime's behaviour beyond profiling.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"

	"github.com/moonbridge-go/moonbridge/runtime/app"
	"github.com/moonbridge-go/moonbridge/runtime/cli"
)

func main() {
	stop := startProfile(os.Getenv("MBBENCH_PPROF_DIR"))
	code := cli.Main(os.Args[1:], cli.Options{
		Command: "mbrun",
		Version: "mbrun " + app.ProductVersion + " (Moonbridge API " + app.MoonbridgeVersion + ", profiling)",
	})
	stop()
	os.Exit(code)
}

// startProfile starts a CPU profile in dir ("" : none) and returns the
// function that ends it and writes a heap profile.
func startProfile(dir string) func() {
	if dir == "" {
		return func() {}
	}
	pid := os.Getpid()
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("cpu-%d.pprof", pid)))
	if err != nil {
		fmt.Fprintf(os.Stderr, "mbprof: %v\n", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintf(os.Stderr, "mbprof: %v\n", err)
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
		h, err := os.Create(filepath.Join(dir, fmt.Sprintf("heap-%d.pprof", pid)))
		if err != nil {
			fmt.Fprintf(os.Stderr, "mbprof: %v\n", err)
			return
		}
		runtime.GC()
		pprof.WriteHeapProfile(h)
		h.Close()
	}
}
