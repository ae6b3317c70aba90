package mbhttp

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/pm"
)

// ModuleName is the name under which the module is requireable.
const ModuleName = "moonbridge_http"

// Open makes moonbridge_http requireable in L (package.preload).
func Open(L *lua.LState) {
	preload := L.GetField(L.GetField(L.Get(lua.EnvironIndex), "package"), "preload")
	pt, ok := preload.(*lua.LTable)
	if !ok {
		// No package library: register the module as a global instead.
		L.SetGlobal(ModuleName, newModule(L))
		return
	}
	pt.RawSetString(ModuleName, L.NewFunction(func(L *lua.LState) int {
		L.Push(newModule(L))
		return 1
	}))
}

// newModule builds the module table.
func newModule(L *lua.LState) *lua.LTable {
	m := L.NewTable()
	L.SetFuncs(m, map[string]lua.LGFunction{
		"generate_handler": generateHandler,
		"encode_html":      func(L *lua.LState) int { L.Push(lua.LString(encodeHTML(L.CheckString(1)))); return 1 },
		"encode_uri":       func(L *lua.LState) int { L.Push(lua.LString(encodeURI(L.CheckString(1)))); return 1 },
		"decode_uri":       func(L *lua.LState) int { L.Push(lua.LString(decodeURI(L.CheckString(1)))); return 1 },
	})
	return m
}

// luaMatch reports whether Lua pattern matches s (like string.match).
func luaMatch(L *lua.LState, pattern, s string) bool {
	m, err := pm.Find(pattern, []byte(s), 0, 1)
	if err != nil {
		L.RaiseError("invalid field name pattern %q: %v", pattern, err)
	}
	return len(m) > 0
}

// generateHandler implements http.generate_handler(handler [, options]).
func generateHandler(L *lua.LState) int {
	a, b := L.Get(1), L.Get(2)
	if _, ok := a.(*lua.LFunction); !ok {
		if _, ok := b.(*lua.LFunction); ok {
			a, b = b, a
		}
	}
	handler, ok := a.(*lua.LFunction)
	if !ok {
		L.ArgError(1, "request handler function expected")
	}
	var optTable *lua.LTable
	switch t := b.(type) {
	case *lua.LNilType:
	case *lua.LTable:
		optTable = t
	default:
		L.ArgError(2, "options table expected")
	}
	opts, err := parseOptions(L, optTable)
	if err != nil {
		L.RaiseError("generate_handler: %v", err)
	}
	// A finished connection's state (request metatables, buffers) is kept
	// for the next connect call of the same Lua state.
	var spare *conn
	L.Push(L.NewFunction(func(L *lua.LState) int {
		sockValue := L.Get(1)
		tr, err := transportFor(L, 1)
		if err != nil {
			L.ArgError(1, err.Error())
		}
		c := spare
		spare = nil
		if c == nil || c.L != L {
			c = &conn{L: L, opts: opts, handler: handler}
			c.buildRequestMetatable()
		}
		if h, ok := tr.(handoffer); ok && opts.hold {
			h.ServesHTTP(opts.httpTimes())
		}
		c.tr, c.sock, c.survive, c.served = tr, sockValue, true, 0
		c.gone, c.goneMsg = false, ""
		c.timeoutFn, _ = L.GetGlobal("timeout").(*lua.LFunction)
		ok := c.serveProtected()
		c.retireRequest()
		c.tr, c.sock, c.req = nil, lua.LNil, nil
		c.out = c.out[:0]
		if cap(c.out) > 4*outFlushSize {
			c.out = nil
		}
		spare = c
		L.Push(lua.LBool(ok))
		return 1
	}))
	return 1
}

