// Package oslib is Lua 5.3's os library (loslib.c): clock, date, difftime,
// execute, exit, getenv, remove, rename, setlocale, time and tmpname,
// with lua5.3's results and error messages on Linux with glibc in the C
// locale.
//
// Local time is Go's time.Local, which like C reads the TZ variable and
// /etc/localtime. os.date formats every conversion that lua5.3 accepts
// as glibc's strftime does in the C locale.
//
// Exiting: os.exit first calls, in order, the functions of the registry
// table AtExitKey (a sequence, created by whoever registers first), each
// with one boolean argument, os.exit's 'close' argument. The io library
// registers there the flushing (or closing) of its files, as C's exit()
// flushes every stdio stream and lua_close closes them. Then, when the
// registry field ExitKey holds a function, os.exit calls it with the
// status instead of ending the process (an embedding that must not end
// the process installs one); otherwise it calls os.Exit.
//
// Commands (os.execute) run through /bin/sh -c and inherit the process's
// standard input and the state's standard output and error; a writer that
// buffers in front of a file (the io library's io.stdout) is looked
// through (syserr.Underlying), so that, as with C's system(), output the
// Lua program buffered with io.write is not flushed first.
package oslib

import (
	"crypto/rand"
	"errors"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/moonbridge-go/moonbridge/runtime/lua"
	"github.com/moonbridge-go/moonbridge/stdlib/internal/syserr"
)

// Registry keys of the exit hooks (see the package comment).
const (
	AtExitKey = "moonbridge.atexit"
	ExitKey   = "moonbridge.exit"
)

// Open returns the os library table.
func Open(L *lua.State) *lua.Table {
	t := lua.NewTable(0, 11)
	lua.SetFuncs(t, map[string]lua.GoFunc{
		"clock":     osClock,
		"date":      osDate,
		"difftime":  osDifftime,
		"execute":   osExecute,
		"exit":      osExit,
		"getenv":    osGetenv,
		"remove":    osRemove,
		"rename":    osRename,
		"setlocale": osSetlocale,
		"time":      osTime,
		"tmpname":   osTmpname,
	})
	return t
}

// zone, when set (by tests), replaces time.Local.
var zone *time.Location

func local() *time.Location {
	if zone != nil {
		return zone
	}
	return time.Local
}

func osClock(L *lua.State) int {
	var ru syscall.Rusage
	var usec int64
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		usec = ru.Utime.Sec*1e6 + int64(ru.Utime.Usec) + ru.Stime.Sec*1e6 + int64(ru.Stime.Usec)
	}
	L.PushFloat(float64(usec) / 1e6)
	return 1
}

func osGetenv(L *lua.State) int {
	v, ok := os.LookupEnv(L.CheckString(1))
	if !ok {
		L.PushNil()
	} else {
		L.PushString(v)
	}
	return 1
}

// removeFile is C's remove(): unlink, or rmdir for a directory.
func removeFile(name string) error {
	err := syscall.Unlink(name)
	if err == syscall.EISDIR {
		err = syscall.Rmdir(name)
	}
	return err
}

func osRemove(L *lua.State) int {
	name := L.CheckString(1)
	if err := removeFile(name); err != nil {
		return syserr.FileResult(L, err, name)
	}
	L.PushBool(true)
	return 1
}

func osRename(L *lua.State) int {
	from := L.CheckString(1)
	to := L.CheckString(2)
	if err := syscall.Rename(from, to); err != nil {
		return syserr.FileResult(L, err, "")
	}
	L.PushBool(true)
	return 1
}

func osTmpname(L *lua.State) int {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	var rnd [6]byte
	for try := 0; try < 100; try++ {
		rand.Read(rnd[:])
		name := []byte("/tmp/lua_XXXXXX")
		for i, r := range rnd {
			name[len(name)-6+i] = chars[int(r)%len(chars)]
		}
		f, err := os.OpenFile(string(name), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			f.Close()
			L.PushString(string(name))
			return 1
		}
		if !errors.Is(err, os.ErrExist) {
			break
		}
	}
	L.Errorf("unable to generate a unique filename")
	return 0
}

func osSetlocale(L *lua.State) int {
	var l string
	query := L.IsNoneOrNil(1)
	if !query {
		l = L.CheckString(1)
	}
	L.CheckOption(2, "all", []string{"all", "collate", "ctype", "monetary", "numeric", "time"})
	switch {
	case query, l == "", l == "C", l == "POSIX":
		// Only the C locale exists here; "" asks for the environment's
		// locale, which is taken to be C too.
		L.PushString("C")
	default:
		L.PushNil()
	}
	return 1
}

