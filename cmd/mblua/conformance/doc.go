// Package conformance holds the conformance suite of mblua, the Lua 5.3
// interpreter of this module, against the reference implementation: Debian's
// lua5.3 (Lua 5.3.6).
//
// testdata/*.lua are Lua scripts organised by the sections of the Lua 5.3
// reference manual (lang_*.lua for the language, §3 and §2; lib_*.lua for the
// standard libraries, §6). Each one prints values and error messages
// deterministically; testdata/NAME.out holds what lua5.3 printed for it, in
// the format of [Result.Encode]. The test in this package runs every script
// under mblua and compares stdout, stderr and the exit status byte for byte
// with the stored expectation, checks that the expectation still equals the
// live output of lua5.3 when lua5.3 is installed, and compares the command
// line behaviour of mblua with lua5.3 (cli_test.go).
//
// The interpreter under test is the binary named by the environment variable
// MBLUA, or else github.com/moonbridge-go/moonbridge/cmd/mblua built by the
// test. To check the suite itself against the reference:
//
//	MBLUA=/usr/bin/lua5.3 go test ./cmd/mblua/conformance/
//
// To regenerate the expectations after editing a script (each script is run
// twice under lua5.3 and must print the same both times):
//
//	go test ./cmd/mblua/conformance/ -run TestConformance -update
//
// Scripts that mblua does not pass yet may be listed in
// testdata/known_failures.txt, one name a line followed by "# reason" (and
// command line cases as "cli/NAME"); such a script's failure is logged and
// skipped, and its passing is an error asking to remove it from the list, so
// the list can only shrink. The list is ignored when the interpreter under
// test is lua5.3 itself.
//
// Expectations are deterministic by construction: scripts print no addresses,
// timings, random values or hash orders (testdata/prelude.inc, which each
// script loads with dofile, sorts table keys), run with a fixed environment (see [Env])
// and with the working directory set to testdata, as "lua5.3 NAME.lua", so
// that chunk names in messages are "NAME.lua". The program name at the start
// of stderr lines is normalised to "lua:" (see [NormaliseProgName]).
package conformance

//go:generate go test -run TestConformance -update
