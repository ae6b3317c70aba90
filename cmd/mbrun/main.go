// Command mbrun runs a Moonbridge application straight from its Lua source.
package main

func main() {}
