//go:build !amd64 && !arm64

package ipc

// sysMemfdCreate is unknown here: an unlinked temporary file is used.
const sysMemfdCreate = 0
