package worker

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// releaseStartupPages drops this process's mappings of the executable's
// read-only pages (code and constants). Start-up touches far more of the
// binary than an idle or serving worker needs, and the kernel maps pages
// around each fault; afterwards only the pages really used come back, as
// cheap minor faults from the page cache the workers share. Writable
// mappings are never touched. Without /proc this does nothing.
//
// The mappings are collected first and released in one loop at the end:
// releasing the code while still parsing /proc/self/maps faulted the
// parser's code (bufio, strings, strconv, os, syscall) straight back in
// (measured: an idle worker of examples/webapp has 190 KiB less of the
// binary resident after start-up).
func releaseStartupPages() {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return
	}
	var ranges [8][2]uintptr
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() && n < len(ranges) {
		// start-end perms offset dev inode path
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || fields[5] != exe || strings.Contains(fields[1], "w") {
			continue
		}
		bounds := strings.SplitN(fields[0], "-", 2)
		start, err1 := strconv.ParseUint(bounds[0], 16, 64)
		end, err2 := strconv.ParseUint(bounds[1], 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			continue
		}
		ranges[n] = [2]uintptr{uintptr(start), uintptr(end - start)}
		n++
	}
	f.Close()
	for _, r := range ranges[:n] {
		madvise(r[0], r[1], syscall.MADV_RANDOM)
		madvise(r[0], r[1], syscall.MADV_DONTNEED)
	}
}

func madvise(addr, length uintptr, advice int) {
	syscall.RawSyscall(syscall.SYS_MADVISE, addr, length, uintptr(advice))
}
