/*
 * wpcap.c: a fake Npcap wpcap.dll for wirebom's Wine test (issue #7).
 *
 * TEST TOOLING ONLY. wirebom is cgo-free and never links this: it loads
 * %SystemRoot%\System32\Npcap\wpcap.dll at run time. scripts/wine-test.sh
 * builds this file with the mingw-w64 cross compiler
 *
 *   x86_64-w64-mingw32-gcc -std=gnu11 -O2 -Wall -Wextra -Werror -shared \
 *       -static-libgcc -o wpcap.dll wpcap.c -liphlpapi
 *
 * and installs it as C:\windows\system32\Npcap\wpcap.dll in a throw-away
 * Wine prefix, so that wirebom.exe's real call path (DLL exports, the x64
 * calling convention, the pcap_if/pcap_addr/sockaddr walk, pcap_pkthdr,
 * bpf_program and pcap_stat layouts, pcap_breakloop on Close) runs.
 *
 * Written from libpcap's public API documentation (pcap/pcap.h as
 * documented in pcap(3PCAP) and the per-function man pages) and the Windows
 * SDK types that mingw-w64 ships (struct timeval with 32-bit longs,
 * SOCKADDR_IN, SOCKADDR_IN6, IP_ADAPTER_ADDRESSES). No libpcap code.
 *
 * What it fakes:
 *   pcap_findalldevs   two Ethernet adapters of our own, a
 *                      "\Device\NPF_{GUID}" for every non-loopback adapter
 *                      Wine reports (as Npcap names the adapters it is bound
 *                      to), and "\Device\NPF_Loopback". The first adapter
 *                      carries IPv4 (SOCKADDR_IN, with netmask and
 *                      broadcast) and IPv6 (SOCKADDR_IN6) addresses.
 *   pcap_create ... pcap_activate
 *                      record every setting; the Ethernet adapters have link
 *                      type 1 (DLT_EN10MB), the loopback adapter 0 (DLT_NULL).
 *   pcap_next_ex       hands out the packets of the classic pcap file named
 *                      by WIREBOM_FAKE_PCAP (WIREBOM_FAKE_LOOP_PCAP for the
 *                      loopback adapter, whose file must be DLT_NULL; unset,
 *                      it has no packets) (microsecond or nanosecond, either
 *                      byte order) once, each cut to the snaplen, with
 *                      nanosecond timestamps when pcap_set_tstamp_precision(1)
 *                      was granted; then every call waits for the read timeout
 *                      and returns 0, so only pcap_breakloop (which wakes the
 *                      wait) ends the capture: the next call returns -2.
 *   pcap_setfilter     checks the program as a driver would (length, jumps in
 *                      range, ends in a return), writes it to the file named by
 *                      WIREBOM_FAKE_FILTER in tcpdump -ddd form (count, then
 *                      "code jt jf k" per line), and filters nothing.
 *   pcap_stats         ps_recv = packets handed out, ps_drop = 7, ps_ifdrop = 0.
 *
 * Other environment variables:
 *   WIREBOM_FAKE_LOG        append one line per call to this file
 *   WIREBOM_FAKE_PRECISION  "micro": refuse nanosecond timestamps
 *   WIREBOM_FAKE_DENY       "1": pcap_activate fails with
 *                           PCAP_ERROR_PERM_DENIED, as a restricted Npcap does
 * A value starting with '/' is a Unix path, reached through Wine's Z: drive.
 */

#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <iphlpapi.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __declspec(dllexport)

