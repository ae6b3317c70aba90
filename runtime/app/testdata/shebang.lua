#!/usr/bin/env mbrun
local ok, err = pcall(require, "no.such.mod")
require_error = err
error("second line")
