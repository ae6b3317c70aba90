package main

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/moonbridge-go/moonbridge/bench/internal/benchutil"
)

// bench holds what every row needs: the commands of both sides and the
// results rows share.
type bench struct {
	cfg           *config
	tmp           string
	via           string            // how our server actually runs: "mbbuild" or "mbrun"
	viaNote       string            // why it fell back, if it did
	ours          map[string]string // app name -> built binary (via mbbuild)
	mbrun         string            // mbrun (or mbprof) binary
	self          string            // this program, for the net/http server
	helloMax      [2]float64        // keep-alive hello req/s of ours and net/http, for the latency row
	latencyGo     sideResult        // net/http's latency row, shared with the worker-mode latency rows
	latencyGoDone bool
	hello         [2]sideResult
}

var apps = []string{"hello", "form", "upload", "webapp"}

// appSource is the Lua source of an application: bench/apps/APP.lua, or
// for webapp the documented example, examples/webapp/webapp.lua.
func appSource(repo, app string) string {
	if app == "webapp" {
		return filepath.Join(repo, "examples", "webapp", "webapp.lua")
	}
	return filepath.Join(repo, "bench", "apps", app+".lua")
}

// prepare builds our server the way cfg asks.
func prepare(cfg *config, tmp string) (*bench, error) {
	b := &bench{cfg: cfg, tmp: tmp, ours: map[string]string{}}
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("locate mbbench itself: %w", err)
	}
	b.self = self
	runner := "./cmd/mbrun"
	if cfg.profileDir != "" {
		runner = "./bench/mbprof"
		if err := os.MkdirAll(cfg.profileDir, 0o755); err != nil {
			return nil, fmt.Errorf("profile directory: %w", err)
		}
		cfg.profileDir, _ = filepath.Abs(cfg.profileDir)
	}
	benchutil.Logf("building %s", runner)
	b.mbrun = filepath.Join(tmp, "mbrun")
	if err := goBuild(cfg.repo, b.mbrun, runner); err != nil {
		return nil, err
	}
	b.via = "mbrun"
	if cfg.via == "mbbuild" && cfg.profileDir == "" {
		if err := b.buildApps(); err != nil {
			b.viaNote = "mbbuild failed, rows ran with mbrun: " + benchutil.OneLine(err.Error(), 200)
			benchutil.Logf("%s", b.viaNote)
		} else {
			b.via = "mbbuild"
		}
	}
	return b, nil
}

// buildApps builds cmd/mbbuild and one server binary per application.
func (b *bench) buildApps() error {
	benchutil.Logf("building ./cmd/mbbuild and the applications")
	mbbuild := filepath.Join(b.tmp, "mbbuild")
	if err := goBuild(b.cfg.repo, mbbuild, "./cmd/mbbuild"); err != nil {
		return err
	}
	for _, a := range apps {
		out := filepath.Join(b.tmp, a+"-server")
		src := appSource(b.cfg.repo, a)
		cmd := exec.Command(mbbuild, src, "-o", out)
		if msg, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("mbbuild %s: %v\n%s", src, err, msg)
		}
		b.ours[a] = out
	}
	return nil
}

// ourCmd is the command of our server for an application, with mode flags.
func (b *bench) ourCmd(app string, mode *workerMode) serverCmd {
	sc := serverCmd{name: "moonbridge-" + app}
	var flags []string
	if mode != nil {
		sc.name += "-" + mode.name
		flags = append(flags, mode.flags...)
	}
	if b.via == "mbbuild" {
		sc.path = b.ours[app]
		sc.args = append(flags, "--")
	} else {
		sc.path = b.mbrun
		sc.args = append(flags, appSource(b.cfg.repo, app))
	}
	sc.env = append(sc.env, b.cfg.ourEnv...)
	if b.cfg.profileDir != "" {
		sc.env = append(sc.env, "MBBENCH_PPROF_DIR="+b.cfg.profileDir)
	}
	return sc
}

func (b *bench) goCmd() serverCmd {
	return serverCmd{name: "net-http", path: b.self, args: []string{"-serve-nethttp"}}
}