// buildRequestMetatable creates the methods and the metatable shared by
// the request objects of one connection.
func (c *conn) buildRequestMetatable() {
	L := c.L
	self := func(L *lua.LState) {
		if L.Get(1) != c.req || c.req == nil {
			L.RaiseError("request method called on an object that is not the current request (use request:method(...))")
		}
	}
	c.methods = L.NewTable()
	L.SetFuncs(c.methods, map[string]lua.LGFunction{
		"send_status": func(L *lua.LState) int {
			self(L)
			c.sendStatus(L.CheckString(2))
			return 0
		},
		"send_header": func(L *lua.LState) int {
			self(L)
			c.sendHeader(stringArg(L, 2), stringArg(L, 3))
			return 0
		},
		"send_data": func(L *lua.LState) int {
			self(L)
			n := L.GetTop()
			parts := make([]string, 0, n-1)
			for i := 2; i <= n; i++ {
				v := L.Get(i)
				switch v := v.(type) {
				case lua.LString:
					parts = append(parts, string(v))
				default:
					parts = append(parts, L.ToStringMeta(v).String())
				}
			}
			c.sendData(parts...)
			return 0
		},
		"finish_headers": func(L *lua.LState) int {
			self(L)
			c.assertNotFaulty()
			c.finishHeaders(true)
			return 0
		},
		"flush": func(L *lua.LState) int {
			self(L)
			c.flush()
			return 0
		},
		"finish": func(L *lua.LState) int {
			self(L)
			c.finishResponse()
			return 0
		},
		"monologue": func(L *lua.LState) int {
			self(L)
			c.monologue()
			return 0
		},
		"close_after_finish": func(L *lua.LState) int {
			self(L)
			c.assertNotFaulty()
			if c.state == stHeadersSent || c.state == stFinished {
				L.RaiseError("All HTTP headers have already been sent")
			}
			c.closeRequested = true
			return 0
		},
		"consume_input": func(L *lua.LState) int {
			self(L)
			c.prepare()
			c.consumeAll(nil)
			return 0
		},
		"stream_request_body": func(L *lua.LState) int {
			self(L)
			cb := L.CheckFunction(2)
			c.streamRequestBody(func(chunk []byte, eof bool) {
				L.Push(cb)
				if eof {
					L.Call(0, 0)
					return
				}
				L.Push(lua.LString(chunk))
				L.Call(1, 0)
			})
			return 0
		},
		"stream_request_body_now": func(L *lua.LState) int {
			self(L)
			cb := L.CheckFunction(2)
			c.streamRequestBody(func(chunk []byte, eof bool) {
				if eof {
					return
				}
				L.Push(cb)
				L.Push(lua.LString(chunk))
				L.Call(1, 0)
			})
			c.prepare()
			c.consumeAll(nil)
			return 0
		},
		"stream_post_param": func(L *lua.LState) int {
			self(L)
			name := L.CheckString(2)
			cb := L.CheckFunction(3)
			if c.state != stInit {
				L.RaiseError("Cannot setup request body streamer at this stage anymore")
			}
			if c.streamParams == nil {
				c.streamParams = make(map[string]*lua.LFunction)
			}
			c.streamParams[name] = cb
			return 0
		},
		"stream_post_params": func(L *lua.LState) int {
			self(L)
			pattern := L.CheckString(2)
			cb := L.CheckFunction(3)
			if c.state != stInit {
				L.RaiseError("Cannot setup request body streamer at this stage anymore")
			}
			c.streamPattern = append(c.streamPattern, patternStream{pattern, cb})
			return 0
		},
	})
	c.reqMT = L.NewTable()
	c.reqMT.RawSetString("__index", L.NewFunction(c.requestIndex))
}

func stringArg(L *lua.LState, n int) string {
	switch v := L.Get(n).(type) {
	case lua.LString:
		return string(v)
	case lua.LNumber:
		return v.String()
	}
	L.ArgError(n, "string expected, got "+L.Get(n).Type().String())
	return ""
}

