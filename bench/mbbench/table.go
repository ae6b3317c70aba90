package main

import (
	"fmt"
	"time"

	"github.com/moonbridge-go/moonbridge/bench/internal/benchutil"
)

// sideResult is one side of a row: the measured value and what the
// server processes used while it was measured.
type sideResult struct {
	text  string  // the value as shown
	value float64 // for the ratio; 0 when not comparable
	use   *usage  // nil: not measured (e.g. start-up rows)
	err   error   // the side could not be measured
}

// row is one line of the result table.
type row struct {
	what, target string
	ours, theirs sideResult
	ratio        bool   // show ours/theirs
	verdict      string // PASS, MISS, n/a or "-"
}

type table struct{ rows []row }

func (t *table) add(r row) {
	t.rows = append(t.rows, r)
	benchutil.Logf("row done: %s: ours %s, net/http %s, %s", r.what, r.ours.cell(), r.theirs.cell(), r.verdict)
}

func (s sideResult) cell() string {
	if s.err != nil {
		return "n/a (" + benchutil.OneLine(s.err.Error(), 90) + ")"
	}
	return s.text
}

func (s sideResult) cpuCell() string {
	if s.use == nil || s.err != nil {
		return "-"
	}
	return fmt.Sprintf("%.2f", s.use.cpu.Seconds())
}

func (s sideResult) rssCell() string {
	if s.use == nil || s.err != nil {
		return "-"
	}
	return benchutil.MiB(s.use.peakRSS)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

// markdown renders the table with aligned columns.
func (t *table) markdown() string {
	head := []string{"what", "target", "moonbridge", "net/http", "ratio", "result",
		"mb CPU s", "mb peak RSS", "net/http CPU s", "net/http peak RSS", "others CPU s"}
	cells := [][]string{head}
	for _, r := range t.rows {
		ratio := "-"
		if r.ratio && r.ours.err == nil && r.theirs.err == nil && r.theirs.value > 0 {
			ratio = fmt.Sprintf("%.0f%%", 100*r.ours.value/r.theirs.value)
		}
		cells = append(cells, []string{r.what, r.target, r.ours.cell(), r.theirs.cell(), ratio, r.verdict,
			r.ours.cpuCell(), r.ours.rssCell(), r.theirs.cpuCell(), r.theirs.rssCell(), othersCell(r)})
	}
	return benchutil.Markdown(cells)
}

// verdict is PASS or MISS, or n/a when ours could not be measured.
func verdict(ok bool, ours sideResult) string {
	switch {
	case ours.err != nil:
		return "n/a"
	case ok:
		return "PASS"
	}
	return "MISS"
}

// othersCell is the CPU time other processes on the machine used while
// each side was measured ("ours/theirs"): a busy machine skews a row.
func othersCell(r row) string {
	side := func(s sideResult) string {
		if s.use == nil || s.err != nil {
			return "-"
		}
		return fmt.Sprintf("%.2f", s.use.others.Seconds())
	}
	if r.ours.use == nil && r.theirs.use == nil {
		return "-"
	}
	return side(r.ours) + " / " + side(r.theirs)
}