/* Constants of pcap/pcap.h, pcap/dlt.h and pcap/bpf.h. */
#define PCAP_ERRBUF_SIZE 256
#define PCAP_ERROR -1
#define PCAP_ERROR_BREAK -2
#define PCAP_ERROR_NOT_ACTIVATED -3
#define PCAP_ERROR_ACTIVATED -4
#define PCAP_ERROR_NO_SUCH_DEVICE -5
#define PCAP_ERROR_PERM_DENIED -8
#define PCAP_ERROR_TSTAMP_PRECISION_NOTSUP -12
#define PCAP_TSTAMP_PRECISION_MICRO 0
#define PCAP_TSTAMP_PRECISION_NANO 1
#define PCAP_IF_LOOPBACK 0x00000001
#define PCAP_IF_UP 0x00000002
#define PCAP_IF_RUNNING 0x00000004
#define PCAP_IF_CONNECTION_STATUS_CONNECTED 0x00000010
#define PCAP_IF_CONNECTION_STATUS_DISCONNECTED 0x00000020
#define PCAP_IF_CONNECTION_STATUS_NOT_APPLICABLE 0x00000030
#define DLT_NULL 0
#define DLT_EN10MB 1
#define MAXIMUM_SNAPLEN 262144
#define BPF_MAXINSNS 4096
#define BPF_MEMWORDS 16

/* What pcap_stats reports as dropped, so the test can find it in
 * wirebom's "dropped by kernel" line. */
#define FAKE_DROPS 7u

typedef unsigned int bpf_u_int32;

/* struct bpf_insn and struct bpf_program (pcap/bpf.h). */
struct bpf_insn {
	unsigned short code;
	unsigned char jt;
	unsigned char jf;
	bpf_u_int32 k;
};

struct bpf_program {
	unsigned int bf_len;
	struct bpf_insn *bf_insns;
};

/* struct pcap_pkthdr: on Windows struct timeval is two 32-bit longs. */
struct pcap_pkthdr {
	struct timeval ts;
	bpf_u_int32 caplen;
	bpf_u_int32 len;
};

/* struct pcap_stat with the fields pcap.h adds on Windows; pcap_stats
 * fills the first three only. */
struct pcap_stat {
	unsigned int ps_recv;
	unsigned int ps_drop;
	unsigned int ps_ifdrop;
	unsigned int ps_capt;
	unsigned int ps_sent;
	unsigned int ps_netdrop;
};

typedef struct pcap_addr {
	struct pcap_addr *next;
	struct sockaddr *addr;
	struct sockaddr *netmask;
	struct sockaddr *broadaddr;
	struct sockaddr *dstaddr;
} pcap_addr_t;

typedef struct pcap_if {
	struct pcap_if *next;
	char *name;
	char *description;
	struct pcap_addr *addresses;
	bpf_u_int32 flags;
} pcap_if_t;

/* The layouts wirebom's rawsock/npcap.go mirrors, as the Windows ABI
 * (LLP64) gives them. */
_Static_assert(sizeof(long) == 4, "Windows longs are 32-bit");
_Static_assert(sizeof(struct pcap_pkthdr) == 16, "pcap_pkthdr is 16 bytes");
_Static_assert(offsetof(struct pcap_pkthdr, caplen) == 8, "caplen at 8");
_Static_assert(sizeof(struct bpf_insn) == 8, "bpf_insn is 8 bytes");
_Static_assert(offsetof(struct bpf_program, bf_insns) == sizeof(void *), "bf_insns after bf_len, pointer-aligned");
_Static_assert(offsetof(struct pcap_if, flags) == 4 * sizeof(void *), "pcap_if.flags after four pointers");
_Static_assert(sizeof(struct pcap_addr) == 5 * sizeof(void *), "pcap_addr is five pointers");
_Static_assert(sizeof(struct sockaddr_in) == 16, "SOCKADDR_IN is 16 bytes");
_Static_assert(sizeof(struct sockaddr_in6) == 28, "SOCKADDR_IN6 is 28 bytes");

/* A capture handle: pcap_t is opaque to callers. */
typedef struct pcap {
	char *device;
	int snaplen, promisc, timeout_ms, immediate, buffer_size, precision;
	int activated, dlt;
	FILE *file;
	int file_be, file_nano;
	unsigned char *buf;
	struct pcap_pkthdr hdr;
	volatile LONG brk;
	HANDLE wake;
	volatile LONG handed;
	LONG timeouts;
	char errbuf[PCAP_ERRBUF_SIZE];
} pcap_t;

static CRITICAL_SECTION log_mu;