// requestIndex is the __index metamethod of request objects: methods,
// then fields computed on first access.
func (c *conn) requestIndex(L *lua.LState) int {
	t := L.CheckTable(1)
	key, ok := L.Get(2).(lua.LString)
	if !ok {
		return 0
	}
	if m := c.methods.RawGetString(string(key)); m != lua.LNil {
		L.Push(m)
		return 1
	}
	if t != c.req {
		return 0 // a request object of an earlier request
	}
	c.reqTouched = true
	if v, ok := c.basicField(string(key)); ok {
		L.Push(v)
		return 1
	}
	var v lua.LValue
	switch key {
	case "faulty":
		L.Push(lua.LBool(c.state == stFaulty))
		return 1
	case "fresh":
		L.Push(lua.LBool(c.state == stInit && c.processBody == nil))
		return 1
	case "headers":
		v = c.buildHeaders()
	case "headers_csv_table":
		v = c.lazyHeaderTable(0, func(lower string) lua.LValue {
			tb := L.CreateTable(2, 0)
			for _, s := range csvValues(c.head.Fields, lower) {
				tb.Append(lua.LString(s))
			}
			return tb
		})
	case "headers_csv_string":
		v = c.lazyHeaderTable(1, func(lower string) lua.LValue {
			var parts []string
			for _, f := range c.head.Fields {
				if f.Lower == lower {
					parts = append(parts, f.Value)
				}
			}
			return lua.LString(strings.Join(parts, ", "))
		})
	case "headers_value":
		v = c.lazyHeaderTable(2, func(lower string) lua.LValue {
			vals := csvValues(c.head.Fields, lower)
			switch len(vals) {
			case 0:
				return lua.LNil
			case 1:
				return lua.LString(vals[0])
			}
			return lua.LFalse
		})
	case "headers_flags":
		v = c.lazyHeaderTable(3, func(lower string) lua.LValue {
			flags := L.CreateTable(0, 2)
			for _, s := range csvValues(c.head.Fields, lower) {
				flags.RawSetString(strings.ToLower(s), lua.LTrue)
			}
			L.SetMetatable(flags, c.flagsMT())
			return flags
		})
	case "cookies":
		ck := L.CreateTable(0, 4)
		for _, f := range c.head.Fields {
			if f.Lower == "cookie" {
				parseCookies(f.Value, func(k, v string) { ck.RawSetString(k, lua.LString(v)) })
			}
		}
		v = ck
	case "get_params", "get_params_list":
		list, first := c.newParams()
		if c.head.HasPath {
			parseURLEncoded(c.head.Query, func(k, val string) { addParam(L, list, first, k, val) })
		}
		t.RawSetString("get_params_list", list)
		t.RawSetString("get_params", first)
		L.Push(t.RawGetString(string(key)))
		return 1
	case "body":
		if c.state != stInit || c.processBody != nil {
			L.RaiseError("Cannot read request body: the body has already been consumed or is being streamed")
		}
		var body []byte
		c.streamRequestBody(func(chunk []byte, eof bool) {
			if !eof {
				body = append(body, chunk...)
			}
		})
		c.prepare()
		c.consumeAll(nil)
		v = lua.LString(body)
	case "post_params", "post_params_list", "post_metadata", "post_metadata_list":
		if c.state == stInit && c.processBody == nil {
			if kind, _ := c.classifyBody(); kind == formOther {
				c.requestError(true, status415, "Unknown Content-Type of request body")
			}
		}
		c.prepare()
		c.consumeAll(nil)
		if c.defaultBody && c.formKind == formNone && t.RawGetString("post_params") == lua.LNil {
			list, first := c.newParams()
			ml, mf := c.newParams()
			c.setPostTables(list, first, ml, mf)
		}
		L.Push(t.RawGetString(string(key)))
		return 1
	default:
		return 0
	}
	t.RawSetString(string(key), v)
	L.Push(v)
	return 1
}

// buildHeaders creates request.headers: lower-cased name → list of values;
// any spelling of a name finds the same list; unknown names give {}.
func (c *conn) buildHeaders() *lua.LTable {
	L := c.L
	tb := L.CreateTable(0, len(c.head.Fields)+1)
	for _, f := range c.head.Fields {
		listFor(L, tb, f.Lower).Append(lua.LString(f.Value))
	}
	if c.hdrMT == nil {
		c.hdrMT = L.CreateTable(0, 1)
		c.hdrMT.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
			self := L.CheckTable(1)
			key, ok := L.Get(2).(lua.LString)
			if !ok {
				L.RaiseError("Attempted to index headers table with a non-string key")
			}
			lower := strings.ToLower(string(key))
			list, ok := self.RawGetString(lower).(*lua.LTable)
			if !ok {
				list = L.CreateTable(0, 0)
				self.RawSetString(lower, list)
			}
			L.Push(list)
			return 1
		}))
	}
	tb.Metatable = c.hdrMT
	return tb
}

// lazyHeaderTable returns a table whose entries are computed by compute
// (given the lower-cased header name) on first access and then cached.
// kind (0..3) selects the metatable kept for the connection; compute must
// depend on the current request only through c.
func (c *conn) lazyHeaderTable(kind int, compute func(lower string) lua.LValue) *lua.LTable {
	L := c.L
	if c.lazyMT[kind] == nil {
		mt := L.CreateTable(0, 1)
		mt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
			self := L.CheckTable(1)
			key, ok := L.Get(2).(lua.LString)
			if !ok {
				L.RaiseError("Attempted to index a header table with a non-string key")
			}
			v := compute(strings.ToLower(string(key)))
			if v != lua.LNil {
				self.RawSet(key, v)
			}
			L.Push(v)
			return 1
		}))
		c.lazyMT[kind] = mt
	}
	tb := L.CreateTable(0, 2)
	tb.Metatable = c.lazyMT[kind]
	return tb
}

// flagsMT is the metatable of headers_flags entries: case-insensitive,
// false for absent tokens.
func (c *conn) flagsMT() *lua.LTable {
	if c.flagMT == nil {
		L := c.L
		c.flagMT = L.CreateTable(0, 1)
		c.flagMT.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
			self := L.CheckTable(1)
			key, ok := L.Get(2).(lua.LString)
			if !ok {
				L.RaiseError("Attempted to index header flag table with a non-string key")
			}
			v := self.RawGetString(strings.ToLower(string(key)))
			if v == lua.LNil {
				v = lua.LFalse
			}
			L.Push(v)
			return 1
		}))
	}
	return c.flagMT
}
