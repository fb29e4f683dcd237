package sysinv

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
)

// maxLinkDepth is how many symlinks one path resolution may follow, as the
// kernel's MAXSYMLINKS (40).
const maxLinkDepth = 40

// ErrLinkLoop is returned when resolving a path follows more than 40 symlinks.
var ErrLinkLoop = errors.New("too many levels of symbolic links")

// ErrNotRegular is returned when a file to be read is not a regular file
// (a FIFO, device or socket in an image must never be opened for reading).
var ErrNotRegular = errors.New("not a regular file")

// TruncatedError reports that a file was larger than the read cap. The bytes
// returned alongside it are the first Limit bytes of the file.
type TruncatedError struct {
	Path  string
	Limit int64
}

// Error describes the truncation.
func (e *TruncatedError) Error() string {
	return fmt.Sprintf("%s: larger than %d bytes, read only the first %d", e.Path, e.Limit, e.Limit)
}

// FS is a read-only view of a directory tree in which every path, and every
// symlink target met while resolving it, is interpreted relative to the root:
// absolute targets are re-rooted and ".." never climbs above the root (the
// semantics of openat2 RESOLVE_IN_ROOT). It never writes.
type FS struct {
	root    string // absolute, cleaned host path
	maxFile int64
}

// NewFS returns an FS rooted at root (a directory). maxFile caps bytes read
// by ReadFile; 0 means DefaultMaxFileSize.
func NewFS(root string, maxFile int64) (*FS, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("sysinv: root %q: %w", root, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("sysinv: root: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("sysinv: root %q: not a directory", root)
	}
	if maxFile <= 0 {
		maxFile = DefaultMaxFileSize
	}
	return &FS{root: abs, maxFile: maxFile}, nil
}

// Root returns the host path of the root directory.
func (f *FS) Root() string { return f.root }

// splitPath cleans name as an absolute path inside the root and returns its
// components.
func splitPath(name string) []string {
	var out []string
	for _, c := range strings.Split(name, "/") {
		if c != "" && c != "." {
			out = append(out, c)
		}
	}
	return out
}

// hostPath joins resolved components onto the root.
func (f *FS) hostPath(comps []string) string {
	if len(comps) == 0 {
		return f.root
	}
	return filepath.Join(f.root, filepath.Join(comps...))
}

// Resolve returns the host path of name with every symlink resolved inside
// the root. With follow false the final component is not followed. The path
// need not exist past the first missing component; the error then wraps
// fs.ErrNotExist.
func (f *FS) Resolve(name string, follow bool) (string, error) {
	todo := splitPath(name)
	var done []string
	links := 0
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		if c == ".." {
			if len(done) > 0 {
				done = done[:len(done)-1]
			}
			continue
		}
		cand := append(done[:len(done):len(done)], c)
		hp := f.hostPath(cand)
		if len(todo) == 0 && !follow {
			return hp, nil
		}
		st, err := os.Lstat(hp)
		if err != nil {
			return "", fmt.Errorf("resolve %s: %w", name, err)
		}
		if st.Mode()&fs.ModeSymlink == 0 {
			if len(todo) > 0 && !st.IsDir() {
				return "", fmt.Errorf("resolve %s: %w", name, syscall.ENOTDIR)
			}
			done = cand
			continue
		}
		links++
		if links > maxLinkDepth {
			return "", fmt.Errorf("resolve %s: %w", name, ErrLinkLoop)
		}
		target, err := os.Readlink(hp)
		if err != nil {
			return "", fmt.Errorf("resolve %s: %w", name, err)
		}
		if strings.HasPrefix(target, "/") {
			done = nil
		}
		todo = append(splitPath(target), todo...)
	}
	return f.hostPath(done), nil
}