BOOL WINAPI DllMain(HINSTANCE inst, DWORD reason, LPVOID reserved)
{
	(void)reserved;
	if (reason == DLL_PROCESS_ATTACH) {
		InitializeCriticalSection(&log_mu);
		DisableThreadLibraryCalls(inst);
	}
	return TRUE;
}

/* env_path reads a file name from the environment; a Unix path is reached
 * through Wine's Z: drive. */
static int env_path(const char *var, char *out, size_t n)
{
	char v[MAX_PATH];
	DWORD k = GetEnvironmentVariableA(var, v, sizeof v);
	if (k == 0 || k >= sizeof v)
		return 0;
	snprintf(out, n, "%s%s", v[0] == '/' ? "Z:" : "", v);
	return 1;
}

static int env_is(const char *var, const char *want)
{
	char v[64];
	DWORD k = GetEnvironmentVariableA(var, v, sizeof v);
	return k > 0 && k < sizeof v && strcmp(v, want) == 0;
}

/* trace appends one line to WIREBOM_FAKE_LOG. */
static void trace(const char *fmt, ...)
{
	char path[MAX_PATH + 8];
	if (!env_path("WIREBOM_FAKE_LOG", path, sizeof path))
		return;
	EnterCriticalSection(&log_mu);
	FILE *f = fopen(path, "ab");
	if (f) {
		va_list ap;
		va_start(ap, fmt);
		vfprintf(f, fmt, ap);
		va_end(ap);
		fputc('\n', f);
		fclose(f);
	}
	LeaveCriticalSection(&log_mu);
}

/* ---- adapter list ---- */

static const unsigned char fake_v6_global[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x10}; /* 2001:db8::10 */
static const unsigned char fake_v6_link[16] = {0xfe, 0x80, [15] = 0x01};              /* fe80::1 */

struct fixed_adapter {
	const char *name, *desc;
	bpf_u_int32 flags;
	int with_addrs;
};

/* Ours, first and last in the list; Wine's adapters go in between. */
static const struct fixed_adapter fixed_first[] = {
	{"\\Device\\NPF_{5D7E3C2A-1B4F-4C8D-9E6A-0F1B2C3D4E5F}", "Fake Intel(R) Ethernet Connection I219-LM",
	 PCAP_IF_UP | PCAP_IF_RUNNING | PCAP_IF_CONNECTION_STATUS_CONNECTED, 1},
	{"\\Device\\NPF_{A3C1E5B7-9D2F-4A6B-8C0E-1F3A5B7C9D0E}", "Fake Realtek USB GbE Family Controller",
	 PCAP_IF_UP | PCAP_IF_RUNNING | PCAP_IF_CONNECTION_STATUS_DISCONNECTED, 0},
};
static const struct fixed_adapter loopback = {
	"\\Device\\NPF_Loopback", "Adapter for loopback traffic capture",
	PCAP_IF_LOOPBACK | PCAP_IF_UP | PCAP_IF_RUNNING | PCAP_IF_CONNECTION_STATUS_NOT_APPLICABLE, 0};

