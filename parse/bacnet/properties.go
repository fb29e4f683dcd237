package bacnet

// PropertyRef is one property of a ReadProperty or ReadPropertyMultiple
// request or ACK: which object and property, and in an ACK its value or
// the error the device returned for it.
type PropertyRef struct {
	// First is true for the first property of a read access specification
	// (or result), i.e. where Object is stated on the wire.
	First    bool
	Object   ObjectID // oracle object_type / instance_number
	Property uint32   // oracle property_identifier
	HasIndex bool
	Index    uint32 // property array index
	// HasValue is true in an ACK when the property's value list holds an
	// application-tagged value; Value is the first one and Values the whole
	// list (views into the input).
	HasValue bool
	Value    Tag
	Values   []byte
	// HasError is true in a ReadPropertyMultiple-ACK when the device
	// returned an error for this property.
	HasError bool
	Error    ErrorInfo
}

// PropertyIter walks the properties of a ReadProperty or
// ReadPropertyMultiple request or ACK without allocating.
//
//	it := p.Properties()
//	for it.Next() {
//		r := it.Ref()
//		if cs, s, ok := r.Value.CharString(); ok && r.Property == bacnet.PropModelName { ... }
//	}
//	if err := it.Err(); err != nil { ... }
type PropertyIter struct {
	body     []byte
	off      int
	rpm, ack bool
	single   bool // ReadProperty: one ref, already decoded
	done     bool
	inList   bool
	first    bool
	obj      ObjectID
	ref      PropertyRef
	err      error
}

// Properties returns an iterator over the property references of a
// ReadProperty or ReadPropertyMultiple request (confirmed request) or ACK
// (complex ACK). For other APDUs the iterator is empty.
func (p *Packet) Properties() PropertyIter {
	a := &p.APDU
	if !p.HasAPDU || (a.Type != ConfirmedRequest && a.Type != ComplexACK) || a.Segmented() {
		return PropertyIter{done: true}
	}
	switch a.Service {
	case ServiceReadProperty:
		if !p.HasReadProperty {
			return PropertyIter{done: true}
		}
		rp := &p.ReadProperty
		return PropertyIter{single: true, ref: PropertyRef{
			First: true, Object: rp.Object, Property: rp.Property, HasIndex: rp.HasIndex, Index: rp.Index,
			HasValue: rp.HasValue, Value: rp.Value, Values: rp.Values,
		}}
	case ServiceReadPropertyMultiple:
		return PropertyIter{body: a.Body, rpm: true, ack: a.Type == ComplexACK}
	}
	return PropertyIter{done: true}
}

// Next decodes the next property reference and reports whether there was
// one.
func (it *PropertyIter) Next() bool {
	if it.done || it.err != nil {
		return false
	}
	if it.single {
		it.done = true
		return true
	}
	for {
		if it.off >= len(it.body) {
			if it.inList {
				it.err = ErrTooShort
			}
			it.done = true
			return false
		}
		if !it.inList {
			// objectIdentifier [0], then opening tag [1].
			t, err := expectTag(it.body, &it.off, true, 0)
			if err != nil {
				it.err = err
				return false
			}
			id, ok := t.ObjectID()
			if !ok {
				it.err = ErrBadLength
				return false
			}
			it.obj = id
			t, n, err := ReadTag(it.body[it.off:])
			if err != nil {
				it.err = err
				return false
			}
			if !t.Opening || t.Number != 1 {
				if it.ack {
					// An ACK may omit listOfResults for an object.
					continue
				}
				it.err = ErrBadTag
				return false
			}
			it.off += n
			it.inList = true
			it.first = true
			continue
		}
		t, n, err := ReadTag(it.body[it.off:])
		if err != nil {
			it.err = err
			return false
		}
		if t.Closing && t.Number == 1 {
			it.off += n
			it.inList = false
			continue
		}
		first := it.first
		it.first = false
		var ok bool
		if it.ack {
			ok = it.nextResult()
		} else {
			ok = it.nextRequestRef()
		}
		it.ref.First = first
		return ok
	}
}

func (it *PropertyIter) nextRequestRef() bool {
	it.ref = PropertyRef{Object: it.obj}
	t, err := expectTag(it.body, &it.off, true, 0)
	if err != nil {
		it.err = err
		return false
	}
	var ok bool
	if it.ref.Property, ok = t.Unsigned(); !ok {
		it.err = ErrBadLength
		return false
	}
	if t, n, err := ReadTag(it.body[it.off:]); err == nil && t.IsContext(1) {
		if it.ref.Index, ok = t.Unsigned(); !ok {
			it.err = ErrBadLength
			return false
		}
		it.ref.HasIndex = true
		it.off += n
	}
	return true
}

func (it *PropertyIter) nextResult() bool {
	it.ref = PropertyRef{Object: it.obj}
	t, err := expectTag(it.body, &it.off, true, 2)
	if err != nil {
		it.err = err
		return false
	}
	var ok bool
	if it.ref.Property, ok = t.Unsigned(); !ok {
		it.err = ErrBadLength
		return false
	}
	t, n, err := ReadTag(it.body[it.off:])
	if err != nil {
		it.err = err
		return false
	}
	if t.IsContext(3) {
		if it.ref.Index, ok = t.Unsigned(); !ok {
			it.err = ErrBadLength
			return false
		}
		it.ref.HasIndex = true
		it.off += n
		if t, n, err = ReadTag(it.body[it.off:]); err != nil {
			it.err = err
			return false
		}
	}
	if !t.Opening || (t.Number != 4 && t.Number != 5) {
		it.err = ErrBadTag
		return false
	}
	which := t.Number
	it.off += n
	start, depth, got := it.off, 0, 0
	for {
		t, n, err := ReadTag(it.body[it.off:])
		if err != nil {
			it.err = err
			return false
		}
		switch {
		case t.Opening:
			depth++
		case t.Closing && depth == 0:
			if t.Number != which {
				it.err = ErrBadTag
				return false
			}
			if which == 4 {
				it.ref.Values = it.body[start:it.off]
			} else if got < 2 {
				it.err = ErrTooShort
				return false
			}
			it.off += n
			return true
		case t.Closing:
			depth--
		case which == 4 && !it.ref.HasValue && depth == 0 && !t.Context:
			it.ref.Value, it.ref.HasValue = t, true
		case which == 5 && t.IsApp(TagEnumerated) && got < 2:
			v, ok := t.Unsigned()
			if !ok {
				it.err = ErrBadLength
				return false
			}
			if got == 0 {
				it.ref.Error.Class = v
			} else {
				it.ref.Error.Code = v
				it.ref.HasError = true
			}
			got++
		}
		it.off += n
	}
}

// Ref returns the property reference decoded by the last Next.
func (it *PropertyIter) Ref() PropertyRef { return it.ref }

// Err returns the error that stopped iteration (wrapping ErrTooShort,
// ErrBadTag or ErrBadLength), or nil at a clean end.
func (it *PropertyIter) Err() error { return it.err }