// loadOn starts a server, waits for it, runs the load and stops it.
// workers > 0 is passed to the application as its worker count; with
// waitProcs, loadOn also waits for that many worker processes.
func (b *bench) loadOn(sc serverCmd, workers int, waitProcs bool, spec loadSpec) (*loadResult, *usage, error) {
	var appArgs []string
	if workers > 0 {
		appArgs = []string{fmt.Sprint(workers)}
	}
	srv, err := startServer(sc, b.tmp, appArgs...)
	if err != nil {
		return nil, nil, err
	}
	defer srv.stop()
	procs := 0
	if waitProcs {
		procs = workers
	}
	if err := srv.waitReady(procs, 30*time.Second); err != nil {
		return nil, nil, err
	}
	spec.addr = srv.addr
	var smp *sampler
	spec.onMeasure = func() {
		smp = startSampler(srv.tree, 100*time.Millisecond)
	}
	res, err := runLoad(spec)
	if err != nil {
		return nil, nil, err
	}
	use := smp.stop()
	benchutil.Logf("  %s: %d requests in %v, %d errors, CPU: server %.2fs, client %.2fs, other processes %.2fs",
		sc.name, res.requests, res.elapsed.Round(time.Millisecond), res.errors, use.cpu.Seconds(), use.client.Seconds(), use.others.Seconds())
	if res.requests == 0 {
		return nil, nil, fmt.Errorf("no request succeeded: %v", res.firstErr)
	}
	if res.errors > 0 {
		benchutil.Logf("  first error: %v", res.firstErr)
	}
	return res, &use, nil
}

func rateResult(res *loadResult, use *usage, err error) sideResult {
	if err != nil {
		return sideResult{err: err}
	}
	text := fmt.Sprintf("%.0f req/s", res.perSecond())
	if res.errors > 0 {
		text += fmt.Sprintf(" (%d errors)", res.errors)
	}
	return sideResult{text: text, value: res.perSecond(), use: use}
}

const helloBody = "Hello World!\n"

func helloRequest(closeEach bool) []byte {
	req := "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: mbbench\r\nAccept: */*\r\n"
	if closeEach {
		req += "Connection: close\r\n"
	}
	return []byte(req + "\r\n")
}

func (b *bench) spec(req []byte, conns int, closeEach bool, expect string) loadSpec {
	return loadSpec{
		request: req, conns: conns, closeEach: closeEach, expectBody: []byte(expect),
		warmup: b.cfg.warmup, duration: b.cfg.duration, maxRequests: b.cfg.maxRequests,
	}
}

// helloRow: hello world at full speed, keep-alive or a connection per request.
func (b *bench) helloRow(t *table, closeEach bool) {
	conns := b.cfg.conns
	what := fmt.Sprintf("hello world, keep-alive, %d conns", conns)
	if closeEach {
		what = fmt.Sprintf("hello world, Connection: close, %d clients", conns)
	}
	benchutil.Logf("%s", what)
	spec := b.spec(helloRequest(closeEach), conns, closeEach, helloBody)
	// One worker per keep-alive connection (a connection holds its worker),
	// plus two spare.
	ours := rateResult(b.loadOn(b.ourCmd("hello", nil), conns+2, true, spec))
	theirs := rateResult(b.loadOn(b.goCmd(), 0, false, spec))
	if !closeEach {
		b.helloMax = [2]float64{ours.value, theirs.value}
		b.hello = [2]sideResult{ours, theirs}
		if !b.cfg.rows["hello"] {
			return
		}
	}
	t.add(row{what: what, target: ">= 50% of net/http", ours: ours, theirs: theirs, ratio: true,
		verdict: verdict(ours.err == nil && theirs.err == nil && ours.value >= 0.5*theirs.value, ours)})
}