static char *dupstr(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

static struct sockaddr *sa4(unsigned char a, unsigned char b, unsigned char c, unsigned char d)
{
	struct sockaddr_in *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->sin_family = AF_INET;
	unsigned char ip[4] = {a, b, c, d};
	memcpy(&s->sin_addr, ip, 4);
	return (struct sockaddr *)s;
}

static struct sockaddr *sa6(const unsigned char ip[16], unsigned long scope)
{
	struct sockaddr_in6 *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->sin6_family = AF_INET6;
	memcpy(&s->sin6_addr, ip, 16);
	s->sin6_scope_id = scope;
	return (struct sockaddr *)s;
}

static struct sockaddr *sa_copy(const struct sockaddr *src, int len)
{
	if (!src || len <= 0)
		return NULL;
	struct sockaddr *d = calloc(1, (size_t)len);
	if (d)
		memcpy(d, src, (size_t)len);
	return d;
}

/* add_addr appends an address (it takes ownership of the sockaddrs). */
static int add_addr(pcap_if_t *d, struct sockaddr *addr, struct sockaddr *mask, struct sockaddr *bcast)
{
	pcap_addr_t *a = calloc(1, sizeof *a);
	if (!a || !addr) {
		free(a);
		free(addr);
		free(mask);
		free(bcast);
		return -1;
	}
	a->addr = addr;
	a->netmask = mask;
	a->broadaddr = bcast;
	pcap_addr_t **t = &d->addresses;
	while (*t)
		t = &(*t)->next;
	*t = a;
	return 0;
}

static pcap_if_t *new_dev(pcap_if_t ***tail, const char *name, const char *desc, bpf_u_int32 flags)
{
	pcap_if_t *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->name = dupstr(name);
	d->description = desc ? dupstr(desc) : NULL;
	d->flags = flags;
	**tail = d;
	*tail = &d->next;
	return d;
}

static void free_devs(pcap_if_t *d)
{
	while (d) {
		pcap_if_t *next = d->next;
		pcap_addr_t *a = d->addresses;
		while (a) {
			pcap_addr_t *an = a->next;
			free(a->addr);
			free(a->netmask);
			free(a->broadaddr);
			free(a->dstaddr);
			free(a);
			a = an;
		}
		free(d->name);
		free(d->description);
		free(d);
		d = next;
	}
}

static int add_fixed(pcap_if_t ***tail, const struct fixed_adapter *f)
{
	pcap_if_t *d = new_dev(tail, f->name, f->desc, f->flags);
	if (!d || !d->name)
		return -1;
	if (f->with_addrs) {
		if (add_addr(d, sa4(192, 0, 2, 10), sa4(255, 255, 255, 0), sa4(192, 0, 2, 255)) != 0 ||
		    add_addr(d, sa6(fake_v6_global, 0), NULL, NULL) != 0 ||
		    add_addr(d, sa6(fake_v6_link, 7), NULL, NULL) != 0)
			return -1;
	}
	return 0;
}

/* add_wine_adapters lists what GetAdaptersAddresses reports (best effort),
 * named as Npcap names the adapters it is bound to. */
static int add_wine_adapters(pcap_if_t ***tail)
{
	ULONG size = 16 << 10, rc = ERROR_BUFFER_OVERFLOW;
	IP_ADAPTER_ADDRESSES *buf = NULL;
	for (int i = 0; i < 4 && rc == ERROR_BUFFER_OVERFLOW; i++) {
		free(buf);
		buf = malloc(size);
		if (!buf)
			return -1;
		rc = GetAdaptersAddresses(AF_UNSPEC, GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST | GAA_FLAG_SKIP_DNS_SERVER,
					  NULL, buf, &size);
	}
	if (rc != NO_ERROR) {
		free(buf);
		return 0;
	}
	int err = 0;
	for (IP_ADAPTER_ADDRESSES *a = buf; a && !err; a = a->Next) {
		if (a->IfType == IF_TYPE_SOFTWARE_LOOPBACK || !a->AdapterName)
			continue;
		char name[300], desc[512] = "";
		snprintf(name, sizeof name, "\\Device\\NPF_%s", a->AdapterName);
		if (a->Description &&
		    WideCharToMultiByte(CP_UTF8, 0, a->Description, -1, desc, sizeof desc, NULL, NULL) == 0)
			desc[0] = 0;
		bpf_u_int32 flags = a->OperStatus == IfOperStatusUp
					? PCAP_IF_UP | PCAP_IF_RUNNING | PCAP_IF_CONNECTION_STATUS_CONNECTED
					: PCAP_IF_CONNECTION_STATUS_DISCONNECTED;
		pcap_if_t *d = new_dev(tail, name, desc, flags);
		if (!d || !d->name) {
			err = -1;
			break;
		}
		for (IP_ADAPTER_UNICAST_ADDRESS *u = a->FirstUnicastAddress; u && !err; u = u->Next)
			err = add_addr(d, sa_copy(u->Address.lpSockaddr, u->Address.iSockaddrLength), NULL, NULL);
	}
	free(buf);
	return err;
}

/* build_devs makes the adapter list; NULL on allocation failure. */
static pcap_if_t *build_devs(int *n)
{
	pcap_if_t *first = NULL, **tail = &first;
	int err = 0;
	for (size_t i = 0; i < sizeof fixed_first / sizeof fixed_first[0] && !err; i++)
		err = add_fixed(&tail, &fixed_first[i]);
	if (!err)
		err = add_wine_adapters(&tail);
	if (!err)
		err = add_fixed(&tail, &loopback);
	if (err) {
		free_devs(first);
		return NULL;
	}
	*n = 0;
	for (pcap_if_t *d = first; d; d = d->next)
		(*n)++;
	return first;
}

static volatile LONG lists_out;

EXPORT int pcap_findalldevs(pcap_if_t **alldevsp, char *errbuf)
{
	int n = 0;
	if (!alldevsp) {
		if (errbuf)
			snprintf(errbuf, PCAP_ERRBUF_SIZE, "pcap_findalldevs: no result pointer");
		return PCAP_ERROR;
	}
	*alldevsp = build_devs(&n);
	if (!*alldevsp) {
		if (errbuf)
			snprintf(errbuf, PCAP_ERRBUF_SIZE, "pcap_findalldevs: out of memory");
		trace("pcap_findalldevs -> -1");
		return PCAP_ERROR;
	}
	InterlockedIncrement(&lists_out);
	trace("pcap_findalldevs %d adapters -> 0", n);
	return 0;
}

EXPORT void pcap_freealldevs(pcap_if_t *alldevs)
{
	if (alldevs)
		InterlockedDecrement(&lists_out);
	free_devs(alldevs);
	trace("pcap_freealldevs (lists not freed: %ld)", (long)lists_out);
}

/* ---- capture handle ---- */

/* lookup_dev reports whether name is an adapter of the list and its link
 * type. */
static int lookup_dev(const char *name, int *dlt)
{
	int n, found = 0;
	pcap_if_t *all = build_devs(&n);
	for (pcap_if_t *d = all; d && !found; d = d->next) {
		if (d->name && strcmp(d->name, name) == 0) {
			found = 1;
			*dlt = (d->flags & PCAP_IF_LOOPBACK) ? DLT_NULL : DLT_EN10MB;
		}
	}
	free_devs(all);
	return found;
}

EXPORT pcap_t *pcap_create(const char *source, char *errbuf)
{
	if (!source) {
		if (errbuf)
			snprintf(errbuf, PCAP_ERRBUF_SIZE, "pcap_create: no device name");
		return NULL;
	}
	pcap_t *p = calloc(1, sizeof *p);
	if (p) {
		p->device = dupstr(source);
		p->wake = CreateEventA(NULL, FALSE, FALSE, NULL);
	}
	if (!p || !p->device || !p->wake) {
		if (p) {
			free(p->device);
			free(p);
		}
		if (errbuf)
			snprintf(errbuf, PCAP_ERRBUF_SIZE, "pcap_create: out of resources");
		return NULL;
	}
	p->snaplen = 0;
	p->timeout_ms = 0;
	p->buffer_size = 1000000;
	p->precision = PCAP_TSTAMP_PRECISION_MICRO;
	trace("pcap_create %s", source);
	return p;
}

#define SETTER(fn, field)                                                  \
	EXPORT int fn(pcap_t *p, int v)                                    \
	{                                                                  \
		if (!p)                                                    \
			return PCAP_ERROR;                                 \
		int rc = p->activated ? PCAP_ERROR_ACTIVATED : 0;          \
		if (rc == 0)                                               \
			p->field = v;                                      \
		trace(#fn " %d -> %d", v, rc);                              \
		return rc;                                                 \
	}

SETTER(pcap_set_snaplen, snaplen)
SETTER(pcap_set_promisc, promisc)
SETTER(pcap_set_timeout, timeout_ms)
SETTER(pcap_set_immediate_mode, immediate)
SETTER(pcap_set_buffer_size, buffer_size)

EXPORT int pcap_set_tstamp_precision(pcap_t *p, int precision)
{
	if (!p)
		return PCAP_ERROR;
	int rc = 0;
	if (p->activated)
		rc = PCAP_ERROR_ACTIVATED;
	else if (precision != PCAP_TSTAMP_PRECISION_MICRO && precision != PCAP_TSTAMP_PRECISION_NANO)
		rc = PCAP_ERROR_TSTAMP_PRECISION_NOTSUP;
	else if (precision == PCAP_TSTAMP_PRECISION_NANO && env_is("WIREBOM_FAKE_PRECISION", "micro"))
		rc = PCAP_ERROR_TSTAMP_PRECISION_NOTSUP;
	if (rc == 0)
		p->precision = precision;
	trace("pcap_set_tstamp_precision %d -> %d", precision, rc);
	return rc;
}

static uint32_t u32(const unsigned char *b, int be)
{
	if (be)
		return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	return (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
}

/* open_file opens the capture file of an adapter of link type dlt
 * (WIREBOM_FAKE_PCAP for Ethernet, WIREBOM_FAKE_LOOP_PCAP for the loopback
 * adapter) and checks that its header has that link type. */
static int open_file(pcap_t *p, int dlt)
{
	char path[MAX_PATH + 8];
	const char *var = dlt == DLT_NULL ? "WIREBOM_FAKE_LOOP_PCAP" : "WIREBOM_FAKE_PCAP";
	if (!env_path(var, path, sizeof path)) {
		snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "fake wpcap.dll: %s names no capture file", var);
		return PCAP_ERROR;
	}
	p->file = fopen(path, "rb");
	if (!p->file) {
		snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "fake wpcap.dll: cannot open %s", path);
		return PCAP_ERROR;
	}
	unsigned char h[24];
	if (fread(h, 1, sizeof h, p->file) != sizeof h) {
		snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "fake wpcap.dll: %s: short header", path);
		return PCAP_ERROR;
	}
	uint32_t magic = u32(h, 0);
	switch (magic) {
	case 0xa1b2c3d4: p->file_be = 0; p->file_nano = 0; break;
	case 0xa1b23c4d: p->file_be = 0; p->file_nano = 1; break;
	case 0xd4c3b2a1: p->file_be = 1; p->file_nano = 0; break;
	case 0x4d3cb2a1: p->file_be = 1; p->file_nano = 1; break;
	default:
		snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "fake wpcap.dll: %s is not a classic pcap file", path);
		return PCAP_ERROR;
	}
	if ((int)(u32(h + 20, p->file_be) & 0xffff) != dlt) {
		snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "fake wpcap.dll: %s is not a capture of link type %d", path, dlt);
		return PCAP_ERROR;
	}
	return 0;
}

