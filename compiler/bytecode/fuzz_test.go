package bytecode

import (
	"bytes"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func crc32IEEE(b []byte) uint32 { return crc32.ChecksumIEEE(b) }

// seeds returns the encoded testdata chunks.
func seeds(f *testing.F) [][]byte {
	files, err := filepath.Glob(filepath.Join("testdata", "*.lua"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed chunks in testdata: %v", err)
	}
	var out [][]byte
	for _, file := range files {
		if _, err := os.Stat(file); err != nil {
			f.Fatal(err)
		}
		data, err := Encode(compileFile(f, file))
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, data)
	}
	return out
}

// FuzzDecode feeds arbitrary files to the loader: it must return an error
// or a prototype, never panic (the internal recover is reported as a bug).
func FuzzDecode(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
		f.Add(s[:len(s)/2])
	}
	f.Add([]byte(Magic))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Decode(data)
		if err != nil && strings.Contains(err.Error(), "internal error") {
			t.Fatal(err)
		}
		if err == nil && p == nil {
			t.Fatal("nil prototype without error")
		}
	})
}

// FuzzDecodePayload fuzzes the payload behind a valid header and checksum,
// where the checksum would otherwise reject nearly every mutation. A
// payload that loads must encode back to a payload that loads the same.
func FuzzDecodePayload(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(payloadOf(f, s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		p, err := Decode(withHeader(payload))
		if err != nil {
			if strings.Contains(err.Error(), "internal error") {
				t.Fatal(err)
			}
			return
		}
		again, err := Encode(p)
		if err != nil {
			t.Fatalf("loaded prototype does not encode: %v", err)
		}
		p2, err := Decode(again)
		if err != nil {
			t.Fatalf("re-encoded prototype does not load: %v", err)
		}
		third, err := Encode(p2)
		if err != nil || !bytes.Equal(again, third) {
			t.Fatalf("encoding is not stable: %v", err)
		}
	})
}

// payloadOf strips the header from an encoded chunk.
func payloadOf(tb testing.TB, data []byte) []byte {
	r := reader{buf: data[len(Magic):]}
	r.uint16()
	r.string()
	n := r.uvarint()
	r.uint32()
	if r.err != nil || uint64(len(r.buf)) != n {
		tb.Fatalf("cannot strip header: %v", r.err)
	}
	return r.buf
}
