//go:build !wirebom_nosqlite

package sysinv

// go-rpmdb opens SQLite databases (rpmdb.sqlite) through database/sql with the
// pure-Go driver registered as "sqlite"; it does not import the driver itself.
import _ "modernc.org/sqlite"
