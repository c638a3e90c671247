#include "source/tarxz.h"

#include <inttypes.h>
#include <lzma.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"

#define INDEX_MAGIC "kdive-tarxz-index 1"
#define CHUNK (1 << 16)
#define MAX_MEMBER (64u << 20)   /* a source file larger than this is not one */

struct member {
	char *name;         /* without the top directory */
	uint64_t offset;    /* of its data in the uncompressed tar */
	uint64_t size;
};

struct kd_tarxz {
	FILE *f;
	char *path;
	struct member *m;
	size_t n, cap;
	lzma_index *xz_index;   /* the blocks, read on first use */
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct member *)a)->name, ((const struct member *)b)->name);
}

static int add(struct kd_tarxz *t, const char *name, uint64_t offset, uint64_t size, kd_err *err)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 4096;
		struct member *m = realloc(t->m, cap * sizeof(*m));
		if (!m)
			return kd_oom(err);
		t->m = m;
		t->cap = cap;
	}
	if (!(t->m[t->n].name = strdup(name)))
		return kd_oom(err);
	t->m[t->n].offset = offset;
	t->m[t->n++].size = size;
	return 0;
}

/* A member as the archive names it: without its top directory. */
static int add_archived(struct kd_tarxz *t, const char *name, uint64_t offset, uint64_t size,
			kd_err *err)
{
	const char *slash = strchr(name, '/');

	if (!slash || !slash[1])
		return 0; /* the top directory itself, or a file beside it */
	return add(t, slash + 1, offset, size, err);
}

/* --- building the index: one pass over the tar stream ------------------ */

static uint64_t octal(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n && p[i] >= '0' && p[i] <= '7'; i++)
		v = v * 8 + (uint64_t)(p[i] - '0');
	return v;
}

/* The tar headers as the xz stream is decoded: ustar name and prefix, GNU
 * long names ('L'), pax path records ('x'). */
struct scan {
	struct kd_tarxz *t;
	uint64_t pos;            /* uncompressed offset of the next header */
	unsigned char hdr[512];
	size_t have;             /* bytes of hdr filled */
	uint64_t skip;           /* data bytes still to pass */
	char *longname;          /* from an 'L' or 'x' member, for the next file */
	char *meta;              /* an 'L'/'x' member's data being gathered */
	size_t meta_len, meta_want;
	int meta_type;
	bool done;
};

static void pax_path(struct scan *s)
{
	/* records "LEN key=value\n" */
	for (size_t i = 0; i < s->meta_len;) {
		char *end;
		unsigned long len = strtoul(s->meta + i, &end, 10);
		if (len == 0 || i + len > s->meta_len)
			return;
		if (strncmp(end, " path=", 6) == 0) {
			free(s->longname);
			s->longname = strndup(end + 6, (size_t)(s->meta + i + len - 1 - (end + 6)));
		}
		i += len;
	}
}

static int header(struct scan *s, kd_err *err)
{
	const unsigned char *h = s->hdr;
	uint64_t size = octal(h + 124, 12), data = s->pos + 512;
	char name[256 + 2];
	int type = h[156];

	if (h[0] == 0) {
		s->done = true; /* the end-of-archive blocks */
		return 0;
	}
	s->pos = data + (size + 511) / 512 * 512;
	s->skip = (size + 511) / 512 * 512;
	if (type == 'L' || type == 'x') {
		if (size > 1 << 20)
			return kd_fail(err, KD_ERR_CORRUPT, "%s: a tar header of %" PRIu64 " bytes at 0x%" PRIx64,
				       s->t->path, size, data - 512);
		free(s->meta);
		if (!(s->meta = malloc(size + 1)))
			return kd_oom(err);
		s->meta_len = 0;
		s->meta_want = size;
		s->meta_type = type;
		return 0;
	}
	if (type != '0' && type != '\0') {
		free(s->longname);
		s->longname = NULL;
		return 0;
	}
	if (s->longname) {
		int rc = add_archived(s->t, s->longname, data, size, err);
		free(s->longname);
		s->longname = NULL;
		return rc;
	}
	if (memcmp(h + 257, "ustar", 5) == 0 && h[345])
		snprintf(name, sizeof(name), "%.155s/%.100s", (const char *)h + 345, (const char *)h);
	else
		snprintf(name, sizeof(name), "%.100s", (const char *)h);
	return add_archived(s->t, name, data, size, err);
}

