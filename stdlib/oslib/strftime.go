package oslib

import (
	"strconv"
	"time"
)

// tm is C's struct tm, with the year in full (not minus 1900) and the
// zone's offset and abbreviation as glibc keeps them.
type tm struct {
	year   int64
	mon    int // 0-11
	mday   int // 1-31
	hour   int
	min    int
	sec    int
	wday   int // 0-6, Sunday is 0
	yday   int // 0-365
	isdst  bool
	gmtoff int // seconds east of UTC
	zone   string
}

// tmOf breaks t down in loc, as localtime/gmtime do.
func tmOf(t time.Time, utc bool) tm {
	name, off := t.Zone()
	r := tm{
		year: int64(t.Year()), mon: int(t.Month()) - 1, mday: t.Day(),
		hour: t.Hour(), min: t.Minute(), sec: t.Second(),
		wday: int(t.Weekday()), yday: t.YearDay() - 1,
		isdst: t.IsDST(), gmtoff: off, zone: name,
	}
	if utc {
		// glibc's gmtime names the zone GMT.
		r.zone, r.gmtoff, r.isdst = "GMT", 0, false
	}
	return r
}

// The options os.date accepts after '%' (LUA_STRFTIMEOPTIONS for C99):
// single characters, then two-character ones after "||".
const strftimeOptions = "aAbBcCdDeFgGhHIjmMnprRStTuUVwWxXyYzZ%" +
	"||" + "EcECExEXEyEY" + "OdOeOHOIOmOMOSOuOUOVOwOWOy"

// checkOption returns the length of the conversion at the start of conv
// (the text after '%'), or 0 when it is not a valid one (checkoption).
func checkOption(conv string) int {
	oplen := 1
	for i := 0; i < len(strftimeOptions) && oplen <= len(conv); i += oplen {
		if strftimeOptions[i] == '|' {
			oplen++
		} else if i+oplen <= len(strftimeOptions) && strftimeOptions[i:i+oplen] == conv[:oplen] {
			return oplen
		}
	}
	return 0
}

var (
	dayNames   = [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	monthNames = [12]string{"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"}
)

func pad(b []byte, n int64, width int, padc byte) []byte {
	neg := n < 0
	u := uint64(n)
	if neg {
		u = -u
	}
	s := strconv.FormatUint(u, 10)
	if neg {
		b = append(b, '-')
		width--
	}
	for i := len(s); i < width; i++ {
		b = append(b, padc)
	}
	return append(b, s...)
}

// cint is a year as glibc computes it from tm_year in a C int: it wraps
// around for the few years beyond INT_MAX.
func cint(year int64) int64 { return int64(int32(year)) }

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }

func isLeap(y int64) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// isoWeekDays is glibc's iso_week_days: the number of days from the
// first day of the first ISO week of this year to yday.
func isoWeekDays(yday, wday int) int {
	const bigEnough = (366/7 + 2) * 7
	return yday - (yday-wday+4+bigEnough)%7 + 4 - 1
}

// isoWeek returns the ISO 8601 year and week number of t.
func isoWeek(t *tm) (year int64, week int) {
	year = t.year
	days := isoWeekDays(t.yday, t.wday)
	if days < 0 {
		year--
		n := 365
		if isLeap(year) {
			n++
		}
		days = isoWeekDays(t.yday+n, t.wday)
	} else {
		n := 365
		if isLeap(year) {
			n++
		}
		if d := isoWeekDays(t.yday-n, t.wday); d >= 0 {
			year++
			days = d
		}
	}
	return year, days/7 + 1
}

// strftime appends the conversion conv (one or two characters, as
// checkOption accepted it) of t to b, as glibc's strftime does in the C
// locale. The E and O modifiers change nothing in that locale.
func strftime(b []byte, conv string, t *tm) []byte {
	c := conv[len(conv)-1]
	switch c {
	case 'a':
		return append(b, dayNames[t.wday][:3]...)
	case 'A':
		return append(b, dayNames[t.wday]...)
	case 'b', 'h':
		return append(b, monthNames[t.mon][:3]...)
	case 'B':
		return append(b, monthNames[t.mon]...)
	case 'c':
		b = strftime(b, "a", t)
		b = append(b, ' ')
		b = strftime(b, "b", t)
		b = append(b, ' ')
		b = strftime(b, "e", t)
		b = append(b, ' ')
		b = strftime(b, "T", t)
		b = append(b, ' ')
		return strftime(b, "Y", t)
	case 'C':
		return pad(b, floorDiv(cint(t.year), 100), 1, '0')
	case 'd':
		return pad(b, int64(t.mday), 2, '0')
	case 'D', 'x':
		b = strftime(b, "m", t)
		b = append(b, '/')
		b = strftime(b, "d", t)
		b = append(b, '/')
		return strftime(b, "y", t)
	case 'e':
		return pad(b, int64(t.mday), 2, ' ')
	case 'F':
		b = strftime(b, "Y", t)
		b = append(b, '-')
		b = strftime(b, "m", t)
		b = append(b, '-')
		return strftime(b, "d", t)
	case 'g':
		y, _ := isoWeek(t)
		return pad(b, floorMod(cint(y), 100), 2, '0')
	case 'G':
		y, _ := isoWeek(t)
		return pad(b, cint(y), 1, '0')
	case 'H':
		return pad(b, int64(t.hour), 2, '0')
	case 'I':
		h := t.hour % 12
		if h == 0 {
			h = 12
		}
		return pad(b, int64(h), 2, '0')
	case 'j':
		return pad(b, int64(t.yday+1), 3, '0')
	case 'm':
		return pad(b, int64(t.mon+1), 2, '0')
	case 'M':
		return pad(b, int64(t.min), 2, '0')
	case 'n':
		return append(b, '\n')
	case 'p':
		if t.hour < 12 {
			return append(b, "AM"...)
		}
		return append(b, "PM"...)
	case 'r':
		b = strftime(b, "I", t)
		b = append(b, ':')
		b = strftime(b, "M", t)
		b = append(b, ':')
		b = strftime(b, "S", t)
		b = append(b, ' ')
		return strftime(b, "p", t)
	case 'R':
		b = strftime(b, "H", t)
		b = append(b, ':')
		return strftime(b, "M", t)
	case 'S':
		return pad(b, int64(t.sec), 2, '0')
	case 't':
		return append(b, '\t')
	case 'T', 'X':
		b = strftime(b, "H", t)
		b = append(b, ':')
		b = strftime(b, "M", t)
		b = append(b, ':')
		return strftime(b, "S", t)
	case 'u':
		return pad(b, int64((t.wday+6)%7+1), 1, '0')
	case 'U':
		return pad(b, int64((t.yday-t.wday+7)/7), 2, '0')
	case 'V':
		_, w := isoWeek(t)
		return pad(b, int64(w), 2, '0')
	case 'w':
		return pad(b, int64(t.wday), 1, '0')
	case 'W':
		return pad(b, int64((t.yday-(t.wday-1+7)%7+7)/7), 2, '0')
	case 'y':
		return pad(b, floorMod(t.year-1900, 100), 2, '0')
	case 'Y':
		return pad(b, cint(t.year), 1, '0')
	case 'z':
		off := t.gmtoff
		sign := byte('+')
		if off < 0 {
			sign = '-'
			off = -off
		}
		b = append(b, sign)
		return pad(b, int64(off/3600*100+off/60%60), 4, '0')
	case 'Z':
		return append(b, t.zone...)
	case '%':
		return append(b, '%')
	}
	return b
}
