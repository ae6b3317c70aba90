package main

import (
	"reflect"
	"testing"

	"github.com/moonbridge-go/moonbridge/compiler"
)

func TestFindRequires(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []requireCall
	}{
		{"call forms", "local a = require 'a'\nlocal b = require(\"b.c\")\n", []requireCall{{Line: 1, Name: "a"}, {Line: 2, Name: "b.c"}}},
		{"nested in functions and tables", "local t = { f = function() return { require 'x' } end }\nif y then while true do require 'z' end end",
			[]requireCall{{Line: 1, Name: "x"}, {Line: 2, Name: "z"}}},
		{"dynamic", "local n = 'a'\nrequire(n)\nrequire('a' .. n)", []requireCall{{Line: 2}, {Line: 3}}},
		{"optional", "local ok, m = pcall(require, 'opt')", []requireCall{{Line: 1, Name: "opt", Optional: true}}},
		{"method named require is not require", "obj:require('a')\nx.require('b')", nil},
		{"argument of another call", "print(require('inner').v)", []requireCall{{Line: 1, Name: "inner"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chunk, err := compiler.Parse([]byte(tt.src), "test.lua")
			if err != nil {
				t.Fatal(err)
			}
			if got := findRequires(chunk); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestAssetPath(t *testing.T) {
	b := &builder{appDir: "/srv/app"}
	tests := []struct{ root, file, want string }{
		{"/srv/app/static", "/srv/app/static/css/a.css", "static/css/a.css"},
		{"/srv/app", "/srv/app/index.html", "index.html"},
		{"/srv/shared/assets", "/srv/shared/assets/logo.png", "assets/logo.png"},
		{"/srv/app-other/x", "/srv/app-other/x/y.txt", "x/y.txt"},
	}
	for _, tt := range tests {
		got, err := b.assetPath(tt.root, tt.file)
		if err != nil || got != tt.want {
			t.Errorf("assetPath(%s, %s) = %q, %v; want %q", tt.root, tt.file, got, err, tt.want)
		}
	}
}

func TestRuntimeModules(t *testing.T) {
	builtin := runtimeModules()
	for _, name := range []string{"string", "table", "moonbridge_io", "moonbridge_http"} {
		if !builtin(name) {
			t.Errorf("%s is not reported as provided by the runtime", name)
		}
	}
	for _, name := range []string{"lib.greet", "socket", ""} {
		if builtin(name) {
			t.Errorf("%q is reported as provided by the runtime", name)
		}
	}
}
