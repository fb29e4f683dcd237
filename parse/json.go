package parse

import (
	"strconv"
	"time"
)

// JSONEncoder formats packets as one JSON object each, with the key names
// and shape of the Wireshark oracle (testdata/corpus/README.md): frame-level
// scalars (frame, ts, cap_len, len, protocols, eth_src, ...), vlan_ids as an
// array, then one object per protocol group in which every value is an array
// of all occurrences in packet order. Strings from the wire are always valid
// UTF-8 JSON strings. Decode errors add "error" (and "truncated").
// An encoder reuses its buffers; it is for one goroutine at a time.
type JSONEncoder struct {
	fields []jsonField
	done   []bool
}

type jsonField struct {
	group, key string
	v          Value
}

// Field implements FieldSink.
func (e *JSONEncoder) Field(group, key string, v Value) {
	e.fields = append(e.fields, jsonField{group, key, v})
}

// AppendPacket appends the JSON object for packet number frame (1-based)
// and a newline to dst. decodeErr is the error Decode returned, if any.
func (e *JSONEncoder) AppendPacket(dst []byte, frame int, p *Packet, decodeErr error) []byte {
	e.fields = e.fields[:0]
	p.Fields(e)
	if cap(e.done) < len(e.fields) {
		e.done = make([]bool, len(e.fields), 2*len(e.fields))
	}
	e.done = e.done[:len(e.fields)]
	clear(e.done)

	dst = append(dst, `{"frame":`...)
	dst = strconv.AppendInt(dst, int64(frame), 10)
	dst = append(dst, `,"ts":"`...)
	dst = p.Info.Timestamp.UTC().AppendFormat(dst, time.RFC3339Nano)
	dst = append(dst, `","protocols":"`...)
	dst = p.path.appendTo(dst)
	dst = append(dst, '"')
	// Frame-level keys.
	for i := range e.fields {
		f := &e.fields[i]
		if f.group != "" || e.done[i] {
			continue
		}
		dst = append(dst, ',', '"')
		dst = append(dst, f.key...)
		dst = append(dst, '"', ':')
		if f.key == "vlan_ids" {
			dst = e.appendArray(dst, i)
			continue
		}
		e.done[i] = true
		dst = appendValue(dst, f.v, true, 0)
	}
	// Groups, in order of first appearance.
	for i := range e.fields {
		g := e.fields[i].group
		if g == "" || e.done[i] {
			continue
		}
		dst = append(dst, ',', '"')
		dst = append(dst, g...)
		dst = append(dst, `":{`...)
		first := true
		for j := i; j < len(e.fields); j++ {
			if e.done[j] || e.fields[j].group != g {
				continue
			}
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = append(dst, '"')
			dst = append(dst, e.fields[j].key...)
			dst = append(dst, '"', ':')
			dst = e.appendArray(dst, j)
		}
		dst = append(dst, '}')
	}
	if p.Truncated() {
		dst = append(dst, `,"truncated":true`...)
	}
	if decodeErr != nil {
		dst = append(dst, `,"error":`...)
		dst = AppendJSONString(dst, []byte(decodeErr.Error()))
	}
	return append(dst, '}', '\n')
}

// appendArray appends the values of every field with the group and key
// of field i, from i on, and marks them done.
func (e *JSONEncoder) appendArray(dst []byte, i int) []byte {
	g, k := e.fields[i].group, e.fields[i].key
	dst = append(dst, '[')
	first := true
	for j := i; j < len(e.fields); j++ {
		f := &e.fields[j]
		if e.done[j] || f.group != g || f.key != k {
			continue
		}
		e.done[j] = true
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendValue(dst, f.v, true, 0)
	}
	return append(dst, ']')
}
