package mathlib

import (
	"math"

	"github.com/moonbridge-go/moonbridge/runtime/lua"
)

// glibcRandom is glibc's random() with its default state (TYPE_3): an
// additive feedback generator r[i] = r[i-3] + r[i-31] over 31 words,
// returning the sum without its lowest bit. lua5.3 on Linux draws
// math.random from random() and seeds it with srandom().
type glibcRandom struct {
	state [randDeg]int32
	f, r  int // the front and rear indices (fptr, rptr)
}

const (
	randDeg = 31 // degree of the TYPE_3 polynomial
	randSep = 3  // separation between the front and rear indices
	randMax = 2147483647
)

func newGlibcRandom(seed uint32) *glibcRandom {
	g := &glibcRandom{}
	g.seed(seed)
	return g
}

// seed is srandom: the state is filled by the Park-Miller generator
// 16807 * x mod (2^31 - 1), then 310 values are discarded.
func (g *glibcRandom) seed(seed uint32) {
	if seed == 0 {
		seed = 1
	}
	word := int32(seed)
	g.state[0] = word
	for i := 1; i < randDeg; i++ {
		// state[i] = (16807 * state[i-1]) % 2147483647 without overflow
		// (Schrage's method, with C's truncating division).
		hi := int64(word) / 127773
		lo := int64(word) % 127773
		word = int32(16807*lo - 2836*hi)
		if word < 0 {
			word += randMax
		}
		g.state[i] = word
	}
	g.f, g.r = randSep, 0
	for i := 0; i < 10*randDeg; i++ {
		g.next()
	}
}

// next is random(): a number in [0, 2^31).
func (g *glibcRandom) next() int32 {
	val := uint32(g.state[g.f]) + uint32(g.state[g.r])
	g.state[g.f] = int32(val)
	g.f++
	if g.f >= randDeg {
		g.f = 0
		g.r++
	} else {
		g.r++
		if g.r >= randDeg {
			g.r = 0
		}
	}
	return int32(val >> 1)
}

func (g *glibcRandom) luaRandom(L *lua.State) int {
	// The number is drawn before the arguments are checked, as in lua5.3:
	// a failing call still advances the generator.
	r := float64(g.next()) * (1.0 / (float64(randMax) + 1.0))
	var low, up int64
	switch L.NArgs() {
	case 0:
		L.PushFloat(r)
		return 1
	case 1:
		low = 1
		up = L.CheckInteger(1)
	case 2:
		low = L.CheckInteger(1)
		up = L.CheckInteger(2)
	default:
		L.Errorf("wrong number of arguments")
	}
	if low > up {
		L.ArgError(1, "interval is empty")
	}
	if !(low >= 0 || up <= math.MaxInt64+low) {
		L.ArgError(1, "interval too large")
	}
	r *= float64(up-low) + 1.0
	L.PushInt(int64(r) + low)
	return 1
}

func (g *glibcRandom) luaRandomseed(L *lua.State) int {
	// lua5.3: l_srand((unsigned int)(lua_Integer)luaL_checknumber(L, 1)).
	// x86's conversion gives mininteger for floats out of range and NaN.
	f := L.CheckNumber(1)
	n := int64(math.MinInt64)
	if f >= -(1<<63) && f < 1<<63 {
		n = int64(f)
	}
	g.seed(uint32(n))
	g.next() // discard the first value, as lua5.3 does
	return 0
}
