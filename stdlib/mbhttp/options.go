package mbhttp

import (
	"fmt"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/moonbridge-go/moonbridge/stdlib/mbio"
)

// timeoutOpt is a timeout option in seconds; set is false when disabled.
type timeoutOpt struct {
	secs float64
	set  bool
}

// options are the processed arguments of generate_handler.
type options struct {
	preamble      []byte // static headers, each line ending in CRLF
	inputChunk    int
	outputChunk   int
	headerLimit   int
	bodyLimit     int64
	idle          timeoutOpt
	stall         timeoutOpt
	headerTimeout timeoutOpt
	response      timeoutOpt
	drain         timeoutOpt
	poll          lua.LValue // nil for the built-in wait
	hold          bool       // hold_in_master: the master may wait for requests (see park)
}

// httpTimes are the waits for a request that the server's master takes
// over from a worker (see conn.park).
func (o *options) httpTimes() mbio.HTTPTimes {
	d := func(t timeoutOpt) time.Duration {
		if !t.set {
			return -1
		}
		return time.Duration(t.secs * float64(time.Second))
	}
	return mbio.HTTPTimes{Idle: d(o.idle), Header: d(o.headerTimeout)}
}

// parseOptions reads the options table of generate_handler (t may be nil).
func parseOptions(L *lua.LState, t *lua.LTable) (*options, error) {
	o := &options{
		inputChunk:  16384,
		outputChunk: 1024,
		headerLimit: 1024 * 1024,
		bodyLimit:   64 * 1024 * 1024,
		poll:        lua.LNil,
		hold:        true,
	}
	get := func(name string) lua.LValue {
		if t == nil {
			return lua.LNil
		}
		return t.RawGetString(name)
	}
	// static_headers
	switch s := get("static_headers").(type) {
	case *lua.LNilType:
	case lua.LBool:
		if s {
			return nil, fmt.Errorf(`option "static_headers" is expected to be a string or a table`)
		}
	case lua.LString:
		for _, line := range strings.FieldsFunc(string(s), func(r rune) bool { return r == '\r' || r == '\n' }) {
			o.preamble = append(o.preamble, line+"\r\n"...)
		}
	case *lua.LTable:
		n := s.Len()
		for i := 1; i <= n; i++ {
			switch kv := s.RawGetInt(i).(type) {
			case lua.LString:
				o.preamble = append(o.preamble, string(kv)+"\r\n"...)
			case *lua.LTable:
				k, v := kv.RawGetInt(1), kv.RawGetInt(2)
				if !isStringish(k) || !isStringish(v) {
					return nil, fmt.Errorf(`option "static_headers": entry %d is expected to be {key, value} strings`, i)
				}
				o.preamble = append(o.preamble, k.String()+": "+v.String()+"\r\n"...)
			default:
				return nil, fmt.Errorf(`option "static_headers": entry %d is expected to be a string or a {key, value} table`, i)
			}
		}
	default:
		return nil, fmt.Errorf(`option "static_headers" is expected to be a string or a table`)
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(o.preamble), "\r\n"), "\r\n") {
		if line == "" {
			continue
		}
		if k, _, ok := strings.Cut(line, ":"); !ok || k == "" || strings.ContainsAny(k, " \t") {
			return nil, fmt.Errorf(`option "static_headers": %q is not a "Key: value" header line`, line)
		}
	}
	var err error
	chunk := 0
	if chunk, err = intOpt(get, "chunk_size", 0); err != nil {
		return nil, err
	}
	if chunk > 0 {
		o.inputChunk, o.outputChunk = chunk, chunk
	}
	if o.inputChunk, err = intOpt(get, "maximum_input_chunk_size", o.inputChunk); err != nil {
		return nil, err
	}
	if o.outputChunk, err = intOpt(get, "minimum_output_chunk_size", o.outputChunk); err != nil {
		return nil, err
	}
	if o.inputChunk < 1 {
		return nil, fmt.Errorf(`option "maximum_input_chunk_size" must be at least 1`)
	}
	// 1.0.x names first, the 1.1 names win.
	for _, name := range []string{"header_size_limit", "request_header_size_limit"} {
		if o.headerLimit, err = intOpt(get, name, o.headerLimit); err != nil {
			return nil, err
		}
	}
	for _, name := range []string{"body_size_limit", "request_body_size_limit"} {
		n, err := intOpt(get, name, int(o.bodyLimit))
		if err != nil {
			return nil, err
		}
		o.bodyLimit = int64(n)
	}
	for _, to := range []struct {
		name string
		def  float64
		dst  *timeoutOpt
	}{
		{"idle_timeout", 65, &o.idle},
		{"stall_timeout", 60, &o.stall},
		{"request_header_timeout", 120, &o.headerTimeout},
		{"response_timeout", 3600, &o.response},
		{"drain_timeout", 2, &o.drain},
	} {
		switch v := get(to.name).(type) {
		case *lua.LNilType:
			*to.dst = timeoutOpt{to.def, true}
		case lua.LBool:
			if v {
				return nil, fmt.Errorf("option %q is expected to be a non-negative number or false", to.name)
			}
			*to.dst = timeoutOpt{}
		case lua.LNumber:
			if v < 0 {
				return nil, fmt.Errorf("option %q is expected to be a non-negative number or false", to.name)
			}
			*to.dst = timeoutOpt{float64(v), true}
		default:
			return nil, fmt.Errorf("option %q is expected to be a non-negative number or false", to.name)
		}
	}
	switch v := get("hold_in_master").(type) {
	case *lua.LNilType:
	case lua.LBool:
		o.hold = bool(v)
	default:
		return nil, fmt.Errorf(`option "hold_in_master" is expected to be a boolean`)
	}
	switch v := get("poll_function").(type) {
	case *lua.LNilType:
	case *lua.LFunction:
		o.poll = v
	default:
		return nil, fmt.Errorf(`option "poll_function" is expected to be a function`)
	}
	return o, nil
}

func isStringish(v lua.LValue) bool {
	switch v.(type) {
	case lua.LString, lua.LNumber:
		return true
	}
	return false
}

func intOpt(get func(string) lua.LValue, name string, def int) (int, error) {
	switch v := get(name).(type) {
	case *lua.LNilType:
		return def, nil
	case lua.LNumber:
		if v < 0 || float64(v) != float64(int64(v)) {
			return 0, fmt.Errorf("option %q is expected to be a non-negative integer", name)
		}
		return int(v), nil
	default:
		return 0, fmt.Errorf("option %q is expected to be a non-negative integer", name)
	}
}