static void close_file(pcap_t *p)
{
	if (p->file) {
		fclose(p->file);
		p->file = NULL;
	}
}

EXPORT int pcap_activate(pcap_t *p)
{
	if (!p)
		return PCAP_ERROR;
	int rc = 0, dlt = DLT_EN10MB;
	if (p->activated) {
		rc = PCAP_ERROR_ACTIVATED;
	} else if (env_is("WIREBOM_FAKE_DENY", "1")) {
		snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "Error opening adapter: Access is denied. (fake wpcap.dll: WIREBOM_FAKE_DENY=1)");
		rc = PCAP_ERROR_PERM_DENIED;
	} else if (!lookup_dev(p->device, &dlt)) {
		snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "Error opening adapter: %s is not an adapter of this fake", p->device);
		rc = PCAP_ERROR_NO_SUCH_DEVICE;
	} else if (dlt == DLT_EN10MB || GetEnvironmentVariableA("WIREBOM_FAKE_LOOP_PCAP", NULL, 0) > 0) {
		rc = open_file(p, dlt);
		if (rc == 0 && !(p->buf = malloc(MAXIMUM_SNAPLEN))) {
			snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "fake wpcap.dll: out of memory");
			rc = PCAP_ERROR;
		}
		if (rc != 0)
			close_file(p);
	}
	if (rc == 0) {
		if (p->snaplen <= 0 || p->snaplen > MAXIMUM_SNAPLEN)
			p->snaplen = MAXIMUM_SNAPLEN;
		p->dlt = dlt;
		p->activated = 1;
	}
	trace("pcap_activate %s -> %d", p->device, rc);
	return rc;
}

