package main

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/moonbridge-go/moonbridge/bench/internal/benchutil"
)

// result is one line of the table.
type result struct {
	row, mode                        string
	ok, p50, p99, max, recovery, rss string
	detail                           string
	err                              error
}

// rowLabel is a row's first cell.
func rowLabel(row string, cfg *config, tool bool) string {
	switch {
	case tool && row == "slow-headers":
		return "slow headers: slowhttptest -H -c 1000"
	case tool && row == "slow-body":
		return "slow body: slowhttptest -B -c 1000"
	case tool && row == "slow-read":
		return "slow read: slowhttptest -X -c 1000"
	}
	switch row {
	case "idle":
		return "idle: 3000 conns sending nothing"
	case "slow-headers":
		return "slow headers: 1000 conns, a header line per 10 s"
	case "slow-body":
		return "slow body: 1000 POSTs, 1 body byte per 10 s"
	case "slow-read":
		return "slow read: 1000 conns, 1 KiB rcvbuf, read 1 byte/s"
	case "aborts":
		return fmt.Sprintf("aborts: %d conns/s, partial/garbage/RST", cfg.abortRate)
	case "startup":
		return fmt.Sprintf("start-up: %d req/s for %v from first accept", startupRate, startupWindow)
	}
	return row
}

func (b *bench) newAttack(row, tag string, tool bool) attack {
	if tool {
		a := &toolAttack{conns: 1000, rate: b.cfg.openRate, duration: b.cfg.duration, path: "/",
			logPath: filepath.Join(b.tmp, tag+"-slowhttptest.log")}
		switch row {
		case "slow-headers":
			a.flag = "-H"
		case "slow-body":
			a.flag, a.path = "-B", "/echo"
		case "slow-read":
			a.flag = "-X"
		}
		return a
	}
	switch row {
	case "idle":
		return idleAttack(b.cfg.openRate)
	case "slow-headers":
		return slowHeadersAttack(b.cfg.openRate)
	case "slow-body":
		return slowBodyAttack(b.cfg.openRate)
	case "slow-read":
		return slowReadAttack(b.cfg.openRate)
	}
	return &abortAttack{rate: b.cfg.abortRate}
}

// attackRun measures one attack against a fresh server of one mode.
func (b *bench) attackRun(row, mode string, tool bool) result {
	spec := b.specs[mode]
	r := result{row: rowLabel(row, b.cfg, tool), mode: spec.mode}
	tag := row
	if tool {
		tag += "-tool"
	}
	benchutil.Logf("%s, %s: starting the server", r.row, r.mode)
	s, err := startServer(spec, b.tmp, tag)
	if err != nil {
		r.err = err
		return r
	}
	defer s.stop()
	if err := s.waitAnswer(10 * time.Second); err != nil {
		r.err = err
		return r
	}
	time.Sleep(500 * time.Millisecond) // let the first workers settle
	p := startProbe(s.addr, probeRate, probeTimeout)
	time.Sleep(baseline)
	a := b.newAttack(row, tag+"-"+strings.ReplaceAll(spec.mode, "/", ""), tool)
	attackStart := p.now()
	benchutil.Logf("  attack for %v", b.cfg.duration)
	if err := a.begin(s.addr); err != nil {
		p.stop()
		r.err = err
		return r
	}
	select {
	case <-time.After(b.cfg.duration):
	case <-a.done():
	}
	attackEnd := p.now()
	r.detail = a.halt()
	benchutil.Logf("  attack stopped (%s); waiting for recovery", r.detail)
	for p.now() < attackEnd+recoveryCap {
		if _, found := recovery(p.snapshot(), attackEnd, recoveryRun); found {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	samples := p.stop()
	if d, found := recovery(samples, attackEnd, recoveryRun); found {
		r.recovery = fmt.Sprintf("%.2f s", d.Seconds())
	} else {
		r.recovery = fmt.Sprintf("> %v", recoveryCap)
	}
	if d := attackEnd - attackStart; d < b.cfg.duration-time.Second {
		r.detail += fmt.Sprintf("; attack lasted %.1f s", d.Seconds())
	}
	if s.Gone() {
		r.detail += fmt.Sprintf("; SERVER EXITED (%v)", s.Wait())
	}
	before := summarize(samples, 0, attackStart)
	during := summarize(samples, attackStart, attackEnd)
	after := summarize(samples, attackEnd, p.now())
	r.ok = during.okPct()
	r.p50, r.p99, r.max = latCell(during.p50, during.n), latCell(during.p99, during.n), latCell(during.max, during.n)
	r.rss = benchutil.MiB(s.stop())
	benchutil.Logf("  probes before the attack: %s; during: %s%s; after: %s%s",
		before.okPct(), during.okPct(), failText(during), after.okPct(), failText(after))
	return r
}

// startupRun starts a server and probes it at startupRate from the moment
// its port accepts.
func (b *bench) startupRun(mode string) result {
	spec := b.specs[mode]
	r := result{row: rowLabel("startup", b.cfg, false), mode: spec.mode, recovery: "-", detail: "-"}
	benchutil.Logf("%s, %s: starting the server", r.row, r.mode)
	t0 := time.Now()
	s, err := startServer(spec, b.tmp, "startup")
	if err != nil {
		r.err = err
		return r
	}
	defer s.stop()
	if err := s.waitAccept(10 * time.Second); err != nil {
		r.err = err
		return r
	}
	accepted := time.Since(t0)
	p := startProbe(s.addr, startupRate, probeTimeout)
	time.Sleep(startupWindow)
	samples := p.stop()
	sum := summarize(samples, 0, startupWindow)
	r.ok = sum.okPct()
	r.p50, r.p99, r.max = latCell(sum.p50, sum.n), latCell(sum.p99, sum.n), latCell(sum.max, sum.n)
	r.detail = fmt.Sprintf("port accepted %.1f ms after exec", float64(accepted)/float64(time.Millisecond))
	if s.Gone() {
		r.detail += fmt.Sprintf("; SERVER EXITED (%v)", s.Wait())
	}
	r.rss = benchutil.MiB(s.stop())
	first := summarize(samples, 0, time.Second)
	benchutil.Logf("  first second: %s, p99 %s%s", first.okPct(), latCell(first.p99, first.n), failText(sum))
	return r
}

// failText lists the kinds of failed probes, most frequent first.
func failText(s summary) string {
	if len(s.fails) == 0 {
		return ""
	}
	kinds := make([]string, 0, len(s.fails))
	for k := range s.fails {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool {
		if s.fails[kinds[i]] != s.fails[kinds[j]] {
			return s.fails[kinds[i]] > s.fails[kinds[j]]
		}
		return kinds[i] < kinds[j]
	})
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%d %s", s.fails[k], k)
	}
	return " (failed: " + strings.Join(parts, ", ") + ")"
}

// markdown renders the results with aligned columns.
func markdown(results []result) string {
	cells := [][]string{{"attack", "server", "probe ok", "p50", "p99", "max", "recovery", "peak RSS", "attack state at its end"}}
	for _, r := range results {
		c := []string{r.row, r.mode, r.ok, r.p50, r.p99, r.max, r.recovery, r.rss, r.detail}
		if r.err != nil {
			c = []string{r.row, r.mode, "n/a", "-", "-", "-", "-", "-", benchutil.OneLine(r.err.Error(), 160)}
		}
		for i, s := range c {
			c[i] = strings.ReplaceAll(s, "|", "/")
		}
		cells = append(cells, c)
	}
	return benchutil.Markdown(cells)
}