func osExecute(L *lua.State) int {
	if L.IsNoneOrNil(1) {
		st, err := os.Stat("/bin/sh")
		L.PushBool(err == nil && st.Mode()&0o111 != 0)
		return 1
	}
	cmdline := L.CheckString(1)
	cmd := exec.Command("/bin/sh", "-c", cmdline)
	cmd.Stdin = os.Stdin
	cmd.Stdout = writerOf(L.Stdout())
	cmd.Stderr = writerOf(L.Stderr())
	err := cmd.Run()
	if cmd.ProcessState == nil {
		return syserr.FileResult(L, err, "")
	}
	signaled, code := syserr.Status(cmd.ProcessState)
	return syserr.ExecResult(L, signaled, code)
}

// writerOf returns the file (or writer) behind w for a child process.
func writerOf(w io.Writer) io.Writer {
	if u, ok := syserr.Unwrap(w).(io.Writer); ok {
		return u
	}
	return w
}

func osExit(L *lua.State) int {
	var status int64
	if b, ok := L.Arg(1).AsBool(); ok {
		if !b {
			status = 1
		}
	} else {
		status = L.OptInteger(1, 0)
	}
	closeState := L.Arg(2).Truthy()
	if hooks := L.Registry().GetStr(AtExitKey).AsTable(); hooks != nil {
		for i := int64(1); ; i++ {
			f := hooks.GetInt(i)
			if f.IsNil() {
				break
			}
			L.CallValue(f, 0, lua.Bool(closeState))
		}
	}
	if f := L.Registry().GetStr(ExitKey); f.IsFunction() {
		L.CallValue(f, 0, lua.Int(int64(int32(status))))
		return 0
	}
	if closeState {
		L.Close() // the remaining __gc metamethods, as lua_close runs them
	}
	os.Exit(int(int32(status)))
	return 0
}

// AtExit appends f to the functions os.exit calls before exiting.
func AtExit(L *lua.State, f lua.Value) {
	reg := L.Registry()
	hooks := reg.GetStr(AtExitKey).AsTable()
	if hooks == nil {
		hooks = lua.NewTable(1, 0)
		reg.SetStr(AtExitKey, lua.TableValue(hooks))
	}
	hooks.SetInt(hooks.Len()+1, f)
}

// checkTime is l_checktime.
func checkTime(L *lua.State, i int) int64 { return L.CheckInteger(i) }

func osDifftime(L *lua.State) int {
	t1 := checkTime(L, 1)
	t2 := checkTime(L, 2)
	L.PushFloat(float64(t1) - float64(t2))
	return 1
}

// Years glibc can represent: tm_year (year-1900) is a C int.
const (
	minYear = -2147483648 + 1900
	maxYear = 2147483647 + 1900
)

// breakDown is localtime (or gmtime when utc); ok is false when the
// result does not fit a struct tm.
func breakDown(t int64, utc bool) (tm, bool) {
	if t > 1<<60 || t < -(1<<60) {
		return tm{}, false
	}
	loc := local()
	if utc {
		loc = time.UTC
	}
	r := tmOf(time.Unix(t, 0).In(loc), utc)
	if r.year < minYear || r.year > maxYear {
		return tm{}, false
	}
	return r, true
}

func osDate(L *lua.State) int {
	s := L.OptString(1, "%c")
	var t int64
	if L.IsNoneOrNil(2) {
		t = time.Now().Unix()
	} else {
		t = checkTime(L, 2)
	}
	utc := false
	if len(s) > 0 && s[0] == '!' {
		utc = true
		s = s[1:]
	}
	stm, ok := breakDown(t, utc)
	if !ok {
		L.Errorf("time result cannot be represented in this installation")
	}
	if cstr(s) == "*t" {
		res := lua.NewTable(0, 9)
		setAllFields(L, res, &stm)
		L.Push(lua.TableValue(res))
		return 1
	}
	b := make([]byte, 0, len(s)+16)
	for i := 0; i < len(s); {
		if s[i] != '%' {
			b = append(b, s[i])
			i++
			continue
		}
		i++
		n := checkOption(s[i:])
		if n == 0 {
			L.ArgError(1, "invalid conversion specifier '%"+cstr(s[i:])+"'")
		}
		b = strftime(b, s[i:i+n], &stm)
		i += n
	}
	L.Push(lua.Bytes(b))
	return 1
}

// cstr is s up to its first zero byte, as C sees it.
func cstr(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return s[:i]
		}
	}
	return s
}

