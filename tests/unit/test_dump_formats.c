/* The dump readers on the lab's real dumps: every format makedumpfile and
 * QEMU wrote for a scenario must open, name itself, carry the kernel's
 * VMCOREINFO and give byte-identical pages; pages the dump lacks must be
 * errors that say why; cut-short and garbage files must fail with one
 * clear line. The lab directory is $KDIVE_LAB_DIR, else what
 * `lab/kdive-lab dir 6.1` prints (it builds the lab on first use). */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "dump/dump.h"
#include "dump/dump_int.h"

#define PAGE 4096

static char lab[PATH_MAX];
static char abi[128];
static int qemu_flat = 1;
static char tmpdir[] = "/tmp/kdive-dump-test-XXXXXX";

struct fmt {
	const char *file, *name;
};

/* makedumpfile's formats; the ELF one first: it is the reference */
static const struct fmt kdump_fmts[] = {
	{"vmcore.elf", "ELF vmcore"},
	{"vmcore.zlib", "kdump-compressed (zlib)"},
	{"vmcore.lzo", "kdump-compressed (lzo)"},
	{"vmcore.snappy", "kdump-compressed (snappy)"},
	{"vmcore.zstd", "kdump-compressed (zstd)"},
	{"vmcore.kdump", "kdump-compressed (uncompressed)"},
	{"vmcore.flat", "flattened kdump-compressed (zlib)"},
};
#define NFMT (sizeof(kdump_fmts) / sizeof(kdump_fmts[0]))

static const char *const kdump_scenarios[] = {"oops-module", "sysrq"};

/* ------------------------------------------------------------ helpers */

