package app

import (
	"bytes"
	"io"
	"io/fs"
	"path"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// embeddedFileType is the metatable name of read-only embedded files.
const embeddedFileType = "moonbridge.embedded_file"

// installEmbeddedFiles makes io.open and io.lines read the program's
// embedded files (relative paths, read modes) without touching the disk;
// other paths and modes go to the usual io functions.
func installEmbeddedFiles(L *lua.LState, files fs.FS) {
	iot, ok := L.GetGlobal("io").(*lua.LTable)
	if !ok {
		return
	}
	mt := L.NewTypeMetatable(embeddedFileType)
	methods := L.SetFuncs(L.NewTable(), map[string]lua.LGFunction{
		"read":    efRead,
		"lines":   efLines,
		"seek":    efSeek,
		"close":   efClose,
		"flush":   func(L *lua.LState) int { L.Push(L.Get(1)); return 1 },
		"setvbuf": func(L *lua.LState) int { L.Push(lua.LTrue); return 1 },
		"write": func(L *lua.LState) int {
			L.Push(lua.LNil)
			L.Push(lua.LString("embedded files are read-only"))
			return 2
		},
	})
	L.SetField(mt, "__index", methods)
	L.SetField(mt, "__tostring", L.NewFunction(func(L *lua.LState) int {
		f := checkEF(L, 1)
		if f.closed {
			L.Push(lua.LString("file (closed)"))
		} else {
			L.Push(lua.LString("file (embedded " + f.name + ")"))
		}
		return 1
	}))

	lookup := func(name string) ([]byte, bool) {
		if name == "" || strings.HasPrefix(name, "/") {
			return nil, false
		}
		clean := path.Clean(name)
		if clean == ".." || strings.HasPrefix(clean, "../") {
			return nil, false
		}
		data, err := fs.ReadFile(files, clean)
		return data, err == nil
	}
	open := func(L *lua.LState, name string, data []byte) *lua.LUserData {
		ud := L.NewUserData()
		ud.Value = &embeddedFile{name: name, r: bytes.NewReader(data)}
		L.SetMetatable(ud, mt)
		return ud
	}

	origOpen := L.GetField(iot, "open")
	L.SetField(iot, "open", L.NewFunction(func(L *lua.LState) int {
		name := L.CheckString(1)
		mode := L.OptString(2, "r")
		if mode == "r" || mode == "rb" {
			if data, ok := lookup(name); ok {
				L.Push(open(L, name, data))
				return 1
			}
		}
		return callWithArgs(L, origOpen)
	}))
	origLines := L.GetField(iot, "lines")
	L.SetField(iot, "lines", L.NewFunction(func(L *lua.LState) int {
		if name, ok := L.Get(1).(lua.LString); ok {
			if data, ok := lookup(string(name)); ok {
				ud := open(L, string(name), data)
				f := ud.Value.(*embeddedFile)
				f.closeAtEOF = true
				return linesIterator(L, ud, 2)
			}
		}
		return callWithArgs(L, origLines)
	}))
}

// callWithArgs calls fn with the current function's arguments and returns
// all its results.
func callWithArgs(L *lua.LState, fn lua.LValue) int {
	top := L.GetTop()
	L.Push(fn)
	for i := 1; i <= top; i++ {
		L.Push(L.Get(i))
	}
	L.Call(top, lua.MultRet)
	return L.GetTop() - top
}

type embeddedFile struct {
	name       string
	r          *bytes.Reader
	closed     bool
	closeAtEOF bool
}

func checkEF(L *lua.LState, n int) *embeddedFile {
	ud := L.CheckUserData(n)
	f, ok := ud.Value.(*embeddedFile)
	if !ok {
		L.ArgError(n, "embedded file expected")
	}
	return f
}

func checkOpenEF(L *lua.LState, n int) *embeddedFile {
	f := checkEF(L, n)
	if f.closed {
		L.RaiseError("attempt to use a closed file")
	}
	return f
}

func efClose(L *lua.LState) int {
	checkOpenEF(L, 1).closed = true
	L.Push(lua.LTrue)
	return 1
}

func efSeek(L *lua.LState) int {
	f := checkOpenEF(L, 1)
	whence := map[string]int{"set": io.SeekStart, "cur": io.SeekCurrent, "end": io.SeekEnd}
	w, ok := whence[L.OptString(2, "cur")]
	if !ok {
		L.ArgError(2, "invalid option '"+L.OptString(2, "cur")+"'")
	}
	pos, err := f.r.Seek(L.OptInt64(3, 0), w)
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	L.Push(lua.LNumber(pos))
	return 1
}

func efRead(L *lua.LState) int {
	f := checkOpenEF(L, 1)
	return readFormats(L, f, 2)
}

// readFormats reads with the formats from stack index first on, as
// file:read does, and returns the number of values pushed.
func readFormats(L *lua.LState, f *embeddedFile, first int) int {
	top := L.GetTop()
	if top < first {
		L.Push(readLine(f, false))
		return 1
	}
	n := 0
	for i := first; i <= top; i++ {
		var v lua.LValue
		switch fm := L.Get(i).(type) {
		case lua.LNumber:
			v = readCount(f, int(fm))
		case lua.LString:
			switch strings.TrimPrefix(string(fm), "*") {
			case "a":
				rest, _ := io.ReadAll(f.r)
				v = lua.LString(rest)
			case "l":
				v = readLine(f, false)
			case "L":
				v = readLine(f, true)
			case "n":
				v = readNumber(f)
			default:
				L.ArgError(i, "invalid format")
			}
		default:
			L.ArgError(i, "invalid format")
		}
		L.Push(v)
		n++
		if v == lua.LNil {
			break
		}
	}
	return n
}

func readCount(f *embeddedFile, count int) lua.LValue {
	if count == 0 {
		if f.r.Len() == 0 {
			return lua.LNil
		}
		return lua.LString("")
	}
	buf := make([]byte, count)
	got, _ := io.ReadFull(f.r, buf)
	if got == 0 {
		return lua.LNil
	}
	return lua.LString(buf[:got])
}

func readLine(f *embeddedFile, keep bool) lua.LValue {
	if f.r.Len() == 0 {
		return lua.LNil
	}
	var line []byte
	for {
		b, err := f.r.ReadByte()
		if err != nil {
			break
		}
		if b == '\n' {
			if keep {
				line = append(line, b)
			}
			break
		}
		line = append(line, b)
	}
	return lua.LString(line)
}

func readNumber(f *embeddedFile) lua.LValue {
	var text []byte
	for {
		b, err := f.r.ReadByte()
		if err != nil {
			break
		}
		if len(text) == 0 && (b == ' ' || b == '\t' || b == '\n' || b == '\r') {
			continue
		}
		if strings.IndexByte("0123456789+-.eExXabcdefABCDEF", b) < 0 {
			f.r.UnreadByte()
			break
		}
		text = append(text, b)
	}
	s := string(text)
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		return lua.LNumber(v)
	}
	if v, err := strconv.ParseInt(s, 0, 64); err == nil {
		return lua.LNumber(v)
	}
	return lua.LNil
}

func efLines(L *lua.LState) int {
	checkOpenEF(L, 1)
	return linesIterator(L, L.CheckUserData(1), 2)
}

// linesIterator pushes an iterator reading ud with the formats from stack
// index first on (default: lines).
func linesIterator(L *lua.LState, ud *lua.LUserData, first int) int {
	var formats []lua.LValue
	for i := first; i <= L.GetTop(); i++ {
		formats = append(formats, L.Get(i))
	}
	L.Push(L.NewFunction(func(L *lua.LState) int {
		f := ud.Value.(*embeddedFile)
		if f.closed {
			L.RaiseError("file is already closed")
		}
		base := L.GetTop()
		L.Push(ud)
		for _, fm := range formats {
			L.Push(fm)
		}
		n := readFormats(L, f, base+2)
		if f.closeAtEOF && L.Get(L.GetTop()-n+1) == lua.LNil {
			f.closed = true
		}
		return n
	}))
	return 1
}
