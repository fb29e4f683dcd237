// Package asset folds per-packet observations into a table of the devices
// seen on a network, keyed by MAC address, and writes it as an aligned text
// table, JSON or CSV.
//
// Package observe (parse/asset/observe) turns each packet decoded by
// package parse into one or more Observation values (what the packet says
// about one device); Table.Observe folds them in.
// Table.Report takes a snapshot; WriteText, WriteJSON and WriteCSV print it.
// Vendors of MAC prefixes come from the embedded IEEE registry (package
// oui); numeric vendor IDs of Profinet (PI), EtherNet/IP (ODVA) and BACnet
// (ASHRAE) are named from small embedded tables (see vendors.go for their
// sources and how complete they are).
//
// # What each protocol contributes
//
// The producer (package observe) fills Observations as follows; the table
// does not look inside packets itself.
//
//   - ARP: sender MAC and IP, strong evidence (not for sender IP 0.0.0.0,
//     an ARP probe).
//   - IPv4/IPv6 header: the source IP of the frame's source MAC, weak.
//   - Profinet DCP: Identify and Get responses and Hello: NameOfStation
//     (name, source pn-dcp), IP block (strong), netmask, gateway, vendor and
//     device ID, DeviceVendorValue (type_of_station), device role, device
//     instance, OEM IDs; role dcp-device. Identify requests: role
//     dcp-controller for the sender; the NameOfStation filter of a request
//     names the device looked for, not the sender, so it is not a name of
//     the sender. Set requests: an observation about the destination MAC
//     with the name or IP being assigned (strong), Packets 0.
//   - LLDP: system name (name), system description, chassis and port ID,
//     capabilities, management IPv4/IPv6 (strong).
//   - CDP: device ID (name), platform, software version, addresses (strong),
//     capabilities, native VLAN.
//   - DHCP: option 12 host name of a client's Discover/Request (about the
//     sender); an Ack about its chaddr with yiaddr (strong) and option 12;
//     option 60 vendor class; role dhcp-server for the sender of Offer/Ack.
//   - DNS: each A/AAAA answer as a ByIP observation (name, source dns);
//     role dns-server for the responder.
//   - Modbus/TCP: role modbus-server (source port 502) or modbus-client;
//     Read Device Identification objects (vendor_name, product_code as
//     text, revision, model/product_name).
//   - EtherNet/IP: ListIdentity response: vendor_id, device_type,
//     product_code, revision (major<<8|minor), status, serial, product_name,
//     the socket address (strong); role enip-adapter. Requests and
//     originated connections: enip-scanner.
//   - S7comm: SZL 0x0011 (order number, hardware/firmware version), SZL
//     0x001C (PLC name as a name, module name, serial, module type name);
//     role s7-plc for Ack-Data/userdata responses, s7-engineering for jobs.
//   - BACnet: I-Am (vendor_id, device_instance), ReadProperty results for
//     vendor-name, model-name, firmware-revision, object-name; role
//     bacnet-device for I-Am and answers, bacnet-client for Who-Is and
//     confirmed requests.
//   - DNP3: role dnp3-master (DIR=1) or dnp3-outstation (DIR=0), link
//     address as station_address.
//   - IEC 60870-5-104: role iec104-controlled (source port 2404) or
//     iec104-controlling, common address as station_address.
//
// # IP evidence, routers and conflicts
//
// A MAC's IPs come with evidence. Strong evidence is a layer-2 statement by
// or to the device about its own address (ARP sender fields, DCP IP block,
// DHCP Ack, LLDP/CDP management address, ENIP identity socket address).
// Weak evidence is only the source address of an IP packet, which a router
// forwards with its own MAC for every host behind it.
//
// The rules:
//
//  1. An IP conflict is raised only when two or more MACs claim the same
//     IP with strong evidence (ARP spoofing, a duplicate address, a
//     re-assigned DHCP lease within the capture). Weak evidence never
//     raises a conflict.
//  2. A MAC that sourced more than Limits.RouterIPs (default 4) IPv4
//     addresses without strong evidence for them (or more than four times
//     as many IPv6 addresses outside fe80::/10, since IPv6 hosts use
//     several) is labelled "router"; its weak IPs are marked "routed" and
//     DNS names of them are not attached to it.
//  3. A weak IP that another MAC claims strongly is marked "routed" on the
//     weak holder.
//  4. Two MACs with the same Profinet NameOfStation are a conflict (DCP
//     spoofing, or two devices left at a default name). Other names (LLDP,
//     DHCP, DNS) may repeat without a conflict.
//
// Proxy ARP makes a router answer ARP for other hosts: on such networks
// rule 1 reports conflicts that are configuration, not attack.
//
// # JSON schema (wirebom.assets/v1)
//
// `wirebom assets --json` writes one object; arrays are never null; times
// are RFC 3339 UTC with nanoseconds and are omitted when unknown; strings
// are valid UTF-8 (bytes that were not are replaced by U+FFFD and the raw
// bytes given in a sibling "hex" field):
//
//	{
//	  "schema": "wirebom.assets/v1",
//	  "oui_registry": "ieee-data 20220827.1 (registry snapshot 2022-08-27)",
//	  "observations": 451,          // observations folded
//	  "dropped": 0,                 // values dropped at table limits
//	  "assets": [{
//	    "mac": "08:00:06:93:cf:32", // "" for devices seen without a MAC
//	    "vendor": "SIEMENS AG",     // IEEE registry; omitted if unknown/local
//	    "locally_administered": false,
//	    "multicast": false,
//	    "ips": [{"ip": "192.168.0.10", "evidence": "strong", "routed": false,
//	             "sources": ["arp", "pn-dcp"], "first_seen": "...", "last_seen": "..."}],
//	    "names": [{"name": "X208-BORD", "source": "pn-dcp", "hex": "...",
//	               "first_seen": "...", "last_seen": "..."}],
//	    "identity": [{"key": "vendor_id", "value": "0x002a", "source": "pn-dcp",
//	                  "meaning": "Siemens AG", "hex": "...",
//	                  "first_seen": "...", "last_seen": "..."}],
//	    "protocols": ["arp", "pn-dcp"],
//	    "roles": ["dcp-device"],
//	    "vlans": [],
//	    "first_seen": "2013-06-19T10:29:55.17734Z",
//	    "last_seen": "2013-06-19T10:30:02.2Z",
//	    "packets": 4,               // frames the device sent
//	    "bytes": 364                // their length on the wire
//	  }],
//	  "conflicts": [{"kind": "ip", "value": "10.0.0.5", "hex": "...",
//	                 "claims": [{"mac": "...", "source": "arp",
//	                             "first_seen": "...", "last_seen": "..."}]}]
//	}
//
// Assets are sorted by MAC (MAC-less ones last, by IP); ips strong first,
// then by address; names by source authority (pn-dcp, lldp, cdp, s7comm,
// bacnet, dhcp, others, dns), then first seen; identity by source, then
// key. Values of "source", "roles", "protocols" and identity "key" are the
// Protocol, Role and Key constants of this package. Consumers must ignore
// fields they do not know: later v1 writers may add fields.
package asset
