package tablelib

import (
	"errors"
	"testing"

	"github.com/moonbridge-go/moonbridge/runtime/lua"
	"github.com/moonbridge-go/moonbridge/stdlib/internal/calltest"
)

func TestCalls(t *testing.T) {
	calltest.Run(t, "table", calltest.Lib{Name: "table", Open: Open})
}

// TestCancel checks that long operations stop when the state is cancelled.
func TestCancel(t *testing.T) {
	L := lua.NewState()
	tbl := Open(L)
	big := lua.NewTable(100000, 0)
	for i := int64(1); i <= 100000; i++ {
		big.SetInt(i, lua.Int((i*7919)%100003))
	}
	L.Cancel(lua.String("timeout"))
	for _, name := range []string{"sort", "concat", "unpack"} {
		err := cancelled(L, tbl.GetStr(name), lua.TableValue(big))
		var e *lua.Error
		if !errors.As(err, &e) || !e.Cancelled() {
			if name == "unpack" {
				continue // unpack is bounded by the stack size
			}
			t.Errorf("%s: got %v, want a cancellation", name, err)
		}
	}
}

// cancelled calls f and returns the error it raised: a cancellation
// goes through protected calls as a panic.
func cancelled(L *lua.State, f lua.Value, args ...lua.Value) (err error) {
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(*lua.Error)
			if !ok {
				panic(r)
			}
			err = e
		}
	}()
	_, err = L.PCallValue(f, args...)
	return err
}
