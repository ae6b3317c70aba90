package cli

import (
	"fmt"
	"net"
	"os"
	"strings"
)

// envNotifySocket is systemd's socket for Type=notify services
// (sd_notify(3)): the master says READY=1 when every listener is open and
// the first workers are starting, and STOPPING=1 when it begins to shut
// down.
const envNotifySocket = "NOTIFY_SOCKET"

// notifier sends sd_notify messages; the zero value sends nothing.
type notifier struct{ addr *net.UnixAddr }

// newNotifier reads NOTIFY_SOCKET and removes it from the environment, so
// that neither workers nor the application's child processes speak for
// the service.
func newNotifier() notifier {
	path := os.Getenv(envNotifySocket)
	os.Unsetenv(envNotifySocket)
	if path == "" || (!strings.HasPrefix(path, "/") && !strings.HasPrefix(path, "@")) {
		return notifier{}
	}
	if strings.HasPrefix(path, "@") {
		path = "\x00" + path[1:] // abstract socket
	}
	return notifier{addr: &net.UnixAddr{Name: path, Net: "unixgram"}}
}

// send writes one message; failures are returned for the log.
func (n notifier) send(state string) error {
	if n.addr == nil {
		return nil
	}
	c, err := net.DialUnix("unixgram", nil, n.addr)
	if err != nil {
		return fmt.Errorf("notify service manager: %w", err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(state)); err != nil {
		return fmt.Errorf("notify service manager: %w", err)
	}
	return nil
}