EXPORT char *pcap_geterr(pcap_t *p)
{
	return p ? p->errbuf : NULL;
}

EXPORT int pcap_datalink(pcap_t *p)
{
	if (!p)
		return PCAP_ERROR;
	int rc = p->activated ? p->dlt : PCAP_ERROR_NOT_ACTIVATED;
	trace("pcap_datalink -> %d", rc);
	return rc;
}

/* bad_program checks what a BPF driver checks before it attaches a
 * program: every jump lands inside it, scratch memory indices are in range,
 * no division by a constant zero, and it ends in a return. */
static const char *bad_program(const struct bpf_insn *in, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		unsigned int cls = in[i].code & 0x07, op = in[i].code & 0xf0;
		switch (cls) {
		case 0x05: /* BPF_JMP */
			if (op == 0x00) { /* BPF_JA */
				if (in[i].k >= n - i - 1)
					return "jump out of the program";
			} else if (in[i].jt >= n - i - 1 || in[i].jf >= n - i - 1) {
				return "conditional jump out of the program";
			}
			break;
		case 0x00: /* BPF_LD */
		case 0x01: /* BPF_LDX */
			if ((in[i].code & 0xe0) == 0x60 && in[i].k >= BPF_MEMWORDS) /* BPF_MEM */
				return "scratch memory index out of range";
			break;
		case 0x02: /* BPF_ST */
		case 0x03: /* BPF_STX */
			if (in[i].k >= BPF_MEMWORDS)
				return "scratch memory index out of range";
			break;
		case 0x04: /* BPF_ALU */
			if ((op == 0x30 || op == 0x90) && (in[i].code & 0x08) == 0 && in[i].k == 0)
				return "division by a constant zero";
			break;
		}
	}
	if ((in[n - 1].code & 0x07) != 0x06) /* BPF_RET */
		return "the program does not end in a return";
	return NULL;
}

