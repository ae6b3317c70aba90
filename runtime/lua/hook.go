package lua

// Hook events and masks (lua.h).
const (
	HookCall     = 0
	HookReturn   = 1
	HookLine     = 2
	HookCount    = 3
	HookTailCall = 4

	maskCall   = 1 << HookCall
	maskReturn = 1 << HookReturn
	maskLine   = 1 << HookLine
	maskCount  = 1 << HookCount
)

// HookFunc is called for the events a hook was set for; line is the new
// line for line events and -1 otherwise. The running function is at
// level 1 of GetStack... at level 0 as seen from the hook's own frame.
type HookFunc func(L *State, event int, line int)

type hookState struct {
	mask      int
	fn        HookFunc
	count     int // the count hook's interval
	remaining int
	oldPC     int
	allow     bool // false while a hook runs
}

// SetHook installs fn for the events in mask (bits 1<<HookCall,
// 1<<HookReturn, 1<<HookLine, and 1<<HookCount with count > 0); a zero
// mask or nil fn removes the hook.
func (L *State) SetHook(fn HookFunc, mask, count int) {
	if fn == nil || mask == 0 {
		mask, fn = 0, nil
	}
	if count <= 0 {
		mask &^= maskCount
	}
	L.hook = hookState{mask: mask, fn: fn, count: count, remaining: count, allow: true}
}

// Hook returns the installed hook, its mask and count.
func (L *State) Hook() (HookFunc, int, int) { return L.hook.fn, L.hook.mask, L.hook.count }

// runHook calls the hook function for an event in frame ci.
func (L *State) runHook(ci *callInfo, event, line int) {
	if !L.hook.allow || L.hook.fn == nil {
		return
	}
	savedTop := L.top
	ciTop := ci.top
	L.ensureStack(minStack)
	if ci.top < L.top+minStack {
		ci.top = L.top + minStack
	}
	L.hook.allow = false
	ci.status |= ciHooked
	defer func() {
		L.hook.allow = true
		ci.status &^= ciHooked
		ci.top = ciTop
		L.top = savedTop
	}()
	L.hook.fn(L, event, line)
}

func (L *State) callHook(ci *callInfo) {
	event := HookCall
	if ci.status&ciTail != 0 {
		event = HookTailCall
	}
	if ci.lf != nil {
		// Hooks see a Lua function at its first instruction.
		ci.pc++
		defer func() { ci.pc-- }()
	}
	L.runHook(ci, event, -1)
}

func (L *State) returnHook(ci *callInfo, first, n int) {
	// Keep the results safe above the top while the hook runs.
	savedTop := L.top
	if L.top < first+n {
		L.top = first + n
	}
	L.runHook(ci, HookReturn, -1)
	L.top = savedTop
}

// traceExec runs the count and line hooks before an instruction of ci
// (luaG_traceexec).
func (L *State) traceExec(ci *callInfo) {
	mask := L.hook.mask
	if !L.hook.allow {
		return
	}
	if mask&maskCount != 0 {
		L.hook.remaining--
		if L.hook.remaining == 0 {
			L.hook.remaining = L.hook.count
			L.runHook(ci, HookCount, -1)
		}
	}
	if mask&maskLine != 0 {
		p := ci.lf.proto
		npc := ci.pc - 1
		newLine := p.LineAt(npc)
		if npc == 0 || ci.pc <= L.hook.oldPC || newLine != p.LineAt(L.hook.oldPC-1) {
			L.runHook(ci, HookLine, newLine)
		}
	}
	L.hook.oldPC = ci.pc
}
