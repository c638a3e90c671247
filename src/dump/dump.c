/* Opening a dump: format detection by content, the plain-file byte
 * source, and the public accessors. */
#include "dump/dump_int.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

int kd_pread(struct kd_src *s, uint64_t off, void *buf, size_t len,
	     const char *what, kd_err *err)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(s->fd, (char *)buf + done, len - done,
				  (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return kd_fail_errno(err, "%s: reading %s at 0x%" PRIx64,
					     s->name, what, off + done);
		if (n == 0)
			return kd_fail(err, KD_ERR_IO, "%s: file ends at 0x%" PRIx64 " while reading %s "
				       "(did it shrink while open?)", s->name, off + done, what);
		done += (size_t)n;
	}
	return 0;
}

int kd_src_check(const struct kd_src *s, uint64_t off, uint64_t len,
		 const char *what, kd_err *err)
{
	uint64_t end = off + len;

	if (end < off)
		end = UINT64_MAX;
	/* a flattened file holds at most its own size: callers allocate what
	 * they check, so that caps them too */
	if (s->flat && (len > s->stored || end > s->size))
		return kd_flat_missing(s, off, end, what, err);
	if (end <= s->size)
		return 0;
	return kd_fault(err, KD_FAULT_TRUNCATED, 0, "%s: truncated at 0x%" PRIx64 ": %s needs 0x%" PRIx64
		       " more bytes (file cut short? copy it again)",
		       s->name, s->size, what, end - s->size);
}

int kd_src_read(struct kd_src *s, uint64_t off, void *buf, size_t len,
		const char *what, kd_err *err)
{
	if (kd_src_check(s, off, len, what, err) < 0)
		return -1;
	return s->read(s, off, buf, len, what, err);
}

static int detect(struct kd_dump *d, kd_err *err)
{
	struct kd_src *s = &d->src;
	unsigned char m[16] = {0};
	size_t n = s->size < sizeof(m) ? (size_t)s->size : sizeof(m), h = 0;
	char hex[3 * 8] = "";

	if (kd_src_read(s, 0, m, n, "signature", err) < 0)
		return -1;
	if (n == sizeof(m) && !memcmp(m, "makedumpfile\0\0\0\0", 16)) {
		if (kd_flat_open(s, err) < 0)
			return -1;
		memset(m, 0, sizeof(m));
		n = s->size < sizeof(m) ? (size_t)s->size : sizeof(m);
		if (!n)
			return kd_fail(err, KD_ERR_CORRUPT, "%s: the flattened file holds no data records", s->name);
		if (kd_src_read(s, 0, m, n, "signature of the flattened content", err) < 0)
			return -1;
	}
	if (n >= SELFMAG && !memcmp(m, ELFMAG, SELFMAG))
		return kd_elf_open(d, err);
	if (n >= 8 && !memcmp(m, "KDUMP   ", 8))
		return kd_diskdump_open(d, err);
	if (n >= 8 && !memcmp(m, "DISKDUMP", 8))
		return kd_fail(err, KD_ERR_UNSUPPORTED, "%s: an old diskdump (DISKDUMP signature): not supported",
			       s->name);
	for (size_t i = 0; i < n && i < 8; i++)
		h += (size_t)snprintf(hex + h, sizeof(hex) - h, "%s%02x", i ? " " : "", m[i]);
	return kd_fail(err, KD_ERR_CORRUPT, "%s: not a crash dump: it starts with %s, not an ELF core, "
		       "\"KDUMP   \" or \"makedumpfile\" signature%s", s->name, hex,
		       s->flat ? " (inside the flattened file)" : "");
}

struct kd_dump *kd_dump_open(const char *path, kd_err *err)
{
	struct kd_dump *d = calloc(1, sizeof(*d));
	struct statfs fs;
	struct stat st;