EXPORT int pcap_setfilter(pcap_t *p, struct bpf_program *fp)
{
	if (!p)
		return PCAP_ERROR;
	if (!p->activated) {
		snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "This handle hasn't been activated yet");
		trace("pcap_setfilter -> %d", PCAP_ERROR_NOT_ACTIVATED);
		return PCAP_ERROR_NOT_ACTIVATED;
	}
	const char *why = NULL;
	if (!fp || !fp->bf_insns)
		why = "no program";
	else if (fp->bf_len == 0 || fp->bf_len > BPF_MAXINSNS)
		why = "program length out of range";
	else
		why = bad_program(fp->bf_insns, fp->bf_len);
	if (why) {
		snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "fake wpcap.dll: invalid BPF program (%u instructions): %s",
			 fp ? fp->bf_len : 0u, why);
		trace("pcap_setfilter %u instructions: %s -> -1", fp ? fp->bf_len : 0u, why);
		return PCAP_ERROR;
	}
	char path[MAX_PATH + 8];
	if (env_path("WIREBOM_FAKE_FILTER", path, sizeof path)) {
		FILE *f = fopen(path, "wb");
		if (!f) {
			snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "fake wpcap.dll: cannot write %s", path);
			return PCAP_ERROR;
		}
		fprintf(f, "%u\n", fp->bf_len);
		for (unsigned int i = 0; i < fp->bf_len; i++)
			fprintf(f, "%u %u %u %u\n", (unsigned)fp->bf_insns[i].code, (unsigned)fp->bf_insns[i].jt,
				(unsigned)fp->bf_insns[i].jf, (unsigned)fp->bf_insns[i].k);
		fclose(f);
	}
	trace("pcap_setfilter %u instructions -> 0", fp->bf_len);
	return 0;
}

/* next_record reads the next record of the capture file into p->hdr and
 * p->buf; 0 at its end (a damaged record ends it too). */
