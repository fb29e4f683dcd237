package cbom

import (
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// StampOptions says how Stamp sets a document's serial number and timestamp.
type StampOptions struct {
	// Reproducible derives the serial number from the content and uses Epoch
	// (or no timestamp at all) so that two runs over the same facts give
	// identical bytes.
	Reproducible bool
	// Epoch is the timestamp of a reproducible document; the zero value
	// records none. See EpochFromEnv for SOURCE_DATE_EPOCH.
	Epoch time.Time
	// Now is the timestamp of a normal document; the zero value keeps the
	// document's Timestamp (the collection time) or, if unset, time.Now().
	Now time.Time
}

// wirebomNamespace is the UUID namespace of reproducible serial numbers
// (a random UUID chosen once for wirebom).
var wirebomNamespace = [16]byte{0x5c, 0x2e, 0x8f, 0x41, 0x0b, 0x77, 0x4d, 0x1a, 0x9e, 0x63, 0x2a, 0xd4, 0x17, 0x80, 0xc5, 0x3b}

// Stamp normalizes the document (stable order, unique refs) and sets its
// serial number and timestamp.
func (d *Document) Stamp(o StampOptions) error {
	d.normalize()
	d.Reproducible = o.Reproducible
	if o.Reproducible {
		d.Timestamp = o.Epoch.UTC()
		d.SerialNumber = ""
		sum, err := d.contentHash()
		if err != nil {
			return err
		}
		d.SerialNumber = "urn:uuid:" + uuidV5(wirebomNamespace, sum)
		return nil
	}
	now := o.Now
	if now.IsZero() {
		now = d.Timestamp // collection time, when FromInventory set it
	}
	if now.IsZero() {
		now = time.Now()
	}
	d.Timestamp = now.UTC().Truncate(time.Second)
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return fmt.Errorf("cbom: serial number: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	d.SerialNumber = "urn:uuid:" + formatUUID(b)
	return nil
}

// contentHash is the SHA-256 of the document's JSON form, serial number
// excluded (it is blank while hashing).
func (d *Document) contentHash() (string, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("cbom: hash document: %w", err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:]), nil
}

// uuidV5 is the RFC 9562 name-based (SHA-1) UUID of name in namespace ns.
func uuidV5(ns [16]byte, name string) string {
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var b [16]byte
	copy(b[:], h.Sum(nil))
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b)
}

func formatUUID(b [16]byte) string {
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// EpochFromEnv parses a SOURCE_DATE_EPOCH value (seconds since 1970, UTC).
// An empty value gives the zero time (no timestamp).
func EpochFromEnv(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > 253402300799 {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q: not a number of seconds between 1970 and 9999", v)
	}
	return time.Unix(n, 0).UTC(), nil
}
