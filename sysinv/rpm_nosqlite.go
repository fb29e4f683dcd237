//go:build wirebom_nosqlite

package sysinv

// Built with -tags wirebom_nosqlite: the SQLite driver (about 4 MB of the
// binary) is left out, and rpmdb.sqlite databases (Fedora 33+, RHEL 9) are
// reported as unreadable by the RPM collector.