// open opens name for reading, refusing anything but regular files. It never
// blocks on a FIFO (O_NONBLOCK) and never follows a final symlink swapped in
// after resolution (O_NOFOLLOW).
func (f *FS) open(name string) (*os.File, error) {
	hp, err := f.Resolve(name, true)
	if err != nil {
		return nil, err
	}
	fd, err := os.OpenFile(hp, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, err
	}
	st, err := fd.Stat()
	if err != nil {
		fd.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		fd.Close()
		return nil, fmt.Errorf("open %s: %w", name, ErrNotRegular)
	}
	return fd, nil
}

// ReadFile reads name, at most the FS's cap. When the file is larger it
// returns the first cap bytes and a *TruncatedError.
func (f *FS) ReadFile(name string) ([]byte, error) {
	return f.ReadFileLimit(name, f.maxFile)
}

// ReadFileLimit is ReadFile with an explicit cap (never above the FS's cap).
func (f *FS) ReadFileLimit(name string, limit int64) ([]byte, error) {
	if limit <= 0 || limit > f.maxFile {
		limit = f.maxFile
	}
	fd, err := f.open(name)
	if err != nil {
		return nil, err
	}
	defer fd.Close()
	// sysfs and procfs report sizes that mean nothing (4096, 0): read until
	// EOF, using the size only as a first guess for the buffer.
	hint := int64(512)
	if st, err := fd.Stat(); err == nil && st.Size() > hint {
		hint = min(st.Size(), limit) + 1
	}
	data, err := readAllHint(io.LimitReader(fd, limit+1), int(hint))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if int64(len(data)) > limit {
		return data[:limit], &TruncatedError{Path: name, Limit: limit}
	}
	return data, nil
}

// sysfsValueLimit caps reads of single sysfs/procfs values.
const sysfsValueLimit = 64 << 10

// ReadValue reads a small sysfs-style value file and trims surrounding white
// space. Files over 64 KiB are an error.
func (f *FS) ReadValue(name string) (string, error) {
	b, err := f.ReadFileLimit(name, sysfsValueLimit)
	if err != nil {
		return "", err
	}
	return cleanValue(b), nil
}

// ReadDir lists the directory name, sorted by file name.
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	hp, err := f.Resolve(name, true)
	if err != nil {
		return nil, err
	}
	return os.ReadDir(hp)
}

// Stat returns the FileInfo of name, following symlinks inside the root.
func (f *FS) Stat(name string) (fs.FileInfo, error) {
	hp, err := f.Resolve(name, true)
	if err != nil {
		return nil, err
	}
	return os.Lstat(hp)
}

// Exists reports whether name resolves to an existing file or directory.
func (f *FS) Exists(name string) bool {
	_, err := f.Stat(name)
	return err == nil
}

// LinkBase returns the last component of the resolved target of the symlink
// name (for sysfs links like device/driver), resolved inside the root.
func (f *FS) LinkBase(name string) (string, error) {
	hp, err := f.Resolve(name, true)
	if err != nil {
		return "", err
	}
	if hp == f.root {
		return "", fmt.Errorf("link %s: resolves to the root", name)
	}
	return filepath.Base(hp), nil
}

// Glob returns names inside the root matching pattern (path.Match syntax in
// the last component only), sorted.
func (f *FS) Glob(dir, pattern string) ([]string, error) {
	ents, err := f.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if ok, _ := path.Match(pattern, e.Name()); ok {
			out = append(out, path.Join(dir, e.Name()))
		}
	}
	return out, nil
}

// cleanValue trims white space and NUL bytes around a sysfs value.
func cleanValue(b []byte) string {
	return strings.Trim(string(b), " \t\r\n\x00")
}

// readAllHint is io.ReadAll with an initial buffer size.
func readAllHint(r io.Reader, hint int) ([]byte, error) {
	b := make([]byte, 0, hint)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// readHostFile reads a file of the host (not of the inspected root), capped.
func readHostFile(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, 0, 64<<10)
	tmp := make([]byte, 32<<10)
	for {
		n, err := f.Read(tmp)
		buf = append(buf, tmp[:n]...)
		if int64(len(buf)) > limit {
			return nil, &TruncatedError{Path: name, Limit: limit}
		}
		if err != nil {
			break
		}
	}
	return buf, nil
}