/* snprintf that fails the test instead of cutting a path or command */
static void fmt(char *out, size_t size, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(out, size, f, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		fail_msg("too long: %s", out);
}

static void path_of(char *out, const char *scen, const char *file)
{
	fmt(out, PATH_MAX, "%s/%s/%s", lab, scen, file);
}

static int exists(const char *path)
{
	return access(path, R_OK) == 0;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static struct kd_dump *open_ok(const char *path)
{
	kd_err err = {{0}};
	struct kd_dump *d = kd_dump_open(path, &err);

	if (!d)
		fail_msg("%s", err.msg);
	return d;
}

/* One line, naming the file, saying `word`. */
static void check_msg(const kd_err *err, const char *path, const char *word)
{
	if (!strstr(err->msg, word) || strchr(err->msg, '\n') ||
	    strncmp(err->msg, path, strlen(path)))
		fail_msg("expected one line starting with %s and saying \"%s\", got: %s", path,
			 word, err->msg);
}

/* The lab is part of the suite: without it these tests fail, they never
 * pass by skipping. */
static void require_lab(void)
{
	if (!lab[0])
		fail_msg("no lab: lab/kdive-lab dir 6.1 failed (or set KDIVE_LAB_DIR)");
}

static int read_page(struct kd_dump *d, uint64_t pfn, unsigned char *buf, kd_err *err)
{
	return kd_dump_read_phys(d, pfn * PAGE, buf, PAGE, err);
}

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* Copies the first len bytes of src to dst. */
static void copy_prefix(const char *src, const char *dst, uint64_t len)
{
	int in = open(src, O_RDONLY), out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	static unsigned char buf[1 << 16];

	assert_true(in >= 0 && out >= 0);
	while (len) {
		ssize_t n = read(in, buf, len < sizeof(buf) ? len : sizeof(buf));
		assert_true(n > 0);
		assert_int_equal(write(out, buf, (size_t)n), n);
		len -= (uint64_t)n;
	}
	close(in);
	close(out);
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* -------------------------------------------------------------- open */

static void check_open(const char *scen, const char *file, const char *name, int filtered)
{
	char path[PATH_MAX], want[200];
	const struct kd_dump_info *in;
	struct kd_dump *d;
	const void *desc;
	size_t len, ncpu;
	const char *v;
	double t = now();
	unsigned char b[64];
	kd_err err;

	path_of(path, scen, file);
	d = open_ok(path);
	kd_dump_read_phys(d, 0x1000000, b, sizeof(b), &err); /* timed, may be excluded */
	print_message("# %s/%s: %s, open + first read %.2f ms\n", scen, file, kd_dump_format(d),
		      (now() - t) * 1e3);
	assert_string_equal(kd_dump_format(d), name);
	v = kd_dump_vmcoreinfo(d, &len);
	assert_non_null(v);
	assert_int_equal(strlen(v), len);
	snprintf(want, sizeof(want), "OSRELEASE=%s\n", abi);
	if (strncmp(v, want, strlen(want)) && !strstr(v, want))
		fail_msg("%s: VMCOREINFO lacks %s", path, want);
	ncpu = kd_dump_ncpu_notes(d);
	assert_true(ncpu >= 1);
	for (size_t c = 0; c < ncpu; c++) {
		assert_int_equal(kd_dump_prstatus(d, c, &desc, &len), 0);
		assert_int_equal(len, 336); /* x86-64 struct elf_prstatus */
	}
	assert_int_equal(kd_dump_prstatus(d, ncpu, &desc, &len), -1);
	in = kd_dump_info(d);
	assert_int_equal(in->page_size, PAGE);
	assert_int_equal(in->nr_cpus, (int)ncpu);
	assert_int_equal(kd_dump_is_filtered(d), filtered);
	assert_int_equal(in->incomplete, 0);
	if (strstr(name, "kdump-compressed") && !strstr(name, "QEMU")) {
		assert_int_equal(in->dump_level, 31);
		assert_string_equal(in->release, abi);
		assert_string_equal(in->machine, "x86_64");
		assert_true(in->timestamp > 0);
	}
	if (strstr(name, "QEMU")) {
		for (size_t c = 0; c < ncpu; c++)
			assert_int_equal(kd_dump_note(d, "QEMU", 0, c, &desc, &len), 0);
		assert_int_equal(kd_dump_note(d, "QEMU", 0, ncpu, &desc, &len), -1);
	}
	kd_dump_close(d);
}

static void test_open_kdump(void **state)
{
	const char *scen = *state;
	char path[PATH_MAX];
	int n = 0;

	require_lab();
	for (size_t i = 0; i < NFMT; i++) {
		path_of(path, scen, kdump_fmts[i].file);
		if (!exists(path))
			continue;
		check_open(scen, kdump_fmts[i].file, kdump_fmts[i].name, 1);
		n++;
	}
	assert_true(n >= 5); /* zlib lzo kdump elf flat at least */
}

static void test_open_qemu(void **state)
{
	(void)state;
	require_lab();
	check_open("qemu-dump", "vmcore.qemu-elf", "QEMU ELF", 0);
	check_open("qemu-dump", "vmcore.qemu-kdump",
		   qemu_flat ? "QEMU flattened kdump-compressed (zlib)"
			     : "QEMU kdump-compressed (zlib)", 0);
}

/* ------------------------------------------------------- cross-format */

static void test_cross_kdump(void **state)
{
	const char *scen = *state;
	struct kd_dump *d[NFMT] = {0}, *ref;
	unsigned char a[PAGE], b[PAGE];
	char path[PATH_MAX];
	size_t both = 0, same = 0, elf_more = 0, zero_pages = 0, first = 0;
	uint64_t max;
	kd_err err;

	require_lab();
	for (size_t i = 0; i < NFMT; i++) {
		path_of(path, scen, kdump_fmts[i].file);
		if (exists(path))
			d[i] = open_ok(path);
	}
	ref = d[0];
	assert_non_null(ref);
	while (++first < NFMT && !d[first])
		;
	assert_true(first < NFMT);
	max = kd_dump_info(ref)->max_pfn;
	for (size_t i = 1; i < NFMT; i++)
		if (d[i])
			assert_int_equal(kd_dump_info(d[i])->max_pfn, max);
	for (uint64_t pfn = 0; pfn < max; pfn++) {
		enum kd_page_state sr = kd_dump_page_state(ref, pfn);
		enum kd_page_state sk = kd_dump_page_state(d[first], pfn);

		/* the kdump-compressed files share one bitmap */
		for (size_t i = first + 1; i < NFMT; i++)
			if (d[i] && kd_dump_page_state(d[i], pfn) != sk)
				fail_msg("%s: pfn 0x%" PRIx64 " differs between %s and %s", scen,
					 pfn, kdump_fmts[first].file, kdump_fmts[i].file);
		if (sr == KD_PAGE_DUMPED && sk == KD_PAGE_DUMPED) {
			/* every page of the first 2000, then one in 8 */
			if (both++ >= 2000 && pfn % 8)
				continue;
			assert_int_equal(read_page(ref, pfn, a, &err), 0);
			for (size_t i = 1; i < NFMT; i++) {
				if (!d[i])
					continue;
				if (read_page(d[i], pfn, b, &err))
					fail_msg("%s", err.msg);
				if (memcmp(a, b, PAGE))
					fail_msg("%s: physical page 0x%" PRIx64 " differs between %s "
						 "and %s", scen, pfn * PAGE, kdump_fmts[0].file,
						 kdump_fmts[i].file);
			}
			same++;
		} else if (sr == KD_PAGE_DUMPED && sk == KD_PAGE_EXCLUDED) {
			/* makedumpfile -E keeps runs of fewer than 256 excluded pages */
			elf_more++;
			assert_int_equal(read_page(d[first], pfn, b, &err), -1);
			assert_non_null(strstr(err.msg, "excluded"));
		} else if (sr == KD_PAGE_EXCLUDED && sk == KD_PAGE_DUMPED) {
			/* -E drops zero pages; kdump-compressed maps them to one zero page */
			assert_int_equal(read_page(d[first], pfn, b, &err), 0);
			assert_true(all_zero(b, PAGE));
			zero_pages++;
		} else if (sk == KD_PAGE_HOLE) {
			/* a partial page at the end of a RAM range is RAM in the ELF's memsz */
			assert_true(sr == KD_PAGE_HOLE || sr == KD_PAGE_EXCLUDED);
		} else {
			assert_int_equal(sr, sk);
		}
	}
	print_message("# %s: %zu pages in all formats, %zu compared: identical; %zu kept "
		      "only by -E, %zu zero pages only in kdump-compressed\n", scen, both, same,
		      elf_more, zero_pages);
	assert_true(both > 10000 && same > 3000);
	assert_true(elf_more < both / 20);
	for (size_t i = 0; i < NFMT; i++)
		kd_dump_close(d[i]);
}

static void test_cross_qemu(void **state)
{
	struct kd_dump *e, *k;
	unsigned char a[PAGE], b[PAGE];
	char path[PATH_MAX];
	size_t both = 0, same = 0, holes = 0;
	uint64_t max;
	kd_err err;

	(void)state;
	require_lab();
	path_of(path, "qemu-dump", "vmcore.qemu-elf");
	e = open_ok(path);
	path_of(path, "qemu-dump", "vmcore.qemu-kdump");
	k = open_ok(path);
	max = kd_dump_info(e)->max_pfn;
	assert_int_equal(kd_dump_info(k)->max_pfn, max);
	assert_string_equal(kd_dump_vmcoreinfo(e, NULL), kd_dump_vmcoreinfo(k, NULL));
	for (uint64_t pfn = 0; pfn < max; pfn++) {
		enum kd_page_state s = kd_dump_page_state(e, pfn);

		assert_int_equal(kd_dump_page_state(k, pfn), s);
		assert_int_not_equal(s, KD_PAGE_EXCLUDED); /* QEMU dumps all RAM */
		holes += s == KD_PAGE_HOLE;
		if (s != KD_PAGE_DUMPED || (both++ >= 2000 && pfn % 8))
			continue;
		assert_int_equal(read_page(e, pfn, a, &err), 0);
		if (read_page(k, pfn, b, &err))
			fail_msg("%s", err.msg);
		if (memcmp(a, b, PAGE))
			fail_msg("QEMU: physical page 0x%" PRIx64 " differs between elf and kdump",
				 pfn * PAGE);
		same++;
	}
	print_message("# qemu-dump: %zu pages in both, %zu compared: identical; %zu pfns in "
		      "holes\n", both, same, holes);
	assert_true(both > 200000 && same > 20000);
	kd_dump_close(e);
	kd_dump_close(k);
}

/* ------------------------------------------------------ absent pages */

static void check_absent(const char *path, int kdump_compressed)
{
	struct kd_dump *d = open_ok(path);
	uint64_t max = kd_dump_info(d)->max_pfn, excluded = max, hole = max, last_dumped = max;
	unsigned char b[2 * PAGE];
	kd_err err;

	for (uint64_t pfn = 0; pfn < max && (excluded == max || hole == max); pfn++) {
		enum kd_page_state s = kd_dump_page_state(d, pfn);
		if (s == KD_PAGE_EXCLUDED && excluded == max)
			excluded = pfn;
		if (s == KD_PAGE_HOLE && hole == max)
			hole = pfn;
		if (s == KD_PAGE_DUMPED && excluded == max)
			last_dumped = pfn;
	}
	assert_true(excluded < max && hole < max);
	assert_int_equal(read_page(d, excluded, b, &err), -1);
	check_msg(&err, path, "excluded");
	if (kdump_compressed)
		check_msg(&err, path, "dump level 31");
	assert_int_equal(read_page(d, hole, b, &err), -1);
	check_msg(&err, path, "hole");
	/* a read running from a dumped page into an excluded one fails whole */
	if (last_dumped + 1 == excluded) {
		assert_int_equal(kd_dump_read_phys(d, last_dumped * PAGE, b, 2 * PAGE, &err), -1);
		check_msg(&err, path, "excluded");
	}
	assert_int_equal(kd_dump_read_phys(d, max * PAGE, b, 8, &err), -1);
	check_msg(&err, path, "beyond the end");
	assert_int_equal(kd_dump_page_state(d, max), KD_PAGE_BEYOND);
	assert_int_equal(kd_dump_read_phys(d, UINT64_MAX - 4, b, 8, &err), -1);
	kd_dump_close(d);
}

static void test_absent(void **state)
{
	const char *scen = *state;
	char path[PATH_MAX];

	require_lab();
	for (size_t i = 0; i < NFMT; i++) {
		path_of(path, scen, kdump_fmts[i].file);
		if (exists(path))
			check_absent(path, i != 0);
	}
}

/* ---------------------------------------------------------- truncated */

struct cut_case {
	const char *scen, *file;
};

static uint64_t file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (uint64_t)st.st_size;
}

/* Opens the first `cut` bytes of the dump; either open fails, or pages
 * read as in the whole dump or fail as cut short. Returns whether open
 * worked; *msg gets open's error. */
static int check_cut(const char *full, struct kd_dump *whole, uint64_t cut, char *msg,
		     size_t *ok, size_t *short_reads)
{
	char path[PATH_MAX];
	unsigned char a[PAGE], b[PAGE];
	struct kd_dump *d;
	uint64_t max = kd_dump_info(whole)->max_pfn, step = max / 3000 + 1;
	size_t cut_reads = 0;
	kd_err err;

	snprintf(path, sizeof(path), "%s/cut-%" PRIu64, tmpdir, cut);
	copy_prefix(full, path, cut);
	d = kd_dump_open(path, &err);
	if (!d) {
		check_msg(&err, path, "");
		snprintf(msg, sizeof(err.msg), "%s", err.msg);
		unlink(path);
		return 0;
	}
	for (uint64_t pfn = 0; pfn < max; pfn += step) {
		if (kd_dump_page_state(whole, pfn) != KD_PAGE_DUMPED)
			continue;
		assert_int_equal(read_page(whole, pfn, a, &err), 0);
		if (read_page(d, pfn, b, &err) == 0) {
			assert_memory_equal(a, b, PAGE);
			(*ok)++;
		} else {
			check_msg(&err, path, "truncated");
			cut_reads++;
		}
	}
	/* pages are missing: open said so */
	if (cut_reads)
		assert_int_equal(kd_dump_info(d)->incomplete, 1);
	*short_reads += cut_reads;
	kd_dump_close(d);
	unlink(path);
	return 1;
}

static void test_truncated(void **state)
{
	const struct cut_case *c = *state;
	char full[PATH_MAX], msg[1024];
	uint64_t size, cuts[16];
	unsigned char h[512];
	size_t ncut = 0, ok = 0, short_reads = 0, opened = 0;
	struct kd_dump *whole;
	int fd;

	require_lab();
	path_of(full, c->scen, c->file);
	size = file_size(full);
	whole = open_ok(full);
	fd = open(full, O_RDONLY);
	assert_int_equal(pread(fd, h, sizeof(h), 0), sizeof(h));
	close(fd);
	if (!memcmp(h, "KDUMP   ", 8)) {
		/* cuts in each part of the layout, each with its own message */
		uint64_t bs = kd_le32(h + 428), sub = kd_le32(h + 432), bb = kd_le32(h + 436);
		const struct {
			uint64_t at;
			const char *says;
		} parts[] = {
			{100, "kdump header"},
			{bs + 50, "kdump sub-header"},
			{bs + 300, "ELF notes"},
			{(1 + sub) * bs + bb * bs / 2 + 100, "2nd bitmap"},
			{(1 + sub + bb) * bs + 1000, "page descriptor table"},
		};
		for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
			assert_int_equal(check_cut(full, whole, parts[i].at, msg, &ok, &short_reads), 0);
			if (!strstr(msg, "truncated") || !strstr(msg, parts[i].says))
				fail_msg("cut at 0x%" PRIx64 ": expected \"truncated\" and \"%s\": %s",
					 parts[i].at, parts[i].says, msg);
		}
	}
	/* anywhere else, and in the page data */
	for (uint64_t at = 1; at < size && ncut < 8; at *= 7)
		cuts[ncut++] = at;
	cuts[ncut++] = size / 16;
	cuts[ncut++] = size / 4;
	cuts[ncut++] = size - 1;
	for (size_t i = 0; i < ncut; i++) {
		if (cuts[i] > (48u << 20)) /* keep the copies small */
			continue;
		if (check_cut(full, whole, cuts[i], msg, &ok, &short_reads))
			opened++;
		else if (!strstr(msg, "truncated") && !strstr(msg, "not a crash dump"))
			fail_msg("cut at 0x%" PRIx64 ": %s", cuts[i], msg);
	}
	print_message("# %s/%s: %zu cuts opened, %zu pages read as whole, %zu reads cut "
		      "short\n", c->scen, c->file, opened, ok, short_reads);
	assert_true(opened > 0);
	assert_true(short_reads > 0);
	kd_dump_close(whole);
}

/* ---------------------------------------------------------- bad input */

static void expect_open_fails(const char *path, const char *word)
{
	kd_err err;
	struct kd_dump *d = kd_dump_open(path, &err);

	if (d)
		fail_msg("%s opened as %s", path, kd_dump_format(d));
	check_msg(&err, path, word);
}

/* Opens path; if that works, reads around: nothing may crash, and every
 * error is one line. */
static void poke(const char *path)
{
	kd_err err;
	struct kd_dump *d = kd_dump_open(path, &err);
	unsigned char b[3 * PAGE];
	const void *desc;
	size_t len;

	if (!d) {
		check_msg(&err, path, "");
		return;
	}
	kd_dump_vmcoreinfo(d, &len);
	kd_dump_prstatus(d, 0, &desc, &len);
	for (uint64_t i = 0; i < 64; i++) {
		uint64_t addr = i < 32 ? i * PAGE : rng() % (kd_dump_info(d)->max_pfn * PAGE + 2);
		kd_dump_page_state(d, addr / PAGE);
		if (kd_dump_read_phys(d, addr, b, i % 2 ? sizeof(b) : 8, &err) < 0)
			check_msg(&err, path, "");
	}
	kd_dump_close(d);
}

static void test_bad_input(void **state)
{
	char path[PATH_MAX];
	static unsigned char junk[1 << 16];
	static const char *const sigs[] = {"KDUMP   ", "\177ELF\2\1\1", "makedumpfile\0\0\0\0",
					   "DISKDUMP"};

	(void)state;
	snprintf(path, sizeof(path), "%s/empty", tmpdir);
	write_file(path, "", 0);
	expect_open_fails(path, "empty file");
	expect_open_fails("/etc/os-release", "not a crash dump");
	expect_open_fails(tmpdir, "not a regular file");
	snprintf(path, sizeof(path), "%s/missing", tmpdir);
	expect_open_fails(path, "cannot open");
	snprintf(path, sizeof(path), "%s/junk", tmpdir);
	rng_state = 0x9e3779b97f4a7c15ull;
	for (int round = 0; round < 200; round++) {
		const char *sig = sigs[round % 4];
		size_t len = 16 + rng() % sizeof(junk), siglen = round % 4 == 2 ? 16 : strlen(sig);

		for (size_t i = 0; i < len; i++)
			junk[i] = (unsigned char)rng();
		memcpy(junk, sig, siglen);
		if (round % 4 == 2 && round % 8 < 4) /* a valid flattened header: records */
			memcpy(junk + 16, "\0\0\0\0\0\0\0\1\0\0\0\0\0\0\0\1", 16);
		write_file(path, junk, len);
		poke(path);
	}
}

/* Real dumps with their first 64 KiB mutated: nothing may crash. */
static void test_mutated(void **state)
{
	static const char *const files[] = {"vmcore.zlib", "vmcore.elf", "vmcore.flat",
					    "vmcore.lzo"};
	static unsigned char buf[1 << 16];
	char src[PATH_MAX], path[PATH_MAX];

	(void)state;
	require_lab();
	snprintf(path, sizeof(path), "%s/mutant", tmpdir);
	rng_state = 42;
	for (size_t f = 0; f < 4; f++) {
		int fd;

		path_of(src, "oops-module", files[f]);
		fd = open(src, O_RDONLY);
		assert_true(fd >= 0);
		assert_int_equal(pread(fd, buf, sizeof(buf), 0), sizeof(buf));
		close(fd);
		for (int round = 0; round < 60; round++) {
			unsigned char m[sizeof(buf)];

			memcpy(m, buf, sizeof(m));
			for (int k = 0; k < 1 + round % 8; k++) {
				/* the headers, mostly: where sizes and offsets live */
				size_t at = rng() % (k % 2 ? sizeof(m) : 0x1200);
				m[at] = (unsigned char)rng();
			}
			write_file(path, m, sizeof(m));
			poke(path);
		}
	}
}

/* ------------------------------------------------ flattened, reordered */

static void put_be64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

/* The zlib dump re-flattened with records in a shuffled order, some of
 * them overwriting earlier garbage records: the reader must see what
 * makedumpfile -R would replay, the original file. */
static void test_flat_replay(void **state)
{
	char src[PATH_MAX], path[PATH_MAX];
	struct kd_dump *a, *b;
	unsigned char *data, hdr[4096] = "makedumpfile", rec[16];
	uint64_t size, (*chunk)[2], n = 0, off = 0;
	unsigned char pa[PAGE], pb[PAGE];
	size_t same = 0;
	FILE *out;
	int fd;
	kd_err err;

	(void)state;
	require_lab();
	path_of(src, "oops-module", "vmcore.zlib");
	size = file_size(src);
	data = malloc(size);
	chunk = malloc((size / 512 + 2) * sizeof(*chunk));
	assert_true(data && chunk);
	fd = open(src, O_RDONLY);
	assert_int_equal(pread(fd, data, size, 0), (ssize_t)size);
	close(fd);
	rng_state = 7;
	while (off < size) {
		uint64_t len = 512 + rng() % 65536;
		chunk[n][0] = off;
		chunk[n++][1] = len < size - off ? len : size - off;
		off += chunk[n - 1][1];
	}
	for (uint64_t i = n - 1; i > 0; i--) {
		uint64_t j = rng() % (i + 1), t0 = chunk[i][0], t1 = chunk[i][1];
		chunk[i][0] = chunk[j][0], chunk[i][1] = chunk[j][1];
		chunk[j][0] = t0, chunk[j][1] = t1;
	}
	snprintf(path, sizeof(path), "%s/replay.flat", tmpdir);
	out = fopen(path, "wb");
	assert_non_null(out);
	put_be64(hdr + 16, 1);
	put_be64(hdr + 24, 1);
	fwrite(hdr, 1, sizeof(hdr), out);
	for (uint64_t i = 0; i < n; i++) {
		if (i % 3 == 0) { /* garbage over this chunk and its neighbour, overwritten below */
			static unsigned char junk[2 * 65536 + 1024];
			uint64_t len = chunk[i][1] + 4096;
			for (uint64_t k = 0; k < len; k++)
				junk[k] = (unsigned char)rng();
			put_be64(rec, chunk[i][0] > 100 ? chunk[i][0] - 100 : 0);
			put_be64(rec + 8, len);
			fwrite(rec, 1, 16, out);
			fwrite(junk, 1, len, out);
		}
	}
	for (uint64_t i = 0; i < n; i++) {
		put_be64(rec, chunk[i][0]);
		put_be64(rec + 8, chunk[i][1]);
		fwrite(rec, 1, 16, out);
		fwrite(data + chunk[i][0], 1, chunk[i][1], out);
	}
	memset(rec, 0xff, 16);
	fwrite(rec, 1, 16, out);
	assert_int_equal(fclose(out), 0);
	a = open_ok(src);
	b = open_ok(path);
	assert_string_equal(kd_dump_format(b), "flattened kdump-compressed (zlib)");
	assert_string_equal(kd_dump_vmcoreinfo(a, NULL), kd_dump_vmcoreinfo(b, NULL));
	for (uint64_t pfn = 0; pfn < kd_dump_info(a)->max_pfn; pfn++) {
		assert_int_equal(kd_dump_page_state(b, pfn), kd_dump_page_state(a, pfn));
		if (kd_dump_page_state(a, pfn) != KD_PAGE_DUMPED || pfn % 4)
			continue;
		assert_int_equal(read_page(a, pfn, pa, &err), 0);
		if (read_page(b, pfn, pb, &err))
			fail_msg("%s", err.msg);
		assert_memory_equal(pa, pb, PAGE);
		same++;
	}
	assert_true(same > 1000);
	kd_dump_close(a);
	kd_dump_close(b);
	unlink(path);
	free(data);
	free(chunk);
}

/* ------------------------------------------------ makedumpfile's output */

static const char *makedumpfile;

/* Runs makedumpfile with args (a shell fragment); its exit status. */
static int run_makedumpfile(const char *args)
{
	char cmd[3 * PATH_MAX];

	fmt(cmd, sizeof(cmd), "%s %s 2>/dev/null", makedumpfile, args);
	return system(cmd);
}

/* Every page a and b both hold is the same; a's states are b's. */
static size_t same_pages(struct kd_dump *a, struct kd_dump *b, int states_too)
{
	unsigned char pa[PAGE], pb[PAGE];
	size_t same = 0;
	kd_err err;

	assert_int_equal(kd_dump_info(a)->max_pfn, kd_dump_info(b)->max_pfn);
	for (uint64_t pfn = 0; pfn < kd_dump_info(a)->max_pfn; pfn++) {
		enum kd_page_state s = kd_dump_page_state(a, pfn);

		if (states_too)
			assert_int_equal(kd_dump_page_state(b, pfn), s);
		if (s != KD_PAGE_DUMPED || kd_dump_page_state(b, pfn) != KD_PAGE_DUMPED ||
		    pfn % 4)
			continue;
		assert_int_equal(read_page(a, pfn, pa, &err), 0);
		if (read_page(b, pfn, pb, &err))
			fail_msg("%s", err.msg);
		assert_memory_equal(pa, pb, PAGE);
		same++;
	}
	return same;
}

/* More real files from the lab's dumps, made by the same makedumpfile:
 * a flattened ELF (-E -F), a flattened dump replayed (-R), a dump that
 * hit its size limit (-L: "incomplete") and one part of a split dump. */
static void test_makedumpfile(void **state)
{
	char elf[PATH_MAX], flat[PATH_MAX], out[PATH_MAX], args[3 * PATH_MAX];
	struct kd_dump *ref, *d;
	unsigned char b[PAGE];
	size_t ok = 0, missing = 0;
	kd_err err;

	(void)state;
	require_lab();
	path_of(elf, "oops-module", "vmcore.elf");
	path_of(flat, "oops-module", "vmcore.flat");
	ref = open_ok(elf);

	fmt(out, sizeof(out), "%s/elf.flat", tmpdir);
	fmt(args, sizeof(args), "-E -F -d 31 '%s' > '%s'", elf, out);
	assert_int_equal(run_makedumpfile(args), 0);
	d = open_ok(out);
	assert_string_equal(kd_dump_format(d), "flattened ELF vmcore");
	assert_true(same_pages(ref, d, 1) > 3000);
	kd_dump_close(d);
	unlink(out);

	fmt(out, sizeof(out), "%s/replayed.zlib", tmpdir);
	fmt(args, sizeof(args), "-R '%s' < '%s' >/dev/null", out, flat);
	assert_int_equal(run_makedumpfile(args), 0);
	d = open_ok(out);
	assert_string_equal(kd_dump_format(d), "kdump-compressed (zlib)");
	{
		struct kd_dump *f = open_ok(flat);
		assert_true(same_pages(f, d, 1) > 3000);
		kd_dump_close(f);
	}
	kd_dump_close(d);
	unlink(out);

	fmt(out, sizeof(out), "%s/incomplete.zlib", tmpdir);
	fmt(args, sizeof(args), "-c -d 31 -L 6M '%s' '%s' >/dev/null", elf, out);
	assert_int_not_equal(run_makedumpfile(args), 0); /* "size limit reached" */
	d = open_ok(out);
	assert_int_equal(kd_dump_info(d)->incomplete, 1);
	for (uint64_t pfn = 0; pfn < kd_dump_info(d)->max_pfn; pfn++) {
		if (kd_dump_page_state(d, pfn) != KD_PAGE_DUMPED)
			continue;
		if (read_page(d, pfn, b, &err) == 0) {
			ok++;
		} else {
			check_msg(&err, out, "incomplete");
			missing++;
		}
	}
	assert_true(ok > 1000 && missing > 1000);
	kd_dump_close(d);
	unlink(out);

	fmt(out, sizeof(out), "%s/part", tmpdir);
	fmt(args, sizeof(args), "--split -d 31 '%s' '%s1' '%s2' >/dev/null", elf, out, out);
	assert_int_equal(run_makedumpfile(args), 0);
	fmt(out, sizeof(out), "%s/part1", tmpdir);
	expect_open_fails(out, "split dump");
	unlink(out);
	fmt(out, sizeof(out), "%s/part2", tmpdir);
	unlink(out);
	kd_dump_close(ref);
}

/* -------------------------------------------------------------- codecs */

/* A real page, compressed by each codec's own library, decompresses to
 * itself; damaged input is an error, not a crash. */
static void test_codecs(void **state)
{
	unsigned char page[PAGE], out[PAGE], z[2 * PAGE], wrk[LZO1X_1_MEM_COMPRESS];
	char path[PATH_MAX];
	struct kd_dump *d;
	uint64_t pfn;
	kd_err err;

	(void)state;
	require_lab();
	path_of(path, "oops-module", "vmcore.kdump");
	d = open_ok(path);
	/* a page with some of everything: not zeros, compressible */
	for (pfn = 0x1000; pfn < kd_dump_info(d)->max_pfn; pfn++) {
		size_t zeros = 0;
		if (kd_dump_page_state(d, pfn) != KD_PAGE_DUMPED)
			continue;
		assert_int_equal(read_page(d, pfn, page, &err), 0);
		for (size_t i = 0; i < PAGE; i++)
			zeros += !page[i];
		if (zeros > PAGE / 8 && zeros < PAGE / 2)
			break;
	}
	assert_true(pfn < kd_dump_info(d)->max_pfn);
	kd_dump_close(d);
	for (uint32_t codec = 1; codec <= 0x20; codec <<= 1) {
		size_t zlen = sizeof(z);
		const char *name = kd_page_codec_name(codec);

		switch (codec) {
		case 0x1: {
			uLongf l = sizeof(z);
			assert_int_equal(compress2(z, &l, page, PAGE, 1), Z_OK);
			zlen = l;
			break;
		}
		case 0x2: {
			lzo_uint l;
			assert_int_equal(lzo_init(), LZO_E_OK);
			assert_int_equal(lzo1x_1_compress(page, PAGE, z, &l, wrk), LZO_E_OK);
			zlen = l;
			break;
		}
		case 0x4:
			assert_int_equal(snappy_compress((const char *)page, PAGE, (char *)z, &zlen),
					 SNAPPY_OK);
			break;
		case 0x20:
			zlen = ZSTD_compress(z, sizeof(z), page, PAGE, 1);
			assert_false(ZSTD_isError(zlen));
			break;
		default:
			assert_null(name);
			assert_non_null(kd_page_decompress(codec, z, 16, out, PAGE));
			continue;
		}
		assert_non_null(name);
		assert_true(zlen < PAGE);
		assert_null(kd_page_decompress(codec, z, zlen, out, PAGE));
		assert_memory_equal(out, page, PAGE);
		/* a page of another size is no page; cut short or damaged data neither */
		assert_non_null(kd_page_decompress(codec, z, zlen, out, PAGE / 2));
		assert_non_null(kd_page_decompress(codec, z, zlen / 2, out, PAGE));
		for (size_t i = 0; i < zlen; i += 7)
			z[i] ^= 0x5a;
		kd_page_decompress(codec, z, zlen, out, PAGE);
	}
}

/* ---------------------------------------------------------------- main */

/* The repository root: walk up from the working directory to lab/kdive-lab. */
static int repo_root(char *root, size_t size)
{
	char probe[PATH_MAX + 32];

	if (!getcwd(root, size))
		return -1;
	for (;;) {
		char *slash;

		snprintf(probe, sizeof(probe), "%s/lab/kdive-lab", root);
		if (access(probe, X_OK) == 0)
			return 0;
		slash = strrchr(root, '/');
		if (!slash || slash == root)
			return -1;
		*slash = '\0';
	}
}

static void find_lab(void)
{
	const char *env = getenv("KDIVE_LAB_DIR");
	char root[PATH_MAX], cmd[PATH_MAX + 64], line[512];
	FILE *f;

	if (env && *env) {
		snprintf(lab, sizeof(lab), "%s", env);
	} else if (repo_root(root, sizeof(root)) == 0) {
		snprintf(cmd, sizeof(cmd), "'%s/lab/kdive-lab' dir 6.1", root);
		f = popen(cmd, "r");
		if (f && fgets(lab, sizeof(lab), f))
			lab[strcspn(lab, "\n")] = '\0';
		if (f && pclose(f) != 0)
			lab[0] = '\0';
	}
	snprintf(cmd, sizeof(cmd), "%s/lab.env", lab);
	f = lab[0] ? fopen(cmd, "r") : NULL;
	if (!f) {
		lab[0] = '\0';
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "ABI='", 5))
			snprintf(abi, sizeof(abi), "%.*s", (int)strcspn(line + 5, "'"), line + 5);
		if (!strncmp(line, "QEMU_KDUMP_FLATTENED=", 21))
			qemu_flat = atoi(line + 21);
	}
	fclose(f);
	if (!abi[0])
		lab[0] = '\0';
}