static int scan_bytes(struct scan *s, const unsigned char *p, size_t n, kd_err *err)
{
	while (n && !s->done) {
		if (s->skip) {
			size_t k = s->skip < n ? (size_t)s->skip : n;
			if (s->meta && s->meta_len < s->meta_want) {
				size_t m = s->meta_want - s->meta_len < k ? s->meta_want - s->meta_len : k;
				memcpy(s->meta + s->meta_len, p, m);
				s->meta_len += m;
				if (s->meta_len == s->meta_want) {
					s->meta[s->meta_len] = '\0';
					if (s->meta_type == 'x') {
						pax_path(s);
					} else {
						free(s->longname);
						s->longname = strdup(s->meta);
					}
					free(s->meta);
					s->meta = NULL;
				}
			}
			s->skip -= k;
			p += k;
			n -= k;
			continue;
		}
		size_t k = 512 - s->have < n ? 512 - s->have : n;
		memcpy(s->hdr + s->have, p, k);
		s->have += k;
		p += k;
		n -= k;
		if (s->have == 512) {
			s->have = 0;
			if (header(s, err) != 0)
				return -1;
		}
	}
	return 0;
}

static int build_index(struct kd_tarxz *t, kd_err *err)
{
	lzma_stream z = LZMA_STREAM_INIT;
	unsigned char *in = malloc(CHUNK), *out = malloc(CHUNK * 4);
	struct scan s = { .t = t };
	lzma_ret r = LZMA_OK;
	int rc = -1;

	if (!in || !out) {
		kd_oom(err);
		goto done;
	}
	if (lzma_stream_decoder(&z, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK) {
		kd_fail(err, KD_ERR_NOMEM, "%s: cannot start the xz decoder", t->path);
		goto done;
	}
	rewind(t->f);
	while (r == LZMA_OK && !s.done) {
		lzma_action act = LZMA_RUN;
		if (z.avail_in == 0) {
			z.next_in = in;
			z.avail_in = fread(in, 1, CHUNK, t->f);
			if (z.avail_in == 0)
				act = LZMA_FINISH;
		}
		z.next_out = out;
		z.avail_out = CHUNK * 4;
		r = lzma_code(&z, act);
		if (scan_bytes(&s, out, CHUNK * 4 - z.avail_out, err) != 0)
			goto done;
	}
	if (r != LZMA_OK && r != LZMA_STREAM_END) {
		kd_fail(err, KD_ERR_CORRUPT, "%s: xz data is corrupt or cut short (liblzma error %d)",
			t->path, (int)r);
		goto done;
	}
	rc = 0;
done:
	lzma_end(&z);
	free(s.longname);
	free(s.meta);
	free(in);
	free(out);
	return rc;
}

/* --- the index file ------------------------------------------------------ */

static int load_index(struct kd_tarxz *t, const char *path, const struct stat *st)
{
	FILE *f = fopen(path, "r");
	char line[4096 + 64];
	unsigned long long size = 0, mtime = 0, off, len;
	int ok;

	if (!f)
		return -1;
	ok = fgets(line, sizeof(line), f) && strncmp(line, INDEX_MAGIC, strlen(INDEX_MAGIC)) == 0 &&
	     sscanf(line + strlen(INDEX_MAGIC), " %llu %llu", &size, &mtime) == 2 &&
	     size == (unsigned long long)st->st_size && mtime == (unsigned long long)st->st_mtime;
	while (ok && fgets(line, sizeof(line), f)) {
		int n = 0;
		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "%llu %llu %n", &off, &len, &n) != 2 || !n ||
		    add(t, line + n, off, len, NULL) != 0)
			ok = 0;
	}
	fclose(f);
	return ok ? 0 : -1;
}