func setAllFields(L *lua.State, t *lua.Table, stm *tm) {
	tv := lua.TableValue(t)
	set := func(k string, v int64) { L.SetIndex(tv, lua.String(k), lua.Int(v)) }
	set("sec", int64(stm.sec))
	set("min", int64(stm.min))
	set("hour", int64(stm.hour))
	set("day", int64(stm.mday))
	set("month", int64(stm.mon+1))
	set("year", cint(stm.year))
	set("wday", int64(stm.wday+1))
	set("yday", int64(stm.yday+1))
	L.SetIndex(tv, lua.String("isdst"), lua.Bool(stm.isdst))
}

// maxDateField is L_MAXDATEFIELD: fields of os.time's table beyond it
// are out of bounds.
const maxDateField = 2147483647 / 2

func getField(L *lua.State, t lua.Value, key string, d int64, delta int64) int64 {
	v := L.Index(t, lua.String(key))
	res, ok := v.ToInteger()
	if !ok {
		if !v.IsNil() {
			L.Errorf("field '%s' is not an integer", key)
		} else if d < 0 {
			L.Errorf("field '%s' missing in date table", key)
		}
		return d
	}
	if res < -maxDateField || res > maxDateField {
		L.Errorf("field '%s' is out-of-bound", key)
	}
	return res - delta
}

func osTime(L *lua.State) int {
	if L.IsNoneOrNil(1) {
		L.PushInt(time.Now().Unix())
		return 1
	}
	L.CheckType(1, lua.TypeTable)
	tv := L.Arg(1)
	sec := getField(L, tv, "sec", 0, 0)
	minute := getField(L, tv, "min", 0, 0)
	hour := getField(L, tv, "hour", 12, 0)
	day := getField(L, tv, "day", -1, 0)
	mon := getField(L, tv, "month", -1, 1)
	year := getField(L, tv, "year", -1, 1900)
	isdst := -1
	if v := L.Index(tv, lua.String("isdst")); !v.IsNil() {
		isdst = 0
		if v.Truthy() {
			isdst = 1
		}
	}
	t, ok := mktime(year+1900, mon, day, hour, minute, sec, isdst)
	var stm tm
	if ok {
		stm, ok = breakDown(t, false)
	}
	if !ok || t == -1 {
		L.Errorf("time result cannot be represented in this installation")
	}
	setAllFields(L, tv.AsTable(), &stm)
	L.PushInt(t)
	return 1
}

// mktime is glibc's mktime: the fields (month from 0) are normalised, the
// local time converted to a time stamp; isdst (0 or 1; -1 for unknown)
// says which of standard and daylight saving time the fields are in.
func mktime(year, mon, day, hour, minute, sec int64, isdst int) (int64, bool) {
	loc := local()
	naive := time.Date(int(year), time.Month(mon+1), int(day), int(hour), int(minute), int(sec), 0, time.UTC).Unix()
	offAt := func(u int64) int64 { _, o := time.Unix(u, 0).In(loc).Zone(); return int64(o) }
	// The offsets in effect two days before and after: the candidates.
	oE, oL := offAt(naive-2*86400), offAt(naive+2*86400)
	tE, tL := naive-oE, naive-oL
	vE, vL := offAt(tE) == oE, offAt(tL) == oL
	var t int64
	switch {
	case vE && vL && tE != tL:
		// An hour that happens twice: Go's choice (glibc's depends on
		// its previous calls).
		t = time.Date(int(year), time.Month(mon+1), int(day), int(hour), int(minute), int(sec), 0, loc).Unix()
	case vE:
		t = tE
	case vL:
		t = tL
	default:
		// An hour skipped by a change to daylight saving time: the
		// offset from before the change applies, as with glibc.
		t = tE
	}
	tt := time.Unix(t, 0).In(loc)
	if isdst < 0 || (isdst == 1) == tt.IsDST() {
		return t, true
	}
	// The fields are in the other regime than the one in effect at t:
	// use the offset of a nearby time in the requested regime, as glibc
	// probes for one, or else assume a one-hour difference.
	const stride = 601200
	const bound = 536454000/2 + stride
	for delta := int64(stride); delta < bound; delta += stride {
		for _, dir := range [2]int64{-1, 1} {
			ot := time.Unix(t+delta*dir, 0).In(loc)
			if ot.IsDST() == (isdst == 1) {
				_, off := ot.Zone()
				return naive - int64(off), true
			}
		}
	}
	if isdst == 1 {
		return t - 3600, true
	}
	return t + 3600, true
}
