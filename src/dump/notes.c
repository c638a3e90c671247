/* ELF notes (PT_NOTE segments, or the copy in a kdump sub-header) and the
 * VMCOREINFO text: CPU registers and kernel layout for the layers above. */
#include "dump/dump_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define NOTES_MAX (64u << 20)     /* per-CPU notes are ~1 KiB; vmcoredd can add MiBs */
#define VMCOREINFO_MAX (1u << 20) /* the kernel's is one page */

static uint64_t align4(uint64_t v)
{
	return (v + 3) & ~(uint64_t)3;
}

/* Indexes the notes in buf[0, len), which came from file offset off.
 * With `out` NULL it only counts them. */
static int parse(const struct kd_dump *d, const unsigned char *buf, uint64_t len,
		 uint64_t off, struct kd_note *out, size_t *n, kd_err *err)
{
	uint64_t p = 0;

	while (len - p >= 12) {
		const unsigned char *h = buf + p;
		uint32_t namesz = kd_le32(h), descsz = kd_le32(h + 4);
		uint64_t desc = p + 12 + align4(namesz);

		if (!namesz && !descsz && !kd_le32(h + 8))
			break; /* zero padding after the last note */
		if (desc > len || descsz > len - desc)
			return kd_fail(err, KD_ERR_CORRUPT, "%s: ELF note at 0x%" PRIx64 " (name 0x%x bytes, "
				       "desc 0x%x bytes) runs past the end of its 0x%" PRIx64
				       "-byte note segment", d->src.name, off + p, namesz,
				       descsz, len);
		if (out) {
			struct kd_note *nt = &out[*n];
			nt->name = (const char *)h + 12;
			nt->namelen = namesz;
			while (nt->namelen && !nt->name[nt->namelen - 1])
				nt->namelen--;
			nt->type = kd_le32(h + 8);
			nt->desc = buf + desc;
			nt->len = descsz;
		}
		(*n)++;
		p = desc + align4(descsz);
		if (p > len)
			break; /* the last note's padding may be cut */
	}
	return 0;
}

int kd_notes_load(struct kd_dump *d, const uint64_t (*range)[2], size_t nrange,
		  kd_err *err)
{
	uint64_t total = 0;
	size_t n = 0;
	unsigned char *p;

	for (size_t i = 0; i < nrange; i++) {
		if (range[i][1] > NOTES_MAX - total)
			return kd_fail(err, KD_ERR_CORRUPT, "%s: ELF notes at 0x%" PRIx64 " are 0x%" PRIx64
				       " bytes: implausible (over 64 MiB in all)",
				       d->src.name, range[i][0], range[i][1]);
		if (kd_src_check(&d->src, range[i][0], range[i][1], "ELF notes", err) < 0)
			return -1;
		total += range[i][1];
	}
	d->notes_buf = malloc(total ? total : 1);
	if (!d->notes_buf)
		return kd_fail(err, KD_ERR_NOMEM, "%s: out of memory for 0x%" PRIx64 " bytes of ELF notes",
			       d->src.name, total);
	p = d->notes_buf;
	for (size_t i = 0; i < nrange; i++) {
		if (kd_src_read(&d->src, range[i][0], p, range[i][1], "ELF notes", err) < 0 ||
		    parse(d, p, range[i][1], range[i][0], NULL, &n, err) < 0)
			return -1;
		p += range[i][1];
	}
	d->notes = calloc(n ? n : 1, sizeof(*d->notes));
	if (!d->notes)
		return kd_fail(err, KD_ERR_NOMEM, "%s: out of memory for %zu ELF notes", d->src.name, n);
	p = d->notes_buf;
	for (size_t i = 0; i < nrange; i++) {
		parse(d, p, range[i][1], range[i][0], d->notes, &d->nnotes, err);
		p += range[i][1];
	}
	return 0;
}

const struct kd_note *kd_notes_find(const struct kd_dump *d, const char *name,
				    uint32_t type, size_t nth)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < d->nnotes; i++) {
		const struct kd_note *n = &d->notes[i];
		if (n->type == type && n->namelen == len && !memcmp(n->name, name, len) &&
		    nth-- == 0)
			return n;
	}
	return NULL;
}

int kd_dump_set_vmcoreinfo(struct kd_dump *d, const void *text, size_t len,
			   kd_err *err)
{
	const char *t = text;

	while (len && !t[len - 1])
		len--;
	free(d->vmcoreinfo);
	d->vmcoreinfo = malloc(len + 1);
	if (!d->vmcoreinfo)
		return kd_fail(err, KD_ERR_NOMEM, "%s: out of memory for VMCOREINFO", d->src.name);
	memcpy(d->vmcoreinfo, t, len);
	d->vmcoreinfo[len] = '\0';
	d->vmcoreinfo_len = len;
	return 0;
}

int kd_dump_load_vmcoreinfo(struct kd_dump *d, uint64_t off, uint64_t len,
			    kd_err *err)
{
	void *buf;
	int rc;

	if (len > VMCOREINFO_MAX)
		return kd_fail(err, KD_ERR_CORRUPT, "%s: VMCOREINFO at 0x%" PRIx64 " is 0x%" PRIx64
			       " bytes: implausible (over 1 MiB)", d->src.name, off, len);
	buf = malloc(len ? len : 1);
	if (!buf)
		return kd_fail(err, KD_ERR_NOMEM, "%s: out of memory for VMCOREINFO", d->src.name);
	rc = kd_src_read(&d->src, off, buf, len, "VMCOREINFO", err);
	if (!rc)
		rc = kd_dump_set_vmcoreinfo(d, buf, len, err);
	free(buf);
	return rc;
}

uint32_t kd_vmcoreinfo_page_size(const struct kd_dump *d)
{
	const char *v = d->vmcoreinfo, *p;
	unsigned long ps;

	if (!v)
		return 4096;
	p = !strncmp(v, "PAGESIZE=", 9) ? v : strstr(v, "\nPAGESIZE=");
	if (!p)
		return 4096;
	ps = strtoul(p + (*p == '\n') + 9, NULL, 10);
	/* page sizes the kernel has: 4 KiB .. 256 KiB */
	if (ps < 4096 || ps > (256u << 10) || (ps & (ps - 1)))
		return 4096;
	return (uint32_t)ps;
}