static void save_index(const struct kd_tarxz *t, const char *path, const struct stat *st)
{
	char tmp[4096 + 16];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s", path);
	if (strrchr(tmp, '/')) {
		*strrchr(tmp, '/') = '\0';
		kd_mkdirs(tmp);
	}
	snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid());
	if (!(f = fopen(tmp, "w")))
		return; /* no cache: the next run indexes again */
	fprintf(f, "%s %llu %llu\n", INDEX_MAGIC, (unsigned long long)st->st_size,
		(unsigned long long)st->st_mtime);
	for (size_t i = 0; i < t->n; i++)
		fprintf(f, "%" PRIu64 " %" PRIu64 " %s\n", t->m[i].offset, t->m[i].size, t->m[i].name);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		remove(tmp);
}

void kd_tarxz_close(struct kd_tarxz *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->m[i].name);
	free(t->m);
	if (t->f)
		fclose(t->f);
	lzma_index_end(t->xz_index, NULL);
	free(t->path);
	free(t);
}

struct kd_tarxz *kd_tarxz_open(const char *path, const char *index_path, FILE *diag, kd_err *err)
{
	struct kd_tarxz *t = calloc(1, sizeof(*t));
	struct stat st;

	if (!t) {
		kd_oom(err);
		return NULL;
	}
	if (!(t->path = strdup(path)) || !(t->f = fopen(path, "rb")) || fstat(fileno(t->f), &st) != 0) {
		if (t->path)
			kd_fail_errno(err, "%s", path);
		else
			kd_oom(err);
		kd_tarxz_close(t);
		return NULL;
	}
	if (load_index(t, index_path, &st) != 0) {
		for (size_t i = 0; i < t->n; i++)
			free(t->m[i].name);
		t->n = 0;
		if (diag)
			fprintf(diag, "kdive: listing %s's files for source lines (once; the list is kept in "
				"%s)\n", path, index_path);
		if (build_index(t, err) != 0) {
			kd_tarxz_close(t);
			return NULL;
		}
		save_index(t, index_path, &st);
	}
	qsort(t->m, t->n, sizeof(*t->m), by_name);
	return t;
}

/* --- reading a member: decode only its blocks ------------------------------ */

/* The xz index (where each block starts, compressed and not), from the
 * end of the file. */
static int xz_index(struct kd_tarxz *t, kd_err *err)
{
	lzma_stream z = LZMA_STREAM_INIT;
	unsigned char in[CHUNK];
	lzma_ret r;
	long size;

	if (t->xz_index)
		return 0;
	if (fseek(t->f, 0, SEEK_END) != 0 || (size = ftell(t->f)) < 0 ||
	    lzma_file_info_decoder(&z, &t->xz_index, UINT64_MAX, (uint64_t)size) != LZMA_OK)
		return kd_fail(err, KD_ERR_IO, "%s: cannot read its xz index", t->path);
	rewind(t->f);
	do {
		if (z.avail_in == 0) {
			z.next_in = in;
			z.avail_in = fread(in, 1, sizeof(in), t->f);
		}
		r = lzma_code(&z, LZMA_RUN);
		if (r == LZMA_SEEK_NEEDED) {
			z.avail_in = 0;
			if (fseeko(t->f, (off_t)z.seek_pos, SEEK_SET) != 0)
				break;
			r = LZMA_OK;
		}
	} while (r == LZMA_OK);
	lzma_end(&z);
	if (r != LZMA_STREAM_END)
		return kd_fail(err, KD_ERR_CORRUPT, "%s: its xz index is corrupt (liblzma error %d)", t->path,
			       (int)r);
	return 0;
}

/* Decodes the block holding uncompressed offset pos, streaming (a
 * single-threaded xz is one block of the whole archive), into out[want]
 * from pos; returns how many bytes it gave, or -1. */