#define WITH(f, s, n) {.name = n, .test_func = f, .initial_state = (void *)(s)}

int main(void)
{
	static const struct cut_case cuts[] = {
		{"oops-module", "vmcore.zlib"}, {"oops-module", "vmcore.lzo"},
		{"oops-module", "vmcore.snappy"}, {"oops-module", "vmcore.zstd"},
		{"oops-module", "vmcore.kdump"}, {"oops-module", "vmcore.elf"},
		{"oops-module", "vmcore.flat"}, {"qemu-dump", "vmcore.qemu-kdump"},
		{"qemu-dump", "vmcore.qemu-elf"},
	};
	static char cut_names[sizeof(cuts) / sizeof(cuts[0])][64];
	struct CMUnitTest tests[32] = {
		WITH(test_open_kdump, kdump_scenarios[0], "open oops-module"),
		WITH(test_open_kdump, kdump_scenarios[1], "open sysrq"),
		WITH(test_open_qemu, NULL, "open qemu-dump"),
		WITH(test_cross_kdump, kdump_scenarios[0], "same pages oops-module"),
		WITH(test_cross_kdump, kdump_scenarios[1], "same pages sysrq"),
		WITH(test_cross_qemu, NULL, "same pages qemu-dump elf/kdump"),
		WITH(test_absent, kdump_scenarios[0], "absent pages oops-module"),
		WITH(test_absent, kdump_scenarios[1], "absent pages sysrq"),
		WITH(test_bad_input, NULL, "bad input"),
		WITH(test_mutated, NULL, "mutated headers"),
		WITH(test_flat_replay, NULL, "flattened records reordered and overwritten"),
		WITH(test_codecs, NULL, "page codecs"),
	};
	size_t n = 12;
	int rc;

	find_lab();
	for (const char *const *p = (const char *const[]){"/usr/sbin/makedumpfile",
			"/usr/bin/makedumpfile", "/sbin/makedumpfile", NULL}; *p; p++)
		if (!makedumpfile && access(*p, X_OK) == 0)
			makedumpfile = *p;
	if (makedumpfile) /* the lab's tool; without it this one cannot run */
		tests[n++] = (struct CMUnitTest)WITH(test_makedumpfile, NULL,
						     "makedumpfile -E -F, -R, -L, --split output");
	/* one test per dump file the lab has (snappy and zstd depend on the
	 * makedumpfile build) */
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		char path[PATH_MAX];

		if (lab[0]) {
			path_of(path, cuts[i].scen, cuts[i].file);
			if (!exists(path))
				continue;
		}
		snprintf(cut_names[i], sizeof(cut_names[i]), "truncated %s/%s", cuts[i].scen,
			 cuts[i].file);
		tests[n++] = (struct CMUnitTest)WITH(test_truncated, &cuts[i], cut_names[i]);
	}
	if (!mkdtemp(tmpdir))
		return 1;
	rc = _cmocka_run_group_tests("dump_formats", tests, n, NULL, NULL);
	rmdir(tmpdir);
	return rc;
}
