/* Finding kallsyms' tables by their layout, for kernels whose VMCOREINFO
 * does not name them (before 6.0). scripts/kallsyms writes them in this
 * order, each label 8-byte aligned with zero padding: kallsyms_offsets
 * (s32 per symbol), kallsyms_relative_base (u64), kallsyms_num_syms (u32),
 * kallsyms_names (a length byte then token numbers, per symbol),
 * kallsyms_markers (u32 per 256 symbols: where symbol 256k's entry starts),
 * kallsyms_token_table (256 NUL-terminated strings), kallsyms_token_index
 * (256 u16: where each string starts). The token index is found first (its
 * entries step by each token's length), then the rest walking back. */
#include "symbols/kallsyms.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"

#define CHUNK (64u << 10)
#define PAGE 4096u
#define SPAN (96u << 20)         /* text and read-only data of a kernel image */
#define TOKENS_MAX 4096          /* the token table's bytes */
#define MARKERS_MAX (16u << 10)  /* u32 per 256 symbols: 4M symbols */
#define NAMES_MAX (64u << 20)
#define BASE_BELOW (16u << 20)   /* relative_base: the lowest text address, at or below _stext */

/* 256 u16 from 0, each step a token's length plus its NUL. */
static bool looks_like_index(const uint8_t *p)
{
	if (kd_le16(p) != 0)
		return false;
	for (int i = 1; i < 256; i++) {
		unsigned d = (unsigned)kd_le16(p + 2 * i) - kd_le16(p + 2 * (i - 1));
		if (d < 1 || d > 64)
			return false;
	}
	return true;
}

/* The token table that ends (padded to 8) where the index at idx starts:
 * its address, or 0. */
static uint64_t token_table_before(kd_kallsyms_read_fn rd, void *ctx, uint64_t idx, const uint8_t *index)
{
	uint8_t t[TOKENS_MAX + 8];
	uint16_t last = kd_le16(index + 510);
	size_t span = (size_t)last + 64 + 8;

	if (span > sizeof(t) || idx < span || rd(ctx, idx - span, t, span, NULL) != 0)
		return 0;
	for (size_t pad = 0; pad < 8; pad++) {
		size_t end = span - pad, k = end - 1, len = 0; /* end: one past the last NUL */
		if (t[k] != 0)
			continue;
		while (k > 0 && t[k - 1] != 0 && len < 64) {
			k--;
			len++;
		}
		if ((size_t)last + len + 1 > end)
			continue;
		size_t start = end - len - 1 - last; /* in t */
		uint64_t s = idx - span + start;
		bool ok = s % 8 == 0;
		for (int i = 0; ok && i < 256; i++) {
			size_t from = start + kd_le16(index + 2 * i);
			size_t to = i < 255 ? start + kd_le16(index + 2 * (i + 1)) - 1 : end - 1;
			ok = t[to] == 0;
			for (size_t j = from; ok && j < to; j++)
				ok = t[j] >= 0x20 && t[j] < 0x7f;
		}
		if (ok)
			return s;
	}
	return 0;
}

/* The token index among the first len bytes of buf (read at addr, with
 * 512 bytes more): the token table's address, and *idx; or 0. */
static uint64_t scan_block(kd_kallsyms_read_fn rd, void *ctx, uint64_t addr, const uint8_t *buf, size_t len,
			   uint64_t *idx)
{
	uint64_t table;

	for (size_t off = 0; off < len; off += 8)
		if (looks_like_index(buf + off) && (table = token_table_before(rd, ctx, addr + off, buf + off))) {
			*idx = addr + off;
			return table;
		}
	return 0;
}

/* The markers that end (padded to 8) at token_table: where they start and
 * how many. */
static int markers_before(kd_kallsyms_read_fn rd, void *ctx, uint64_t token_table, uint64_t *start,
			  uint32_t *count, uint8_t *m, size_t cap)
{
	size_t n = cap / 4, last;

	*count = 0;
	if (token_table < cap || rd(ctx, token_table - cap, m, cap, NULL) != 0)
		return -1;
	last = n - 1;
	if (kd_le32(m + 4 * last) == 0) /* padding: marker 0 alone is a kernel of 256 symbols */
		last--;
	for (size_t i = last; i > 0; i--) {
		uint32_t v = kd_le32(m + 4 * i), before = kd_le32(m + 4 * (i - 1));
		if (before == 0) {
			uint64_t at = token_table - cap + 4 * (i - 1);
			if (at % 8)
				return -1;
			*start = at;
			*count = (uint32_t)(last - (i - 1) + 1);
			return 0;
		}
		if (before >= v)
			return -1;
	}
	return -1;
}

