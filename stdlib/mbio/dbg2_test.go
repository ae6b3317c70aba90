package mbio
import lua "github.com/yuin/gopher-lua"
func luaString(b []byte) lua.LString { return lua.LString(string(b)) }
