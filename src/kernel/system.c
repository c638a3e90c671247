#include "kernel/system.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "dump/dump.h"
#include "kernel/printk.h"
#include "kernel/vmcoreinfo.h"
#include "oops/oops.h"

int kd_kernel_uts(struct kd_kernel *k, struct kd_uts *u, kd_err *err)
{
	uint64_t addr;
	int64_t off;

	if (!kd_vmcoreinfo_hex(k->vmci, "SYMBOL(init_uts_ns)", &addr) &&
	    kd_kernel_symbol(k, "init_uts_ns", &addr, err) != 0)
		return -1;
	if (!kd_vmcoreinfo_dec(k->vmci, "OFFSET(uts_namespace.name)", &off) &&
	    (off = kd_kernel_offsetof(k, "uts_namespace", "name", err)) < 0)
		return -1;
	if (kd_kernel_read(k, addr + (uint64_t)off, u, sizeof(*u), err) != 0)
		return kd_wrap(err, "init_uts_ns");
	u->sysname[KD_UTS_LEN - 1] = u->nodename[KD_UTS_LEN - 1] = u->release[KD_UTS_LEN - 1] =
		u->version[KD_UTS_LEN - 1] = u->machine[KD_UTS_LEN - 1] = '\0';
	return 0;
}

int kd_kernel_cpumask_weight(struct kd_kernel *k, const char *mask, int *n, kd_err *err)
{
	uint64_t addr, words[128];
	int64_t size = kd_kernel_sizeof(k, "cpumask", err);

	if (size < 0 || kd_kernel_symbol(k, mask, &addr, err) != 0)
		return -1;
	if ((size_t)size > sizeof(words))
		size = sizeof(words);
	if (kd_kernel_read(k, addr, words, (size_t)size, err) != 0)
		return kd_wrap(err, "%s", mask);
	*n = 0;
	for (size_t i = 0; i < (size_t)size / 8; i++)
		*n += __builtin_popcountll(words[i]);
	return 0;
}

/* An optional global of len bytes (little-endian), 0 when it cannot be
 * read. */
static uint64_t global_or_zero(struct kd_kernel *k, const char *name, size_t len)
{
	uint64_t addr, v = 0;

	if (kd_kernel_symbol(k, name, &addr, NULL) != 0 || kd_kernel_read(k, addr, &v, len, NULL) != 0)
		return 0;
	return v;
}

unsigned kd_kernel_cpu_mhz(struct kd_kernel *k)
{
	return (unsigned)(global_or_zero(k, "cpu_khz", 4) / 1000);
}

int kd_kernel_memory_pages(struct kd_kernel *k, uint64_t *pages, kd_err *err)
{
	uint64_t node_data, addr, pgdat, present;
	uint32_t nr_nodes;

	*pages = 0;
	/* Without CONFIG_NUMA the one node is contig_page_data. */
	if (kd_kernel_symbol(k, "node_data", &node_data, NULL) != 0)
		return kd_kernel_symbol(k, "contig_page_data", &pgdat, err) != 0 ? -1 :
			kd_kernel_member(k, pgdat, "pglist_data", "node_present_pages", pages, err);
	if (kd_kernel_symbol(k, "nr_node_ids", &addr, err) != 0 ||
	    kd_kernel_read_u32(k, addr, &nr_nodes, err) != 0)
		return -1;
	if (nr_nodes == 0 || nr_nodes > 1 << 16)
		return kd_fail(err, KD_ERR_CORRUPT, "nr_node_ids is %u: memory does not look like "
			       "this kernel's", nr_nodes);
	for (uint32_t i = 0; i < nr_nodes; i++) {
		if (kd_kernel_read_u64(k, node_data + 8 * i, &pgdat, err) != 0)
			return kd_wrap(err, "node_data[%u]", i);
		if (!pgdat)
			continue;
		if (kd_kernel_member(k, pgdat, "pglist_data", "node_present_pages", &present, err) != 0)
			return kd_wrap(err, "node %u", i);
		*pages += present;
	}
	return 0;
}

int kd_kernel_lowmem_pages(struct kd_kernel *k, uint64_t *pages, kd_err *err)
{
	uint64_t hm, pob;

	if (kd_kernel_symbol(k, "high_memory", &hm, err) != 0 ||
	    kd_kernel_read_u64(k, hm, &hm, err) != 0 ||
	    kd_kernel_symbol(k, "page_offset_base", &pob, err) != 0 ||
	    kd_kernel_read_u64(k, pob, &pob, err) != 0)
		return kd_wrap(err, "total memory");
	if (hm <= pob)
		return kd_fail(err, KD_ERR_CORRUPT, "high_memory 0x%llx is below the direct map at 0x%llx",
			       (unsigned long long)hm, (unsigned long long)pob);
	*pages = (hm - pob) / kd_kernel_page_size(k);
	return 0;
}

uint32_t kd_kernel_page_size(struct kd_kernel *k)
{
	return kd_dump_info(k->dump)->page_size;
}

/* avenrun[] is fixed point with FSHIFT (11) fractional bits. */
#define FSHIFT 11

int kd_kernel_loadavg(struct kd_kernel *k, unsigned long hundredths[3], kd_err *err)
{
	uint64_t addr, avg[3];

	if (kd_kernel_symbol(k, "avenrun", &addr, err) != 0 ||
	    kd_kernel_read(k, addr, avg, sizeof(avg), err) != 0)
		return -1;
	for (int i = 0; i < 3; i++) {
		uint64_t a = avg[i] + (1 << FSHIFT) / 200;
		hundredths[i] = (unsigned long)((a >> FSHIFT) * 100 +
						(((a & ((1 << FSHIFT) - 1)) * 100) >> FSHIFT));
	}
	return 0;
}

uint32_t kd_kernel_pid_max(struct kd_kernel *k)
{
	return (uint32_t)global_or_zero(k, "pid_max", 4);
}

uint64_t kd_kernel_tainted(struct kd_kernel *k)
{
	return global_or_zero(k, "tainted_mask", 8);
}

void kd_kernel_dump_state(struct kd_kernel *k, struct kd_dump_state *s)
{
	const struct kd_dump_info *di = kd_dump_info(k->dump);

	s->format = kd_dump_format(k->dump);
	s->partial = kd_dump_is_filtered(k->dump);
	s->incomplete = di->incomplete;
	s->dump_level = di->dump_level;
}

static int scan_record(const struct kd_printk_record *r, void *arg)
{
	const char *p = r->text, *end = r->text + r->text_len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		kd_panic_line_scan(arg, p, len);
		p += len + 1;
	}
	return 0;
}

int kd_kernel_panic_message(struct kd_kernel *k, char *buf, size_t len, kd_err *err)
{
	struct kd_panic_line m;

	if (len == 0)
		return kd_fail(err, KD_ERR_INVALID, "no room for the panic message");
	kd_panic_line_init(&m);
	if (kd_printk_foreach(k, scan_record, &m, err) != 0)
		return -1;
	snprintf(buf, len, "%s", m.text);
	return 0;
}
