/* The flattened format (makedumpfile -F, QEMU's kdump formats): a 4 KiB
 * header ("makedumpfile", type 1, version; big-endian), then records
 * {offset, size (big-endian int64), data}: "write data at offset" of the
 * logical file, ending with offset = size = -1. makedumpfile -R replays
 * them into a file; here one pass over the record headers (seeking past
 * the data) builds a sorted map from logical to file offsets, and reads
 * go through it. Later records win where they overlap, as on replay. */
#include "dump/dump_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define FLAT_HEADER 4096
/* Record headers are read WINDOW bytes at a time, which catches the next
 * few when records are small; after a big record only the 16-byte header
 * is read, as the window would hold nothing else. */
#define WINDOW 4096u

struct run {
	uint64_t loff, len, foff;
};

struct kd_flat {
	struct run *run; /* sorted, disjoint */
	size_t nrun;
	int complete; /* the end marker was seen */
};

struct rec {
	uint64_t loff, len, foff;
	size_t seq;
};

void kd_flat_free(struct kd_flat *f)
{
	if (!f)
		return;
	free(f->run);
	free(f);
}

int kd_flat_missing(const struct kd_src *s, uint64_t from, uint64_t to,
		    const char *what, kd_err *err)
{
	if (!s->flat->complete)
		return kd_fault(err, KD_FAULT_TRUNCATED, 0, "%s: truncated at 0x%" PRIx64 ": the flattened file has no "
			       "end marker, and %s (logical bytes 0x%" PRIx64 "-0x%" PRIx64 ") is "
			       "missing (file cut short? copy it again)", s->name, s->stored,
			       what, from, to);
	return kd_fail(err, KD_ERR_CORRUPT, "%s: the flattened file holds no data for %s (logical bytes 0x%"
		       PRIx64 "-0x%" PRIx64 ")", s->name, what, from, to);
}

/* The last run starting at or before off, or nrun if none. */
static size_t run_at(const struct kd_flat *f, uint64_t off)
{
	size_t lo = 0, hi = f->nrun;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->run[mid].loff <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? lo - 1 : f->nrun;
}

static int flat_read(struct kd_src *s, uint64_t off, void *buf, size_t len,
		     const char *what, kd_err *err)
{
	const struct kd_flat *f = s->flat;

	while (len) {
		size_t i = run_at(f, off);
		const struct run *r = i < f->nrun ? &f->run[i] : NULL;
		uint64_t n;

		if (!r || off - r->loff >= r->len) {
			size_t after = r ? i + 1 : 0; /* the run after the gap */
			uint64_t to = off + len;
			if (after < f->nrun && f->run[after].loff < to)
				to = f->run[after].loff;
			return kd_flat_missing(s, off, to, what, err);
		}
		n = r->len - (off - r->loff);
		if (n > len)
			n = len;
		if (kd_pread(s, r->foff + (off - r->loff), buf, n, what, err) < 0)
			return -1;
		off += n;
		buf = (char *)buf + n;
		len -= n;
	}
	return 0;
}

static int rec_by_loff(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	return x->loff < y->loff ? -1 : x->loff > y->loff;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Max-heap of record indexes by write order. */
static void heap_push(size_t *h, size_t *n, const struct rec *r, size_t v)
{
	size_t i = (*n)++;

	for (; i && r[h[(i - 1) / 2]].seq < r[v].seq; i = (i - 1) / 2)
		h[i] = h[(i - 1) / 2];
	h[i] = v;
}

static void heap_pop(size_t *h, size_t *n, const struct rec *r)
{
	size_t v = h[--(*n)], i = 0;

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && r[h[c + 1]].seq > r[h[c]].seq)
			c++;
		if (r[h[c]].seq < r[v].seq)
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n)
		h[i] = v;
}

/* Turns records (in write order) into disjoint runs where the last write
 * wins: a sweep over all record boundaries with a heap of the records
 * that cover the current point. */