static int next_record(pcap_t *p)
{
	unsigned char h[16];
	if (!p->file)
		return 0;
	if (fread(h, 1, sizeof h, p->file) != sizeof h) {
		close_file(p);
		return 0;
	}
	uint32_t sec = u32(h, p->file_be), frac = u32(h + 4, p->file_be);
	uint32_t incl = u32(h + 8, p->file_be), orig = u32(h + 12, p->file_be);
	if (incl == 0 || incl > MAXIMUM_SNAPLEN || frac >= (p->file_nano ? 1000000000u : 1000000u)) {
		trace("capture file: damaged record header, treated as its end");
		close_file(p);
		return 0;
	}
	if (fread(p->buf, 1, incl, p->file) != incl) {
		trace("capture file: truncated record, treated as its end");
		close_file(p);
		return 0;
	}
	uint32_t sub = frac;
	if (p->precision == PCAP_TSTAMP_PRECISION_NANO && !p->file_nano)
		sub = frac * 1000u;
	else if (p->precision == PCAP_TSTAMP_PRECISION_MICRO && p->file_nano)
		sub = frac / 1000u;
	p->hdr.ts.tv_sec = (long)sec; /* wraps after 2038, as on Windows */
	p->hdr.ts.tv_usec = (long)sub;
	p->hdr.caplen = incl < (uint32_t)p->snaplen ? incl : (uint32_t)p->snaplen;
	p->hdr.len = orig;
	return 1;
}

EXPORT int pcap_next_ex(pcap_t *p, struct pcap_pkthdr **pkt_header, const unsigned char **pkt_data)
{
	if (!p || !pkt_header || !pkt_data)
		return PCAP_ERROR;
	if (!p->activated) {
		snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "This handle hasn't been activated yet");
		return PCAP_ERROR_NOT_ACTIVATED;
	}
	if (InterlockedExchange(&p->brk, 0)) {
		trace("pcap_next_ex -> -2 (pcap_breakloop was called)");
		return PCAP_ERROR_BREAK;
	}
	if (p->file && next_record(p)) {
		*pkt_header = &p->hdr;
		*pkt_data = p->buf;
		InterlockedIncrement(&p->handed);
		return 1;
	}
	/* Nothing left: wait for the read timeout, as the driver does, unless
	 * pcap_breakloop wakes us. */
	DWORD w = WaitForSingleObject(p->wake, p->timeout_ms > 0 ? (DWORD)p->timeout_ms : INFINITE);
	if (InterlockedExchange(&p->brk, 0)) {
		trace(w == WAIT_OBJECT_0 ? "pcap_next_ex -> -2 (woken by pcap_breakloop while waiting)"
					 : "pcap_next_ex -> -2 (pcap_breakloop was called during the wait)");
		return PCAP_ERROR_BREAK;
	}
	if (w != WAIT_OBJECT_0 && w != WAIT_TIMEOUT) {
		snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "fake wpcap.dll: wait failed (%lu)", (unsigned long)GetLastError());
		return PCAP_ERROR;
	}
	if (p->timeouts++ == 0)
		trace("pcap_next_ex -> 0 (read timeout: the capture file is exhausted after %ld packets)", (long)p->handed);
	return 0;
}

EXPORT int pcap_stats(pcap_t *p, struct pcap_stat *ps)
{
	if (!p)
		return PCAP_ERROR;
	if (!p->activated) {
		snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "This handle hasn't been activated yet");
		return PCAP_ERROR_NOT_ACTIVATED;
	}
	if (!ps) {
		snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "pcap_stats: no result pointer");
		return PCAP_ERROR;
	}
	ps->ps_recv = (unsigned int)p->handed;
	ps->ps_drop = FAKE_DROPS;
	ps->ps_ifdrop = 0;
	trace("pcap_stats recv=%u drop=%u ifdrop=0 -> 0", ps->ps_recv, ps->ps_drop);
	return 0;
}

EXPORT void pcap_breakloop(pcap_t *p)
{
	if (!p)
		return;
	InterlockedExchange(&p->brk, 1);
	SetEvent(p->wake);
	trace("pcap_breakloop");
}

EXPORT void pcap_close(pcap_t *p)
{
	if (!p)
		return;
	trace("pcap_close %s handed_out=%ld timeouts=%ld", p->device, (long)p->handed, (long)p->timeouts);
	close_file(p);
	CloseHandle(p->wake);
	free(p->buf);
	free(p->device);
	free(p);
}
