package parse

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// Hierarchy counts packets and bytes per protocol path, like
// `tshark -q -z io,phs`: a packet counts at every node of its path
// (eth, eth:ip, eth:ip:tcp, ...; as in tshark's table, the "ethertype"
// pseudo-protocol of frame.protocols is left out). Bytes are frame lengths on
// the wire. Add does not allocate once a path has been seen.
type Hierarchy struct {
	paths   map[protoPath]*PathCount
	Packets uint64 // packets added
	Bytes   uint64 // their bytes on the wire
}

// PathCount is the packets and bytes of one protocol path.
type PathCount struct {
	Path    string // "eth:ethertype:ip:tcp:mbtcp:modbus"
	Packets uint64
	Bytes   uint64
	first   uint64 // packet number that first had this path
}

// NewHierarchy returns an empty Hierarchy.
func NewHierarchy() *Hierarchy { return &Hierarchy{paths: map[protoPath]*PathCount{}} }

// Add counts p.
func (h *Hierarchy) Add(p *Packet) {
	n := p.Info.Length
	if n < len(p.Data) {
		n = len(p.Data)
	}
	h.Packets++
	h.Bytes += uint64(n)
	c := h.paths[p.path]
	if c == nil {
		c = &PathCount{Path: string(p.path.appendPhs(nil)), first: h.Packets}
		h.paths[p.path] = c
	}
	c.Packets++
	c.Bytes += uint64(n)
}

// Merge adds the counts of o (another worker's) to h.
func (h *Hierarchy) Merge(o *Hierarchy) {
	h.Packets += o.Packets
	h.Bytes += o.Bytes
	for k, v := range o.paths {
		c := h.paths[k]
		if c == nil {
			c = &PathCount{Path: v.Path, first: h.Packets + v.first}
			h.paths[k] = c
		}
		c.Packets += v.Packets
		c.Bytes += v.Bytes
	}
}

// Nodes returns the tree flattened in depth-first order: every prefix of
// every path seen, with the packets and bytes of all paths under it.
// Siblings are in order of first appearance, as tshark prints them.
func (h *Hierarchy) Nodes() []PathCount {
	type node struct {
		PathCount
		first    uint64
		children []*node
		byName   map[string]*node
	}
	root := &node{byName: map[string]*node{}}
	for _, c := range h.paths {
		n := root
		path := ""
		for _, elem := range strings.Split(c.Path, ":") {
			if path == "" {
				path = elem
			} else {
				path += ":" + elem
			}
			child := n.byName[elem]
			if child == nil {
				child = &node{PathCount: PathCount{Path: path}, first: c.first, byName: map[string]*node{}}
				n.byName[elem] = child
				n.children = append(n.children, child)
			}
			child.first = min(child.first, c.first)
			child.Packets += c.Packets
			child.Bytes += c.Bytes
			n = child
		}
	}
	var out []PathCount
	var walk func(n *node)
	walk = func(n *node) {
		sort.Slice(n.children, func(i, j int) bool { return n.children[i].first < n.children[j].first })
		for _, c := range n.children {
			out = append(out, c.PathCount)
			walk(c)
		}
	}
	walk(root)
	return out
}

// WriteText writes the hierarchy in the layout of tshark -z io,phs.
func (h *Hierarchy) WriteText(w io.Writer) error {
	var b strings.Builder
	b.WriteString("\n===================================================================\n")
	b.WriteString("Protocol Hierarchy Statistics\nFilter: \n\n")
	for _, n := range h.Nodes() {
		depth := strings.Count(n.Path, ":")
		name := n.Path[strings.LastIndexByte(n.Path, ':')+1:]
		fmt.Fprintf(&b, "%-40s frames:%d bytes:%d\n", strings.Repeat("  ", depth)+name, n.Packets, n.Bytes)
	}
	b.WriteString("===================================================================\n")
	_, err := io.WriteString(w, b.String())
	return err
}
