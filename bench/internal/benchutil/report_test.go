package benchutil

import (
	"strings"
	"testing"
)

func TestMarkdown(t *testing.T) {
	tests := []struct {
		name string
		rows [][]string
		want string
	}{
		{"nothing", nil, ""},
		{"header only", [][]string{{"a", "bb"}}, "" +
			"| a | bb |\n" +
			"| - | -- |\n"},
		{"columns as wide as their widest cell", [][]string{{"what", "n"}, {"x", "1234"}, {"longer", ""}}, "" +
			"| what   | n    |\n" +
			"| ------ | ---- |\n" +
			"| x      | 1234 |\n" +
			"| longer |      |\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Markdown(tt.rows); got != tt.want {
				t.Errorf("Markdown =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestMiB(t *testing.T) {
	tests := []struct {
		bytes int64
		want  string
	}{
		{0, "0.0 MiB"},
		{1 << 20, "1.0 MiB"},
		{3<<20 + 1<<19, "3.5 MiB"},
		{279_500_000, "266.6 MiB"},
	}
	for _, tt := range tests {
		if got := MiB(tt.bytes); got != tt.want {
			t.Errorf("MiB(%d) = %q, want %q", tt.bytes, got, tt.want)
		}
	}
}

func TestOneLine(t *testing.T) {
	tests := []struct {
		name, s string
		n       int
		want    string
	}{
		{"short", "a b", 10, "a b"},
		{"white space folded", "  start:\n\texit status 1  \n", 30, "start: exit status 1"},
		{"exactly n", "abcde", 5, "abcde"},
		{"cut after n", "abcdef", 5, "abcde..."},
		{"folded before cutting", "a\n\n\nb c", 3, "a b..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := OneLine(tt.s, tt.n); got != tt.want {
				t.Errorf("OneLine(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
			}
		})
	}
}

func TestCPUModel(t *testing.T) {
	tests := []struct {
		name, cpuinfo, want string
		ok                  bool
	}{
		{"none", "processor\t: 0\nflags\t\t: fpu\n", "", false},
		{"first of several", "processor\t: 0\nmodel name\t: AMD EPYC 7B13\n\nprocessor\t: 1\nmodel name\t: other\n", "AMD EPYC 7B13", true},
		{"value with colons", "model name : a: b\n", "a: b", true},
		{"other key with the same start", "model name x: no\nmodel name: yes\n", "yes", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := cpuModel(tt.cpuinfo)
			if got != tt.want || ok != tt.ok {
				t.Errorf("cpuModel = %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestMachine(t *testing.T) {
	if m := Machine(); !strings.HasPrefix(m, "machine: ") || !strings.Contains(m, " cores (") {
		t.Errorf("Machine() = %q", m)
	}
}
