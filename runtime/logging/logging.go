// Package logging writes the server's log: to stderr, to an appended and
// locked log file, or to syslog. Every line carries a timestamp (except in
// syslog, which adds its own), the pid of the process it is about and a level.
//
// It is shared by the master and the command line; workers write plain
// lines to their stderr, which the master reads and logs through here.
package logging

import (
	"fmt"
	"io"
	"log/syslog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Level orders log lines by importance.
type Level int

// Levels, most verbose first.
const (
	Debug Level = iota
	Info
	Notice
	Warning
	Error
)

func (l Level) String() string {
	return [...]string{"debug", "info", "notice", "warning", "error"}[l]
}

// TimeFormat is the timestamp of every line (not in syslog): local time
// with milliseconds and the offset from UTC.
const TimeFormat = "2006-01-02 15:04:05.000 -0700"

// Logger is safe for concurrent use.
type Logger struct {
	mu     sync.Mutex
	w      io.Writer
	closer io.Closer
	sys    *syslog.Writer
	min    atomic.Int32 // least Level written; read without the lock
	now    func() time.Time
	defPID int
}

// ErrLocked is returned by OpenFile when another process holds the log file.
var ErrLocked = fmt.Errorf("log file is locked by another process")

// NewWriter logs to w (stderr, usually).
func NewWriter(w io.Writer, min Level) *Logger {
	l := &Logger{w: w, now: time.Now, defPID: os.Getpid()}
	l.min.Store(int32(min))
	return l
}

// OpenFile appends to path, holding an exclusive lock on it for the life of
// the process: a second server logging to the same file is refused.
func OpenFile(path string, min Level) (*Logger, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open log file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if err == syscall.EWOULDBLOCK {
			return nil, fmt.Errorf("%s: %w", path, ErrLocked)
		}
		return nil, fmt.Errorf("lock log file %s: %w", path, err)
	}
	l := NewWriter(f, min)
	l.closer = f
	return l, nil
}

// Facilities accepted by -f/--logfacility.
var Facilities = map[string]syslog.Priority{
	"kern": syslog.LOG_KERN, "user": syslog.LOG_USER, "mail": syslog.LOG_MAIL,
	"daemon": syslog.LOG_DAEMON, "auth": syslog.LOG_AUTH, "syslog": syslog.LOG_SYSLOG,
	"lpr": syslog.LOG_LPR, "news": syslog.LOG_NEWS, "uucp": syslog.LOG_UUCP,
	"cron": syslog.LOG_CRON, "authpriv": syslog.LOG_AUTHPRIV, "ftp": syslog.LOG_FTP,
	"local0": syslog.LOG_LOCAL0, "local1": syslog.LOG_LOCAL1, "local2": syslog.LOG_LOCAL2,
	"local3": syslog.LOG_LOCAL3, "local4": syslog.LOG_LOCAL4, "local5": syslog.LOG_LOCAL5,
	"local6": syslog.LOG_LOCAL6, "local7": syslog.LOG_LOCAL7,
}

// EnvSyslogSocket names a datagram socket that OpenSyslog uses instead of
// the system's (/dev/log): for tests, or a syslog daemon listening elsewhere.
const EnvSyslogSocket = "MOONBRIDGE_SYSLOG_SOCKET"

// OpenSyslog logs through the local syslog socket with the given facility
// name (see Facilities) and ident.
func OpenSyslog(facility, ident string, min Level) (*Logger, error) {
	prio, ok := Facilities[strings.ToLower(facility)]
	if !ok {
		return nil, fmt.Errorf("unknown syslog facility %q (use daemon, user or local0 … local7)", facility)
	}
	var w *syslog.Writer
	var err error
	if path := os.Getenv(EnvSyslogSocket); path != "" {
		w, err = syslog.Dial("unixgram", path, prio|syslog.LOG_INFO, ident)
	} else {
		w, err = syslog.New(prio|syslog.LOG_INFO, ident)
	}
	if err != nil {
		return nil, fmt.Errorf("connect to the local syslog socket: %w", err)
	}
	l := &Logger{sys: w, now: time.Now, defPID: os.Getpid()}
	l.min.Store(int32(min))
	return l, nil
}

// SetMin changes the least level that is written.
func (l *Logger) SetMin(min Level) { l.min.Store(int32(min)) }

// Enabled reports whether lines of level lv are written.
func (l *Logger) Enabled(lv Level) bool { return int32(lv) >= l.min.Load() }

// Log writes one line about the process pid (0: this process).
func (l *Logger) Log(lv Level, pid int, msg string) {
	if l == nil || !l.Enabled(lv) {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if pid == 0 {
		pid = l.defPID
	}
	msg = strings.TrimRight(msg, "\n")
	if l.sys != nil {
		line := fmt.Sprintf("[%d] %s", pid, msg)
		switch lv {
		case Debug:
			l.sys.Debug(line)
		case Info:
			l.sys.Info(line)
		case Notice:
			l.sys.Notice(line)
		case Warning:
			l.sys.Warning(line)
		default:
			l.sys.Err(line)
		}
		return
	}
	ts := l.now().Format(TimeFormat)
	fmt.Fprintf(l.w, "%s [%d] %s: %s\n", ts, pid, lv, msg)
}

// Debugf, Infof, Noticef, Warningf and Errorf log a formatted line about this process.
func (l *Logger) Debugf(format string, a ...any) { l.Log(Debug, 0, fmt.Sprintf(format, a...)) }

// Infof logs at level Info.
func (l *Logger) Infof(format string, a ...any) { l.Log(Info, 0, fmt.Sprintf(format, a...)) }

// Noticef logs at level Notice.
func (l *Logger) Noticef(format string, a ...any) { l.Log(Notice, 0, fmt.Sprintf(format, a...)) }

// Warningf logs at level Warning.
func (l *Logger) Warningf(format string, a ...any) { l.Log(Warning, 0, fmt.Sprintf(format, a...)) }

// Errorf logs at level Error.
func (l *Logger) Errorf(format string, a ...any) { l.Log(Error, 0, fmt.Sprintf(format, a...)) }

// Close releases the log file or syslog connection.
func (l *Logger) Close() error {
	if l.sys != nil {
		return l.sys.Close()
	}
	if l.closer != nil {
		return l.closer.Close()
	}
	return nil
}
