// Package benchutil holds what the benchmark programs mbbench and
// mbhostile share: starting a server as a separate process with its output
// in a log file, walking its process tree through /proc and stopping the
// whole tree by pid, the plain net/http server they compare against, and
// the Markdown table and notes they print.
//
// It is Linux-only (it reads /proc) and meant for measuring programs, not
// for the product.
package benchutil