// formBody is a 1 KiB urlencoded body of 10 fields f1..f10 (letters,
// '+' for spaces and %XX escapes) and the length of f10 once decoded.
func formBody() (body string, f10Len int, err error) {
	const size = 1024
	words := []string{"alpha", "beta%2C", "gamma", "delta%26", "caf%C3%A9", "zeta", "eta%3D", "theta"}
	fields := make([]string, 10)
	for i := range fields {
		var v strings.Builder
		for j := i; v.Len() < 90; j++ {
			if v.Len() > 0 {
				v.WriteByte('+')
			}
			v.WriteString(words[j%len(words)])
		}
		fields[i] = fmt.Sprintf("f%d=%s", i+1, v.String())
	}
	body = strings.Join(fields, "&")
	// Pad the last field with letters to exactly size bytes.
	if pad := size - len(body); pad > 0 {
		body += strings.Repeat("x", pad)
		fields[9] += strings.Repeat("x", pad)
	} else {
		body, fields[9] = body[:size], fields[9][:len(fields[9])+size-len(body)]
	}
	v, err := url.QueryUnescape(strings.TrimPrefix(fields[9], "f10="))
	if err != nil {
		return "", 0, fmt.Errorf("form body: %w", err)
	}
	return body, len(v), nil
}

func (b *bench) formRow(t *table) {
	conns := b.cfg.conns
	what := fmt.Sprintf("POST 1 KiB form, 10 fields -> post_params, keep-alive, %d conns", conns)
	benchutil.Logf("%s", what)
	body, f10, err := formBody()
	if err != nil {
		t.add(row{what: what, target: ">= 35% of net/http (ParseForm)", ours: sideResult{err: err}, theirs: sideResult{err: err}, verdict: "n/a"})
		return
	}
	req := fmt.Sprintf("POST /form HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: mbbench\r\n"+
		"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	spec := b.spec([]byte(req), conns, false, fmt.Sprintf("10 %d\n", f10))
	ours := rateResult(b.loadOn(b.ourCmd("form", nil), conns+2, true, spec))
	theirs := rateResult(b.loadOn(b.goCmd(), 0, false, spec))
	t.add(row{what: what, target: ">= 35% of net/http (ParseForm)", ours: ours, theirs: theirs, ratio: true,
		verdict: verdict(ours.err == nil && theirs.err == nil && ours.value >= 0.35*theirs.value, ours)})
}

func (b *bench) uploadRow(t *table) {
	what := fmt.Sprintf("%d MiB multipart upload, streamed (stream_post_param)", b.cfg.uploadMiB)
	benchutil.Logf("%s", what)
	size := int64(b.cfg.uploadMiB) << 20
	ours := b.uploadSide(b.ourCmd("upload", nil), 2, size)
	theirs := b.uploadSide(b.goCmd(), 0, size)
	ok := false
	if ours.err == nil {
		ours.text += ", worker " + benchutil.MiB(ours.use.peakWorkerRSS)
		ok = ours.value >= 300 && ours.use.peakWorkerRSS < 64<<20
	}
	t.add(row{what: what, target: ">= 300 MiB/s, worker RSS < 64 MiB", ours: ours, theirs: theirs, ratio: true,
		verdict: verdict(ok, ours)})
}

// uploadSide measures the median of cfg.uploads uploads on one server.
func (b *bench) uploadSide(sc serverCmd, workers int, size int64) sideResult {
	var appArgs []string
	if workers > 0 {
		appArgs = []string{fmt.Sprint(workers)}
	}
	srv, err := startServer(sc, b.tmp, appArgs...)
	if err != nil {
		return sideResult{err: err}
	}
	defer srv.stop()
	if err := srv.waitReady(workers, 30*time.Second); err != nil {
		return sideResult{err: err}
	}
	smp := startSampler(srv.tree, 10*time.Millisecond)
	var rates []float64
	for i := 0; i < b.cfg.uploads; i++ {
		d, err := upload("http://"+srv.addr+"/upload", size)
		if err != nil {
			smp.stop()
			return sideResult{err: err}
		}
		rates = append(rates, float64(size)/(1<<20)/d.Seconds())
	}
	use := smp.stop()
	sort.Float64s(rates)
	med := rates[len(rates)/2]
	benchutil.Logf("  %s: %.0f MiB/s (runs %.0f), CPU: server %.2fs, client %.2fs, other processes %.2fs; peak worker RSS %s",
		sc.name, med, rates, use.cpu.Seconds(), use.client.Seconds(), use.others.Seconds(), benchutil.MiB(use.peakWorkerRSS))
	return sideResult{text: fmt.Sprintf("%.0f MiB/s", med), value: med, use: &use}
}

// idleRow: resident memory of an idle worker of the documented example,
// examples/webapp, after start-up and after 1000 requests.
func (b *bench) idleRow(t *table) {
	what := fmt.Sprintf("idle worker of examples/webapp after %d requests, resident memory", idleRequests)
	benchutil.Logf("%s", what)
	ours := b.idleSide(b.ourCmd("webapp", nil), 1)
	theirs := b.idleSide(b.goCmd(), 0)
	ok := ours.err == nil && ours.value < 4
	t.add(row{what: what, target: "< 4 MiB", ours: ours, theirs: theirs, verdict: verdict(ok, ours)})
}

const (
	idleRequests = 1000
	// idleSettle is how long a server is left alone before its memory is
	// read: longer than the second after which an idle worker process
	// gives memory back (runtime/worker/memory.go).
	idleSettle = 1500 * time.Millisecond
)

// idleSide starts the server with the application's own pool, reads the
// largest worker's memory once it is idle after start-up, serves
// idleRequests requests (GET /, each on its own connection, 4 at a time)
// and reads it again once idle. The value is the resident memory after
// the requests; the text also gives its anonymous and file-backed parts,
// the figure after start-up and PSS (shared pages split among their
// users). For net/http the process itself is measured.
func (b *bench) idleSide(sc serverCmd, workers int) sideResult {
	srv, err := startServer(sc, b.tmp)
	if err != nil {
		return sideResult{err: err}
	}
	defer srv.stop()
	settle := func() error {
		if err := srv.waitReady(workers, 30*time.Second); err != nil {
			return err
		}
		time.Sleep(idleSettle)
		return nil
	}
	if err := settle(); err != nil {
		return sideResult{err: err}
	}
	first, _, err := largestMemory(srv, workers > 0)
	if err != nil {
		return sideResult{err: err}
	}
	errs := make(chan error, 4)
	for c := 0; c < 4; c++ {
		go func() {
			for i := 0; i < idleRequests/4; i++ {
				if err := probe(srv.addr, helloRequest(true)); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for c := 0; c < 4; c++ {
		if e := <-errs; e != nil && err == nil {
			err = e
		}
	}
	if err != nil {
		return sideResult{err: err}
	}
	if err := settle(); err != nil {
		return sideResult{err: err}
	}
	m, n, err := largestMemory(srv, workers > 0)
	if err != nil {
		return sideResult{err: err}
	}
	text := fmt.Sprintf("%s (anon %.1f, file %.1f; start-up %.1f; PSS %.1f)", benchutil.MiB(m.rss),
		float64(m.anon)/(1<<20), float64(m.rss-m.anon)/(1<<20), float64(first.rss)/(1<<20), float64(m.pss)/(1<<20))
	benchutil.Logf("  %s: %d processes measured, largest: %s", sc.name, n, text)
	return sideResult{text: text, value: float64(m.rss) / (1 << 20)}
}

// memory is a process's resident memory from /proc/PID/smaps_rollup, bytes.
type memory struct{ rss, anon, pss int64 }

// largestMemory reads the memory of the server's worker processes (or of
// the root when workers is false) and returns the largest by RSS and how
// many processes were read.
func largestMemory(srv *server, workers bool) (memory, int, error) {
	pids := srv.tree.pids()
	if workers {
		pids = pids[1:]
	} else {
		pids = pids[:1]
	}
	var largest memory
	n := 0
	for _, pid := range pids {
		m, err := readMemory(pid)
		if err != nil {
			continue // the process ended meanwhile
		}
		n++
		if m.rss > largest.rss {
			largest = m
		}
	}
	if n == 0 {
		return memory{}, 0, errors.New("no process to measure")
	}
	return largest, n, nil
}

// readMemory reads Rss, Anonymous and Pss from smaps_rollup.
func readMemory(pid int) (memory, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return memory{}, err
	}
	var m memory
	found := 0
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		var dst *int64
		switch f[0] {
		case "Rss:":
			dst = &m.rss
		case "Anonymous:":
			dst = &m.anon
		case "Pss:":
			dst = &m.pss
		default:
			continue
		}
		kb, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			return memory{}, fmt.Errorf("/proc/%d/smaps_rollup: %q: %w", pid, line, err)
		}
		*dst = kb << 10
		found++
	}
	if found < 3 {
		return memory{}, fmt.Errorf("/proc/%d/smaps_rollup: no Rss, Anonymous and Pss lines", pid)
	}
	return m, nil
}

// startupRow: from exec of the server to its first served request.
func (b *bench) startupRow(t *table) {
	what := "built binary start-up to first served request"
	if b.via != "mbbuild" {
		what = "mbrun start-up to first served request (no built binary)"
	}
	benchutil.Logf("%s", what)
	ours := b.startupSide(b.ourCmd("hello", nil))
	theirs := b.startupSide(b.goCmd())
	ok := ours.err == nil && ours.value < 100
	t.add(row{what: what, target: "< 100 ms", ours: ours, theirs: theirs, verdict: verdict(ok, ours)})
}

func (b *bench) startupSide(sc serverCmd) sideResult {
	var times []time.Duration
	req := helloRequest(true)
	for i := 0; i < b.cfg.startups; i++ {
		t0 := time.Now()
		srv, err := startServer(sc, b.tmp)
		if err != nil {
			return sideResult{err: err}
		}
		for {
			if err := probe(srv.addr, req); err == nil {
				break
			}
			if time.Since(t0) > 10*time.Second {
				srv.stop()
				return sideResult{err: fmt.Errorf("no answer within 10s; log: %s", srv.logTail())}
			}
			time.Sleep(time.Millisecond)
		}
		times = append(times, time.Since(t0))
		srv.stop()
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	med := times[len(times)/2]
	benchutil.Logf("  %s: median %v of %v", sc.name, med.Round(time.Millisecond/10), times)
	return sideResult{text: ms(med), value: float64(med) / float64(time.Millisecond)}
}

// latencyRow: p99 at half of each side's own keep-alive maximum.
func (b *bench) latencyRow(t *table) {
	conns := b.cfg.conns
	what := fmt.Sprintf("p99 latency at 50%% of max throughput, %d conns", conns)
	benchutil.Logf("%s", what)
	ours := b.latencySide(b.ourCmd("hello", nil), conns+2, true, b.helloMax[0], b.hello[0].err)
	b.latencyGo = b.latencySide(b.goCmd(), 0, false, b.helloMax[1], b.hello[1].err)
	b.latencyGoDone = true
	ok := ours.err == nil && ours.value < 5
	t.add(row{what: what, target: "< 5 ms", ours: ours, theirs: b.latencyGo, verdict: verdict(ok, ours)})
}

// latencySide measures the p99 latency of one server at half of its
// maximum keep-alive rate max; waitWorkers waits for that many worker
// processes before measuring.
func (b *bench) latencySide(sc serverCmd, workers int, waitWorkers bool, max float64, maxErr error) sideResult {
	if maxErr != nil {
		return sideResult{err: fmt.Errorf("no maximum: %w", maxErr)}
	}
	spec := b.spec(helloRequest(false), b.cfg.conns, false, helloBody)
	spec.rate = max / 2
	res, use, err := b.loadOn(sc, workers, waitWorkers, spec)
	if err != nil {
		return sideResult{err: err}
	}
	p99 := res.latency.quantile(0.99)
	benchutil.Logf("  %s at %.0f req/s: achieved %.0f; from intended send time p50 %v p99 %v p99.9 %v; from actual send p50 %v p99 %v",
		sc.name, spec.rate, res.perSecond(), res.latency.quantile(0.5), p99, res.latency.quantile(0.999),
		res.service.quantile(0.5), res.service.quantile(0.99))
	return sideResult{
		text: fmt.Sprintf("%s (p50 %s; %.0f of %.0f req/s)", ms(p99), ms(res.latency.quantile(0.5)),
			res.perSecond(), spec.rate),
		value: float64(p99) / float64(time.Millisecond), use: use,
	}
}

// modeRows: keep-alive hello world in each extra worker mode, at the usual
// and at many connections, against net/http at the same counts.
func (b *bench) modeRows(t *table) {
	if len(b.cfg.modes) == 0 {
		return
	}
	counts := []int{b.cfg.conns}
	if b.cfg.manyConns != b.cfg.conns {
		counts = append(counts, b.cfg.manyConns)
		// Process workers would need one process per connection.
		t.add(row{what: fmt.Sprintf("hello world, keep-alive, %d conns, processes", b.cfg.manyConns), target: "-",
			ours:   sideResult{err: fmt.Errorf("not run: needs %d worker processes", b.cfg.manyConns+2)},
			theirs: sideResult{text: "-"}, verdict: "-"})
	}
	var goMany sideResult
	measuredMany := false
	for i := range b.cfg.modes {
		mode := &b.cfg.modes[i]
		for _, conns := range counts {
			what := fmt.Sprintf("hello world, keep-alive, %d conns, %s (%s)", conns, mode.name, strings.Join(mode.flags, " "))
			benchutil.Logf("%s", what)
			spec := b.spec(helloRequest(false), conns, false, helloBody)
			ours := rateResult(b.loadOn(b.ourCmd("hello", mode), conns+2, false, spec))
			if ours.err != nil {
				t.add(row{what: what, target: ">= 50% of net/http", ours: ours, theirs: sideResult{text: "-"}, verdict: "n/a"})
				continue
			}
			var theirs sideResult
			switch {
			case conns == b.cfg.conns && (b.hello[1].err != nil || b.hello[1].value > 0):
				theirs = b.hello[1]
			case conns == b.cfg.conns:
				theirs = rateResult(b.loadOn(b.goCmd(), 0, false, spec))
			default:
				if !measuredMany {
					goMany, measuredMany = rateResult(b.loadOn(b.goCmd(), 0, false, spec)), true
				}
				theirs = goMany
			}
			t.add(row{what: what, target: ">= 50% of net/http", ours: ours, theirs: theirs, ratio: true,
				verdict: verdict(theirs.err == nil && ours.value >= 0.5*theirs.value, ours)})
			if conns == b.cfg.conns && b.cfg.rows["latency"] {
				lwhat := fmt.Sprintf("p99 latency at 50%% of max throughput, %d conns, %s", conns, mode.name)
				benchutil.Logf("%s", lwhat)
				lat := b.latencySide(b.ourCmd("hello", mode), conns+2, false, ours.value, nil)
				if !b.latencyGoDone {
					b.latencyGo = b.latencySide(b.goCmd(), 0, false, b.helloMax[1], b.hello[1].err)
					b.latencyGoDone = true
				}
				t.add(row{what: lwhat, target: "< 5 ms", ours: lat, theirs: b.latencyGo, verdict: verdict(lat.err == nil && lat.value < 5, lat)})
			}
		}
	}
}

// notes are the lines printed under the table.
func (b *bench) notes(took time.Duration) []string {
	n := []string{
		fmt.Sprintf("%s; load generator GOMAXPROCS=%d in the same machine: client and servers share the cores",
			benchutil.Machine(), runtime.GOMAXPROCS(0)),
		fmt.Sprintf("our server ran via %s (workers are processes; keep-alive rows use one worker per connection + 2); net/http is this program with -serve-nethttp, a separate process", b.via),
		fmt.Sprintf("load runs: %v warm-up, then up to %v or %d requests measured; CPU s = server processes' CPU (master + workers) during the measurement; peak RSS = largest sum over the server's processes, sampled", b.cfg.warmup, b.cfg.duration, b.cfg.maxRequests),
		fmt.Sprintf("whole run took %v", took.Round(time.Second)),
	}
	if len(b.cfg.ourEnv) > 0 {
		n = append(n, "our server's extra environment: "+strings.Join(b.cfg.ourEnv, " "))
	}
	if b.viaNote != "" {
		n = append(n, b.viaNote)
	}
	if b.cfg.profileDir != "" {
		n = append(n, "CPU profiles of our server processes: "+b.cfg.profileDir+" (servers ran from bench/mbprof, not built binaries)")
	}
	return n
}