/* Whether names at names hold n entries that end at most 7 bytes before
 * markers, symbol 256k's entry where markers[k] says. */
static bool names_fit(const uint8_t *names, size_t len, uint32_t n, const uint8_t *markers, uint32_t count)
{
	size_t pos = 0;

	for (uint32_t i = 0; i < n; i++) {
		if (i % 256 == 0 && (i / 256 >= count || kd_le32(markers + 4 * (i / 256)) != pos))
			return false;
		if (pos >= len)
			return false;
		size_t l = names[pos++];
		if (l & 0x80) { /* 6.1+'s two-byte lengths */
			if (pos >= len)
				return false;
			l = (l & 0x7f) | ((size_t)names[pos++] << 7);
		}
		pos += l;
	}
	return pos <= len && len - pos < 8;
}

int kd_kallsyms_find(kd_kallsyms_read_fn rd, void *ctx, uint64_t stext, struct kd_kallsyms_loc *loc,
		     kd_err *err)
{
	uint8_t *buf = malloc(CHUNK + 512), *markers = malloc(MARKERS_MAX), *names = NULL;
	uint64_t idx = 0, table = 0, mstart = 0;
	uint32_t count = 0;
	int rc = -1;

	if (!buf || !markers) {
		kd_oom(err);
		goto out;
	}
	/* the token index: 8-aligned, after the text; a chunk with a page the
	 * dump left out is read a page at a time */
	for (uint64_t at = stext; at < stext + SPAN && !table; at += CHUNK) {
		if (rd(ctx, at, buf, CHUNK + 512, NULL) == 0) {
			table = scan_block(rd, ctx, at, buf, CHUNK, &idx);
			continue;
		}
		for (uint64_t pg = at; pg < at + CHUNK && !table; pg += PAGE)
			if (rd(ctx, pg, buf, PAGE + 512, NULL) == 0)
				table = scan_block(rd, ctx, pg, buf, PAGE, &idx);
			else if (rd(ctx, pg, buf, PAGE, NULL) == 0)
				table = scan_block(rd, ctx, pg, buf, PAGE - 511, &idx);
	}
	if (!table) {
		kd_fail(err, KD_ERR_LOOKUP, "no kallsyms token table in the %u MB after _stext", SPAN >> 20);
		goto out;
	}
	size_t cap = MARKERS_MAX;
	int found;
	while ((found = markers_before(rd, ctx, table, &mstart, &count, markers, cap)) != 0 && cap > 4096)
		cap /= 2; /* a read across the image's start or a left-out page */
	if (found != 0) {
		kd_fail(err, KD_ERR_CORRUPT, "no kallsyms markers before its token table at 0x%llx",
			(unsigned long long)table);
		goto out;
	}
	memmove(markers, markers + (mstart - (table - cap)), (size_t)count * 4);
	/* the names run up to the markers: those of the last 256 symbols take
	 * at most 256 entries of 130 bytes past the last marker */
	size_t want = ((size_t)kd_le32(markers + 4 * (count - 1)) + 256 * 130 + 16 + 7) & ~(size_t)7;
	if (want > NAMES_MAX || mstart < want + 16) {
		kd_fail(err, KD_ERR_CORRUPT, "kallsyms markers at 0x%llx say its names take %zu bytes",
			(unsigned long long)mstart, want);
		goto out;
	}
	if (!(names = malloc(want + 16))) {
		kd_oom(err);
		goto out;
	}
	if (rd(ctx, mstart - want - 16, names, want + 16, err) != 0) {
		kd_wrap(err, "kallsyms names before 0x%llx", (unsigned long long)mstart);
		goto out;
	}
	want += 16; /* room for relative_base and num_syms before the longest names */
	/* relative_base (the lowest text address) and num_syms before the names */
	for (size_t x = want - 8; x >= 8 && rc != 0; x -= 8) {
		uint64_t base = kd_le64(names + x - 8);
		uint32_t n = kd_le32(names + x);
		if (base > stext || stext - base > BASE_BELOW || n == 0 || (n + 255) / 256 != count)
			continue;
		if (!names_fit(names + x + 8, want - x - 8, n, markers, count))
			continue;
		uint64_t num = mstart - want + x;
		*loc = (struct kd_kallsyms_loc){ .num_syms = num, .names = num + 8, .token_table = table,
						 .token_index = idx, .relative_base = num - 8,
						 .offsets = num - 8 - (((uint64_t)n * 4 + 7) & ~7ull) };
		rc = 0;
	}
	if (rc != 0)
		kd_fail(err, KD_ERR_CORRUPT, "no kallsyms_num_syms before the names that end at 0x%llx",
			(unsigned long long)mstart);
out:
	free(buf);
	free(markers);
	free(names);
	return rc;
}
