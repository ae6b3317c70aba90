package lua53_test

import (
	"testing"

	"github.com/moonbridge-go/moonbridge/stdlib/compat/scripttest"
)

// TestScripts runs testdata/*.lua through Compile and a compat state.
func TestScripts(t *testing.T) { scripttest.Run(t, "testdata") }

// TestScriptsReference runs the same scripts under lua5.3 and compares.
func TestScriptsReference(t *testing.T) { scripttest.RunReferenceAll(t, "testdata") }
