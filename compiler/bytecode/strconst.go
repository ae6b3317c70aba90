package bytecode

import (
	"fmt"
	"reflect"
	"unsafe"

	lua "github.com/yuin/gopher-lua"
)

// stringConstantsField is the unexported field of lua.FunctionProto that
// mirrors Constants: for every constant, its string value if it is an
// LString and "" otherwise. gopher-lua's compiler fills it and its VM reads
// it for OP_GETGLOBAL/OP_SETGLOBAL and RK string keys, so a prototype built
// outside the package must have it rebuilt or global access breaks.
const stringConstantsField = "stringConstants"

// layoutErr records whether lua.FunctionProto still has the field this
// package writes; it is checked once, and Decode refuses to run otherwise.
var layoutErr = checkProtoLayout()

func checkProtoLayout() error {
	f, ok := reflect.TypeOf(lua.FunctionProto{}).FieldByName(stringConstantsField)
	if !ok {
		return fmt.Errorf("gopher-lua's FunctionProto has no field %q any more: compiler/bytecode must be updated for this gopher-lua version", stringConstantsField)
	}
	if f.Type != reflect.TypeOf([]string(nil)) {
		return fmt.Errorf("gopher-lua's FunctionProto.%s is %s, not []string: compiler/bytecode must be updated for this gopher-lua version", stringConstantsField, f.Type)
	}
	return nil
}

// setStringConstants rebuilds p's unexported string constant cache from
// p.Constants, the same way gopher-lua's compiler does.
func setStringConstants(p *lua.FunctionProto) error {
	if layoutErr != nil {
		return layoutErr
	}
	strs := make([]string, len(p.Constants))
	for i, c := range p.Constants {
		if s, ok := c.(lua.LString); ok {
			strs[i] = string(s)
		}
	}
	field := reflect.ValueOf(p).Elem().FieldByName(stringConstantsField)
	reflect.NewAt(field.Type(), unsafe.Pointer(field.UnsafeAddr())).Elem().Set(reflect.ValueOf(strs))
	return nil
}

// stringConstants reads p's unexported string constant cache (for tests).
func stringConstants(p *lua.FunctionProto) ([]string, error) {
	if layoutErr != nil {
		return nil, layoutErr
	}
	field := reflect.ValueOf(p).Elem().FieldByName(stringConstantsField)
	return reflect.NewAt(field.Type(), unsafe.Pointer(field.UnsafeAddr())).Elem().Interface().([]string), nil
}