	if (!d) {
		kd_fail(err, KD_ERR_NOMEM, "%s: out of memory", path);
		return NULL;
	}
	d->src.fd = -1;
	d->src.name = strdup(path);
	if (!d->src.name) {
		kd_fail(err, KD_ERR_NOMEM, "%s: out of memory", path);
		goto fail;
	}
	d->src.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (d->src.fd < 0) {
		kd_fail_errno(err, "%s: cannot open", path);
		goto fail;
	}
	if (fstat(d->src.fd, &st) < 0) {
		kd_fail_errno(err, "%s: cannot stat", path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		kd_fail(err, KD_ERR_INVALID, "%s: not a regular file", path);
		goto fail;
	}
	if (st.st_size == 0) {
		kd_fail(err, KD_ERR_CORRUPT, "%s: empty file (0 bytes): not a crash dump", path);
		goto fail;
	}
	/* /proc/kcore: its size is the kernel's address space, not data */
	if (fstatfs(d->src.fd, &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC)
		d->info.live = 1;
	d->src.size = d->src.stored = (uint64_t)st.st_size;
	d->src.read = kd_pread;
	d->info.release = d->uts[0];
	d->info.version = d->uts[1];
	d->info.nodename = d->uts[2];
	d->info.machine = d->uts[3];
	if (detect(d, err) < 0)
		goto fail;
	return d;
fail:
	kd_dump_close(d);
	return NULL;
}

void kd_dump_close(struct kd_dump *d)
{
	if (!d)
		return;
	if (d->ops)
		d->ops->free(d->impl);
	kd_flat_free(d->src.flat);
	if (d->src.fd >= 0)
		close(d->src.fd);
	free((char *)d->src.name);
	free(d->notes_buf);
	free(d->notes);
	free(d->vmcoreinfo);
	free(d);
}

const char *kd_dump_format(const struct kd_dump *d)
{
	return d->format;
}

int kd_dump_read_phys(struct kd_dump *d, uint64_t paddr, void *buf, size_t len,
		      kd_err *err)
{
	if (len && paddr + (len - 1) < paddr)
		return kd_fail(err, KD_ERR_CORRUPT, "%s: physical range 0x%" PRIx64 "+0x%zx wraps around",
			       d->src.name, paddr, len);
	while (len) {
		ssize_t n = d->ops->read(d, paddr, buf, len, err);
		if (n < 0) {
			/* The file-level check does not know the physical page. */
			if (kd_err_is_fault(err) && !err->fault.phys)
				err->fault.phys = paddr;
			return -1;
		}
		paddr += (uint64_t)n;
		buf = (char *)buf + n;
		len -= (size_t)n;
	}
	return 0;
}

enum kd_page_state kd_dump_page_state(struct kd_dump *d, uint64_t pfn)
{
	if (pfn >= d->info.max_pfn)
		return KD_PAGE_BEYOND;
	return d->ops->page_state(d, pfn);
}

const char *kd_dump_vmcoreinfo(const struct kd_dump *d, size_t *len)
{
	if (len)
		*len = d->vmcoreinfo ? d->vmcoreinfo_len : 0;
	return d->vmcoreinfo;
}

static int note_out(const struct kd_note *n, const void **desc, size_t *len)
{
	if (!n)
		return -1;
	*desc = n->desc;
	*len = n->len;
	return 0;
}

size_t kd_dump_ncpu_notes(const struct kd_dump *d)
{
	size_t n = 0;

	while (kd_notes_find(d, "CORE", NT_PRSTATUS, n))
		n++;
	return n;
}

int kd_dump_prstatus(const struct kd_dump *d, size_t cpu, const void **desc,
		     size_t *len)
{
	return note_out(kd_notes_find(d, "CORE", NT_PRSTATUS, cpu), desc, len);
}

int kd_dump_note(const struct kd_dump *d, const char *name, uint32_t type,
		 size_t nth, const void **desc, size_t *len)
{
	return note_out(kd_notes_find(d, name, type, nth), desc, len);
}

int kd_dump_is_filtered(const struct kd_dump *d)
{
	return d->filtered;
}

const struct kd_dump_info *kd_dump_info(const struct kd_dump *d)
{
	return &d->info;
}

int kd_is_dump_file(const char *path)
{
	unsigned char h[18] = { 0 };
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(h, 1, sizeof(h), f) : 0;

	if (f)
		fclose(f);
	return (n >= 18 && memcmp(h, "\177ELF", 4) == 0 && h[16] == 4 /* ET_CORE */) ||
	       (n >= 8 && memcmp(h, "KDUMP   ", 8) == 0) || (n >= 13 && memcmp(h, "makedumpfile", 13) == 0);
}