static int build_runs(struct kd_flat *f, struct rec *r, size_t n)
{
	uint64_t *b;
	size_t *heap, nb = 0, nh = 0, next = 0;
	int rc = -1;

	if (!n)
		return 0;
	b = malloc(2 * n * sizeof(*b));
	heap = malloc(n * sizeof(*heap));
	f->run = malloc(2 * n * sizeof(*f->run));
	if (!b || !heap || !f->run)
		goto out;
	qsort(r, n, sizeof(*r), rec_by_loff);
	for (size_t i = 0; i < n; i++) {
		b[nb++] = r[i].loff;
		b[nb++] = r[i].loff + r[i].len;
	}
	qsort(b, nb, sizeof(*b), u64_cmp);
	for (size_t k = 0; k + 1 < nb; k++) {
		uint64_t at = b[k], len = b[k + 1] - at;
		struct run *last = f->nrun ? &f->run[f->nrun - 1] : NULL;
		const struct rec *top;

		if (!len)
			continue;
		while (next < n && r[next].loff <= at)
			heap_push(heap, &nh, r, next++);
		while (nh && r[heap[0]].loff + r[heap[0]].len <= at)
			heap_pop(heap, &nh, r);
		if (!nh)
			continue; /* a gap no record wrote */
		top = &r[heap[0]];
		if (last && last->loff + last->len == at &&
		    last->foff + last->len == top->foff + (at - top->loff))
			last->len += len;
		else
			f->run[f->nrun++] = (struct run){at, len, top->foff + (at - top->loff)};
	}
	rc = 0;
out:
	free(b);
	free(heap);
	return rc;
}

/* Reads the record headers into out[], in write order. */
static int scan(struct kd_src *s, struct rec **out, size_t *n, kd_err *err)
{
	uint64_t pos = FLAT_HEADER, woff = 0, wlen = 0, last = 0;
	size_t cap = 0;
	unsigned char *w = malloc(WINDOW);

	if (!w)
		return kd_fail(err, KD_ERR_NOMEM, "%s: out of memory", s->name);
	while (s->stored - pos >= 16) {
		int64_t loff, size;
		uint64_t data = pos + 16, avail;

		if (pos < woff || pos + 16 > woff + wlen) {
			wlen = last > WINDOW ? 16 : WINDOW;
			if (wlen > s->stored - pos)
				wlen = s->stored - pos;
			woff = pos;
			if (kd_pread(s, woff, w, wlen, "flattened record header", err) < 0)
				goto fail;
		}
		loff = (int64_t)kd_be64(w + (pos - woff));
		size = (int64_t)kd_be64(w + (pos - woff) + 8);
		if (loff == -1 && size == -1) {
			s->flat->complete = 1;
			break;
		}
		if (loff < 0 || size <= 0) {
			kd_fail(err, KD_ERR_CORRUPT, "%s: flattened record header at 0x%" PRIx64 " is corrupt "
				"(offset %" PRId64 ", size %" PRId64 ")", s->name, pos, loff, size);
			goto fail;
		}
		if (*n == cap) {
			struct rec *r = realloc(*out, (cap = cap ? 2 * cap : 256) * sizeof(*r));
			if (!r) {
				kd_fail(err, KD_ERR_NOMEM, "%s: out of memory for flattened records", s->name);
				goto fail;
			}
			*out = r;
		}
		avail = s->stored - data;
		/* a record cut by the end of the file still gives its first bytes */
		(*out)[*n] = (struct rec){(uint64_t)loff,
					  (uint64_t)size < avail ? (uint64_t)size : avail,
					  data, *n};
		if ((*out)[*n].len)
			(*n)++;
		if ((uint64_t)size > avail)
			break;
		pos = data + (uint64_t)size;
		last = (uint64_t)size;
	}
	free(w);
	return 0;
fail:
	free(w);
	return -1;
}

int kd_flat_open(struct kd_src *s, kd_err *err)
{
	unsigned char h[32];
	struct rec *r = NULL;
	size_t n = 0;
	int64_t type;

	if (kd_src_read(s, 0, h, sizeof(h), "flattened header", err) < 0)
		return -1;
	type = (int64_t)kd_be64(h + 16);
	if (type != 1)
		return kd_fail(err, KD_ERR_CORRUPT, "%s: flattened header at 0x10: type %" PRId64 ", expected 1",
			       s->name, type);
	if (kd_src_check(s, 0, FLAT_HEADER, "flattened header", err) < 0)
		return -1;
	s->flat = calloc(1, sizeof(*s->flat));
	if (!s->flat)
		return kd_fail(err, KD_ERR_NOMEM, "%s: out of memory", s->name);
	if (scan(s, &r, &n, err) < 0)
		goto fail;
	if (build_runs(s->flat, r, n) < 0) {
		kd_fail(err, KD_ERR_NOMEM, "%s: out of memory for %zu flattened records", s->name, n);
		goto fail;
	}
	free(r);
	s->size = 0;
	if (s->flat->nrun) {
		const struct run *last = &s->flat->run[s->flat->nrun - 1];
		s->size = last->loff + last->len;
	}
	s->read = flat_read;
	return 0;
fail:
	free(r);
	return -1;
}
