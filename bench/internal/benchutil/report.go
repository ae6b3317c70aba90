package benchutil

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

// Markdown renders rows as a Markdown table with aligned columns; rows[0]
// is the header. Cells are written as they are: a cell must not contain
// '|' or a line break.
func Markdown(rows [][]string) string {
	if len(rows) == 0 {
		return ""
	}
	width := make([]int, len(rows[0]))
	for _, c := range rows {
		for i, s := range c {
			width[i] = max(width[i], len(s))
		}
	}
	var b strings.Builder
	line := func(c []string) {
		b.WriteString("|")
		for i, s := range c {
			fmt.Fprintf(&b, " %-*s |", width[i], s)
		}
		b.WriteString("\n")
	}
	line(rows[0])
	sep := make([]string, len(width))
	for i := range sep {
		sep[i] = strings.Repeat("-", width[i])
	}
	line(sep)
	for _, c := range rows[1:] {
		line(c)
	}
	return b.String()
}

// MiB formats a size in bytes as mebibytes with one decimal: "12.3 MiB".
func MiB(bytes int64) string { return fmt.Sprintf("%.1f MiB", float64(bytes)/(1<<20)) }

// OneLine folds the white space of s (line breaks included) into single
// spaces and cuts it after n bytes, marking the cut with "...".
func OneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n] + "..."
	}
	return s
}

// Logf writes a progress line to stderr, prefixed with the time of day.
func Logf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, a...)...)
}

// Machine describes this machine for the notes under a table, as
// "machine: 2 cores (CPU model), linux/amd64, go1.26.8".
func Machine() string {
	model := runtime.GOARCH
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if m, ok := cpuModel(string(b)); ok {
			model = m
		}
	}
	return fmt.Sprintf("machine: %d cores (%s), %s/%s, %s",
		runtime.NumCPU(), model, runtime.GOOS, runtime.GOARCH, runtime.Version())
}

// cpuModel is the first "model name" of /proc/cpuinfo's contents; ok is
// false if there is none.
func cpuModel(cpuinfo string) (model string, ok bool) {
	for _, line := range strings.Split(cpuinfo, "\n") {
		if k, v, found := strings.Cut(line, ":"); found && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}
