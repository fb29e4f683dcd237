// Package rotate names the files of a capture that goes on across several
// files, as tcpdump's -C (size), -W (file count) and -G (period) options
// do.
package rotate

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrDone is returned by Namer.Next once a capture rotating by period has
// made the number of files Plan.Files allows: the capture ends there, as
// tcpdump -G -W does.
var ErrDone = errors.New("the capture made the number of files -W allows")

// Plan is how a capture rotates its output file.
type Plan struct {
	// Path is the -w name: with a period, a strftime(3) pattern.
	Path string
	// Size starts a new file once the current one holds more than Size
	// bytes (0: no size limit).
	Size int64
	// Files is the number of files: with Size, the files are reused in a
	// ring (the oldest overwritten); with Period, the capture ends after
	// that many (0: no limit).
	Files int
	// Period starts a new file every Period (0: never).
	Period time.Duration
}

// Active reports whether the plan rotates at all.
func (p Plan) Active() bool { return p.Size > 0 || p.Period > 0 }

// Validate checks the combination of options and the pattern, and says
// what to change.
func (p Plan) Validate() error {
	switch {
	case p.Size < 0:
		return fmt.Errorf("-C %d: the file size must be positive", p.Size)
	case p.Files < 0:
		return fmt.Errorf("-W %d: the number of files must be positive", p.Files)
	case p.Period < 0:
		return fmt.Errorf("-G %v: the period must be positive", p.Period)
	case p.Period > 0 && p.Period < time.Second:
		return fmt.Errorf("-G %v: the period is in whole seconds, at least 1", p.Period)
	case p.Files > 0 && !p.Active():
		return errors.New("-W needs -C or -G")
	case p.Size > 0 && p.Period > 0:
		return errors.New("use one of -C and -G: wirebom does not combine them")
	case p.Active() && (p.Path == "" || p.Path == "-"):
		return errors.New("-C and -G need a file name with -w, not standard output")
	}
	if p.Period > 0 {
		if _, err := Strftime(p.Path, time.Unix(0, 0)); err != nil {
			return fmt.Errorf("-w %q: %w", p.Path, err)
		}
	}
	return nil
}

// Namer gives the name of each file of a plan in turn.
type Namer struct {
	plan  Plan
	count int // files named so far
}

// NewNamer returns a Namer for a validated plan.
func NewNamer(p Plan) *Namer { return &Namer{plan: p} }

// Next returns the name of the next file, for a file started at now:
//   - by size, without -W: Path, then Path1, Path2...;
//   - by size, with -W N: Path0 to Path(N-1) with leading zeros to the
//     width of N-1, then Path0 again;
//   - by period: Path as a strftime pattern of now, and ErrDone after -W
//     files.
func (n *Namer) Next(now time.Time) (string, error) {
	p, k := n.plan, n.count
	switch {
	case p.Period > 0:
		if p.Files > 0 && k >= p.Files {
			return "", ErrDone
		}
		n.count++
		return Strftime(p.Path, now)
	case p.Files > 0:
		n.count++
		width := len(strconv.Itoa(p.Files - 1))
		return fmt.Sprintf("%s%0*d", p.Path, width, k%p.Files), nil
	default:
		n.count++
		if k == 0 {
			return p.Path, nil
		}
		return p.Path + strconv.Itoa(k), nil
	}
}

// Strftime formats t with the strftime(3) conversions a file name needs:
// %Y %y %m %d %H %M %S %j %s %b %a %Z %z and %%, in t's time zone.
// Others are refused, so that a name is never made of a conversion
// wirebom does not know.
func Strftime(pattern string, t time.Time) (string, error) {
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i+1 == len(pattern) {
			return "", errors.New("a lone % ends the name (write %% for a percent sign)")
		}
		i++
		switch pattern[i] {
		case 'Y':
			fmt.Fprintf(&b, "%04d", t.Year())
		case 'y':
			fmt.Fprintf(&b, "%02d", t.Year()%100)
		case 'm':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 'S':
			fmt.Fprintf(&b, "%02d", t.Second())
		case 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case 's':
			b.WriteString(strconv.FormatInt(t.Unix(), 10))
		case 'b':
			b.WriteString(t.Format("Jan"))
		case 'a':
			b.WriteString(t.Format("Mon"))
		case 'Z':
			b.WriteString(t.Format("MST"))
		case 'z':
			b.WriteString(t.Format("-0700"))
		case '%':
			b.WriteByte('%')
		default:
			return "", fmt.Errorf("%%%c is not a conversion wirebom knows in file names: use %%Y %%y %%m %%d %%H %%M %%S %%j %%s %%b %%a %%Z %%z or %%%%", pattern[i])
		}
	}
	return b.String(), nil
}