static long decode_block(struct kd_tarxz *t, uint64_t pos, unsigned char *out, size_t want,
			 kd_err *err)
{
	lzma_filter filters[LZMA_FILTERS_MAX + 1];
	lzma_block block = { 0 };
	lzma_stream z = LZMA_STREAM_INIT;
	lzma_index_iter it;
	unsigned char hdr[LZMA_BLOCK_HEADER_SIZE_MAX], *in = NULL, *buf = NULL;
	uint64_t at, left;      /* uncompressed offset of buf; compressed bytes left */
	size_t got = 0;
	lzma_ret r = LZMA_OK;
	bool failed = true;

	filters[0].id = LZMA_VLI_UNKNOWN;
	lzma_index_iter_init(&it, t->xz_index);
	if (lzma_index_iter_locate(&it, pos))
		return kd_fail(err, KD_ERR_CORRUPT, "%s: offset %" PRIu64 " is past its end", t->path, pos);
	if (fseeko(t->f, (off_t)it.block.compressed_file_offset, SEEK_SET) != 0 ||
	    fread(hdr, 1, 1, t->f) != 1)
		return kd_fail(err, KD_ERR_IO, "%s: cannot read a block header", t->path);
	block.version = 1;
	block.check = it.stream.flags->check;
	block.filters = filters;
	block.header_size = lzma_block_header_size_decode(hdr[0]);
	if (fread(hdr + 1, 1, block.header_size - 1, t->f) != block.header_size - 1 ||
	    lzma_block_header_decode(&block, NULL, hdr) != LZMA_OK)
		return kd_fail(err, KD_ERR_CORRUPT, "%s: bad block header at %" PRIu64, t->path,
			       it.block.compressed_file_offset);
	if (!(in = malloc(CHUNK)) || !(buf = malloc(CHUNK * 4))) {
		kd_oom(err);
		goto done;
	}
	if (lzma_block_decoder(&z, &block) != LZMA_OK) {
		kd_oom(err);
		goto done;
	}
	at = it.block.uncompressed_file_offset;
	left = it.block.total_size - block.header_size;
	while (got < want && r == LZMA_OK) {
		if (z.avail_in == 0 && left) {
			z.next_in = in;
			z.avail_in = fread(in, 1, left < CHUNK ? (size_t)left : CHUNK, t->f);
			left -= z.avail_in;
			if (z.avail_in == 0)
				break;
		}
		z.next_out = buf;
		z.avail_out = CHUNK * 4;
		r = lzma_code(&z, left || z.avail_in ? LZMA_RUN : LZMA_FINISH);
		size_t n = CHUNK * 4 - z.avail_out;
		/* the part of [at, at + n) at or after pos + got */
		if (at + n > pos + got) {
			size_t from = (size_t)(pos + got - at), k = n - from;
			if (k > want - got)
				k = want - got;
			memcpy(out + got, buf + from, k);
			got += k;
		}
		at += n;
	}
	failed = got == 0 && r != LZMA_OK && r != LZMA_STREAM_END;
	if (failed)
		kd_fail(err, KD_ERR_CORRUPT, "%s: the block at %" PRIu64 " is corrupt (liblzma error %d)",
			t->path, it.block.compressed_file_offset, (int)r);
done:
	for (size_t i = 0; i < LZMA_FILTERS_MAX && filters[i].id != LZMA_VLI_UNKNOWN; i++)
		free(filters[i].options);
	lzma_end(&z);
	free(in);
	free(buf);
	return failed ? -1 : (long)got;
}

int kd_tarxz_read(struct kd_tarxz *t, const char *name, char **data, size_t *len, kd_err *err)
{
	struct member key = { .name = (char *)name }, *m;
	char *buf;

	m = bsearch(&key, t->m, t->n, sizeof(*t->m), by_name);
	if (!m)
		return kd_fail(err, KD_ERR_LOOKUP, "%s has no %s", t->path, name);
	if (m->size > MAX_MEMBER)
		return kd_fail(err, KD_ERR_UNSUPPORTED, "%s: %s is %" PRIu64 " bytes: not a source file",
			       t->path, name, m->size);
	if (xz_index(t, err) != 0)
		return -1;
	if (!(buf = malloc(m->size + 1)))
		return kd_oom(err);
	for (uint64_t done = 0; done < m->size;) {
		long got = decode_block(t, m->offset + done, (unsigned char *)buf + done,
					(size_t)(m->size - done), err);
		if (got <= 0) {
			free(buf);
			return got == 0 ? kd_fail(err, KD_ERR_CORRUPT, "%s: %s is cut short", t->path, name) : -1;
		}
		done += (uint64_t)got;
	}
	buf[m->size] = '\0';
	*data = buf;
	*len = (size_t)m->size;
	return 0;
}
