package app

import (
	"fmt"
	"io"
	"os"
	"reflect"
	"unsafe"

	"github.com/moonbridge-go/moonbridge/stdlib/mbio"
	lua "github.com/yuin/gopher-lua"
)

// RedirectStderr makes the state's io.stderr and moonbridge_io.stderr
// write to f instead of the process's descriptor 2. A goroutine worker
// uses it so that what its application writes to stderr reaches the log
// with the worker's name, as a worker process's stderr does.
//
// gopher-lua makes io.stderr from os.Stderr and offers no way to make a
// file object of another *os.File, so the file object's descriptor and
// writer are replaced in place (fields fp and writer of gopher-lua's
// lFile); an error says that this gopher-lua has other fields.
func RedirectStderr(L *lua.LState, f *os.File) error {
	mbio.SetStderr(L, int(f.Fd()))
	iot, ok := L.GetGlobal("io").(*lua.LTable)
	if !ok {
		return nil
	}
	ud, ok := iot.RawGetString("stderr").(*lua.LUserData)
	if !ok {
		return nil
	}
	v := reflect.ValueOf(ud.Value)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("redirect io.stderr: unexpected file object %T", ud.Value)
	}
	fp := v.Elem().FieldByName("fp")
	writer := v.Elem().FieldByName("writer")
	if !fp.IsValid() || !writer.IsValid() || fp.Type() != reflect.TypeOf(f) ||
		writer.Type() != reflect.TypeOf((*io.Writer)(nil)).Elem() {
		return fmt.Errorf("redirect io.stderr: gopher-lua's file object %T has no fields fp *os.File and writer io.Writer", ud.Value)
	}
	reflect.NewAt(fp.Type(), unsafe.Pointer(fp.UnsafeAddr())).Elem().Set(reflect.ValueOf(f))
	reflect.NewAt(writer.Type(), unsafe.Pointer(writer.UnsafeAddr())).Elem().Set(reflect.ValueOf(io.Writer(f)))
	return nil
}
