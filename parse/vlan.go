package parse

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// vlanStack is a gopacket.DecodingLayer for 802.1Q and 802.1ad tags that,
// unlike a single layers.Dot1Q, keeps every tag of a stack (QinQ): a
// DecodingLayerParser holds one decoder per layer type and calls it again
// for each tag.
type vlanStack struct {
	tags    [MaxVLANs + 1]vlanTag // the last slot is scratch for deeper tags
	view    [MaxVLANs]VLAN
	n       int
	outer   func() layers.EthernetType // EtherType of the link header
	current int                        // index of the tag decoded last
}

type vlanTag struct {
	layers.Dot1Q
	tpid uint16
}

func (s *vlanStack) LayerType() gopacket.LayerType     { return layers.LayerTypeDot1Q }
func (s *vlanStack) CanDecode() gopacket.LayerClass    { return layers.LayerTypeDot1Q }
func (s *vlanStack) LayerContents() []byte             { return s.tags[s.current].Contents }
func (s *vlanStack) LayerPayload() []byte              { return s.tags[s.current].Payload }
func (s *vlanStack) NextLayerType() gopacket.LayerType { return s.tags[s.current].NextLayerType() }

func (s *vlanStack) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	i := s.n
	if i > MaxVLANs {
		i = MaxVLANs
	}
	tpid := uint16(0)
	if s.n == 0 {
		if s.outer != nil {
			tpid = uint16(s.outer())
		}
	} else {
		tpid = uint16(s.tags[s.current].Type)
	}
	t := &s.tags[i]
	if err := t.Dot1Q.DecodeFromBytes(data, df); err != nil {
		return err
	}
	t.tpid = tpid
	s.current = i
	if i < MaxVLANs {
		s.view[i] = VLAN{TPID: tpid, ID: t.VLANIdentifier, Priority: t.Priority, DropEligible: t.DropEligible}
	}
	s.n++
	return nil
}
