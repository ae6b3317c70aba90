// Package examples holds the example Moonbridge applications (helloworld,
// webapp) and their end-to-end tests, which build mbrun, start each
// example as a real server process and drive it with real clients
// (Go's net/http, curl and headless Chromium). It contains no product code.
package examples
