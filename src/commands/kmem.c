/* kmem: the kernel's memory. -i: crash's summary table (TOTAL MEM, FREE,
 * USED, SHARED, BUFFERS, CACHED, SLAB, huge pages, swap, commit) from the
 * counters /proc/meminfo reads. */
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "commands/command.h"
#include "kernel/meminfo.h"
#include "kernel/system.h"

/* crash's size column: "717 MB", "666.7 MB", "12.4 GB", "0". */
static void size_text(uint64_t pages, uint32_t page_size, char *buf, size_t len)
{
	double bytes = (double)pages * page_size;
	char *dot;

	if (!pages) {
		snprintf(buf, len, "0");
		return;
	}
	if (bytes >= 1024.0 * 1024 * 1024)
		snprintf(buf, len, "%.1f GB", bytes / (1024.0 * 1024 * 1024));
	else if (bytes >= 1024.0 * 1024)
		snprintf(buf, len, "%.1f MB", bytes / (1024.0 * 1024));
	else
		snprintf(buf, len, "%.1f KB", bytes / 1024.0);
	if ((dot = strstr(buf, ".0 ")))
		memmove(dot, dot + 2, strlen(dot + 2) + 1);
}

/* One row; of < 0: the base of a group ("----"), else the percentage of it. */
static void row(FILE *out, const char *name, uint64_t pages, uint32_t page_size, uint64_t of,
		const char *base)
{
	char size[32];

	size_text(pages, page_size, size, sizeof(size));
	fprintf(out, "%13s  %7llu  %11s  ", name, (unsigned long long)pages, size);
	if (!base)
		fprintf(out, "       ----\n");
	else
		fprintf(out, "%3llu%% of %s\n", of ? (unsigned long long)(pages * 100 / of) : 0ULL, base);
}

static int summary(struct kd_cmd *c)
{
	uint32_t ps = kd_kernel_page_size(c->k);
	struct kd_meminfo m;
	FILE *o = c->out;

	if (kd_kernel_meminfo(c->k, &m, c->err) != 0)
		return -1;
	fprintf(o, "                 PAGES        TOTAL      PERCENTAGE\n");
	row(o, "TOTAL MEM", m.total, ps, 0, NULL);
	row(o, "FREE", m.free, ps, m.total, "TOTAL MEM");
	row(o, "USED", m.total > m.free ? m.total - m.free : 0, ps, m.total, "TOTAL MEM");
	row(o, "SHARED", m.shared, ps, m.total, "TOTAL MEM");
	row(o, "BUFFERS", m.buffers, ps, m.total, "TOTAL MEM");
	row(o, "CACHED", m.cached, ps, m.total, "TOTAL MEM");
	row(o, "SLAB", m.slab, ps, m.total, "TOTAL MEM");
	fputc('\n', o);
	row(o, "TOTAL HUGE", m.huge_total, ps, 0, NULL);
	row(o, "HUGE FREE", m.huge_free, ps, m.huge_total, "TOTAL HUGE");
	fputc('\n', o);
	row(o, "TOTAL SWAP", m.swap_total, ps, 0, NULL);
	row(o, "SWAP USED", m.swap_total > m.swap_free ? m.swap_total - m.swap_free : 0, ps,
	    m.swap_total, "TOTAL SWAP");
	row(o, "SWAP FREE", m.swap_free, ps, m.swap_total, "TOTAL SWAP");
	fputc('\n', o);
	row(o, " COMMIT LIMIT", m.commit_limit, ps, 0, NULL);
	row(o, "COMMITTED", m.committed, ps, m.commit_limit, "TOTAL LIMIT");
	return 0;
}

static int run_kmem(struct kd_cmd *c)
{
	if (c->opt['i'] && c->argc == 0)
		return summary(c);
	return kd_cmd_usage(c, "-i is needed");
}

const struct kd_command kd_cmd_kmem = {
	.name = "kmem",
	.options = "i",
	.usage = "kmem -i",
	.summary = "the kernel's memory use",
	.help = "  -i   crash's summary: total, free and used memory, shared (shmem),\n"
		"       buffers, page cache, slab, huge pages, swap, commit limit and\n"
		"       committed memory, each in pages, bytes and percent, from the\n"
		"       counters /proc/meminfo reads (MemTotal, MemFree, Shmem, Buffers,\n"
		"       Cached, Slab, HugePages_*, Swap*, CommitLimit, Committed_AS).\n",
	.run = run_kmem,
};
