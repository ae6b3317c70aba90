package examples

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cdp is a minimal Chrome DevTools Protocol client over
// --remote-debugging-pipe (fd 3: commands to Chromium, fd 4: replies,
// messages separated by NUL bytes).
type cdp struct {
	w      *os.File
	r      *bufio.Reader
	nextID int
}

func (c *cdp) call(t *testing.T, session, method string, params any) map[string]any {
	t.Helper()
	res, err := c.try(t, session, method, params)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// try is call that returns the browser's error for the command instead of
// failing the test (transport errors still fail it).
func (c *cdp) try(t *testing.T, session, method string, params any) (map[string]any, error) {
	t.Helper()
	c.nextID++
	msg := map[string]any{"id": c.nextID, "method": method, "params": params}
	if session != "" {
		msg["sessionId"] = session
	}
	b, _ := json.Marshal(msg)
	if _, err := c.w.Write(append(b, 0)); err != nil {
		t.Fatalf("cdp %s: %v", method, err)
	}
	for {
		raw, err := c.r.ReadBytes(0)
		if err != nil {
			t.Fatalf("cdp %s: reading reply: %v", method, err)
		}
		var reply struct {
			ID     int            `json:"id"`
			Result map[string]any `json:"result"`
			Error  map[string]any `json:"error"`
		}
		if err := json.Unmarshal(raw[:len(raw)-1], &reply); err != nil {
			t.Fatalf("cdp %s: bad reply: %v", method, err)
		}
		if reply.ID != c.nextID {
			continue // an event
		}
		if reply.Error != nil {
			return nil, fmt.Errorf("cdp %s: %v", method, reply.Error)
		}
		return reply.Result, nil
	}
}

// eval evaluates a JavaScript expression in the page and returns its value.
func (c *cdp) eval(t *testing.T, session, expr string) any {
	t.Helper()
	res := c.call(t, session, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true})
	if ex, ok := res["exceptionDetails"]; ok {
		t.Fatalf("javascript %q failed: %v", expr, ex)
	}
	v, _ := res["result"].(map[string]any)
	return v["value"]
}

// TestWebappChromium fills the example form in headless Chromium (text
// fields, checkbox, a file set through the file input), submits it and
// checks the echoed page.
func TestWebappChromium(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (Debian: apt-get install -y chromium); skipping the browser test")
	}
	base := startApp(t, "webapp/webapp.lua")
	toChrome, cmdW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	fromChrome, chromeW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--remote-debugging-pipe", "about:blank")
	cmd.ExtraFiles = []*os.File{toChrome, chromeW} // fd 3 and fd 4
	var logs strings.Builder
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	toChrome.Close()
	chromeW.Close()
	pid := cmd.Process.Pid
	t.Cleanup(func() {
		cmdW.Close()
		_ = syscall.Kill(pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(pid, syscall.SIGKILL)
			<-done
		}
		if t.Failed() {
			t.Logf("chromium stderr:\n%s", logs.String())
		}
	})
	// Bound the whole browser session.
	timer := time.AfterFunc(90*time.Second, func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	defer timer.Stop()

	c := &cdp{w: cmdW, r: bufio.NewReader(fromChrome)}
	target := c.call(t, "", "Target.createTarget", map[string]any{"url": base + "/"})
	att := c.call(t, "", "Target.attachToTarget", map[string]any{"targetId": target["targetId"], "flatten": true})
	session, _ := att["sessionId"].(string)
	waitFor := func(expr string) any {
		for i := 0; i < 200; i++ {
			// While the page navigates, an evaluation can fail with
			// "Inspected target navigated or closed": ask again.
			res, err := c.try(t, session, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true})
			if err == nil && res["exceptionDetails"] == nil {
				r, _ := res["result"].(map[string]any)
				if v := r["value"]; v != nil && v != false && v != "" {
					return v
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("timed out waiting for %s", expr)
		return nil
	}
	waitFor(`document.readyState === "complete" && !!document.getElementById("upload")`)
	const fileSize = 123457
	c.eval(t, session, fmt.Sprintf(`(() => {
		document.getElementById("name").value = "Chromium <test>";
		document.getElementById("comment").value = "ä & ö";
		document.getElementById("subscribe").checked = true;
		const dt = new DataTransfer();
		dt.items.add(new File([new Uint8Array(%d).fill(65)], "upload.txt", {type: "text/plain"}));
		document.getElementById("upload").files = dt.files;
		document.getElementById("submit").click();
		return true;
	})()`, fileSize))
	waitFor(`!!document.getElementById("echo-size")`)
	got := map[string]string{}
	for _, id := range []string{"echo-name", "echo-comment", "echo-subscribe", "echo-file", "echo-size", "echo-type"} {
		got[id], _ = c.eval(t, session, `document.getElementById("`+id+`").textContent`).(string)
	}
	want := map[string]string{
		"echo-name": "Chromium <test>", "echo-comment": "ä & ö", "echo-subscribe": "yes",
		"echo-file": "upload.txt", "echo-size": fmt.Sprint(fileSize), "echo-type": "text/plain",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	// The visit cookie was set by the form page and is sent back.
	// (The navigation may end the evaluation before it answers.)
	_, _ = c.try(t, session, "Runtime.evaluate", map[string]any{"expression": `location.href = "/"`})
	waitFor(`document.readyState === "complete" && ((document.getElementById("visits") || {}).textContent || "").includes("Visit number 2 ")`)
}
