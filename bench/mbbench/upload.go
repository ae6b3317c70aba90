package main

import (
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const uploadBoundary = "mbbench-7d3f1a9c0b2e"

// multipartBody generates a multipart/form-data body with a short text
// field and a file field "file" of size bytes, without holding it in memory.
type multipartBody struct {
	head, tail []byte
	pattern    []byte // repeated as the file's content
	left       int64  // file bytes still to produce
	pos        int    // position in pattern
	stage      int    // 0 head, 1 file, 2 tail, 3 done
}

func newMultipartBody(size int64) *multipartBody {
	pattern := make([]byte, 64<<10)
	rand.New(rand.NewSource(7)).Read(pattern)
	head := "--" + uploadBoundary + "\r\n" +
		"Content-Disposition: form-data; name=\"note\"\r\n\r\nmbbench upload\r\n" +
		"--" + uploadBoundary + "\r\n" +
		"Content-Disposition: form-data; name=\"file\"; filename=\"data.bin\"\r\n" +
		"Content-Type: application/octet-stream\r\n\r\n"
	tail := "\r\n--" + uploadBoundary + "--\r\n"
	return &multipartBody{head: []byte(head), tail: []byte(tail), pattern: pattern, left: size}
}

func (m *multipartBody) length() int64 { return int64(len(m.head)) + m.left + int64(len(m.tail)) }

func (m *multipartBody) Read(p []byte) (int, error) {
	switch m.stage {
	case 0:
		n := copy(p, m.head)
		m.head = m.head[n:]
		if len(m.head) == 0 {
			m.stage = 1
		}
		return n, nil
	case 1:
		chunk := m.pattern[m.pos:]
		if int64(len(chunk)) > m.left {
			chunk = chunk[:m.left]
		}
		n := copy(p, chunk)
		m.left -= int64(n)
		m.pos = (m.pos + n) % len(m.pattern)
		if m.left == 0 {
			m.stage = 2
		}
		return n, nil
	case 2:
		n := copy(p, m.tail)
		m.tail = m.tail[n:]
		if len(m.tail) == 0 {
			m.stage = 3
		}
		return n, nil
	}
	return 0, io.EOF
}

// upload posts a multipart body with a file of size bytes to url through
// net/http's client, checks that the server counted every byte, and
// returns the time from sending to the complete answer.
func upload(url string, size int64) (time.Duration, error) {
	client := &http.Client{
		Transport: &http.Transport{
			DisableCompression: true,
			WriteBufferSize:    256 << 10,
			ReadBufferSize:     64 << 10,
		},
		Timeout: 2 * time.Minute,
	}
	defer client.CloseIdleConnections()
	body := newMultipartBody(size)
	req, err := http.NewRequest(http.MethodPost, url, body)
	if err != nil {
		return 0, err
	}
	req.ContentLength = body.length()
	req.Header.Set("Content-Type", "multipart/form-data; boundary="+uploadBoundary)
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("upload: %w", err)
	}
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	took := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("upload answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("upload: status %s: %.200q", resp.Status, answer)
	}
	if got := strings.TrimSpace(string(answer)); got != strconv.FormatInt(size, 10) {
		return 0, fmt.Errorf("upload: server counted %q bytes, sent %d", got, size)
	}
	return took, nil
}
