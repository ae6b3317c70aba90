package worker

import (
	"time"

	lua "github.com/yuin/gopher-lua"
)

// TimeoutFunc returns a timeout() for a process that is not a worker (the
// master while it runs the main chunk): when it expires, expire is called.
func TimeoutFunc(expire func()) lua.LGFunction {
	return newWatchdog(func(time.Duration) { expire() }, func(time.Time) {}).luaTimeout
}
