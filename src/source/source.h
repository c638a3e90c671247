/* Where a kernel's source files are found, for `l` and `dis -s`: the
 * directories the user gave (--source, `set source`), the file itself
 * where DWARF's path exists on this machine, then the distribution's
 * kernel source package (Debian's linux-source-X.Y puts a .tar.xz under
 * /usr/src, read in place: source/tarxz.h). DWARF names files as the
 * build saw them ("debian/build/build_amd64_none_cloud-amd64/kernel/
 * panic.c", "/build/linux-6.1/mm/slub.c"): each place is tried with the
 * path's leading directories taken off one at a time. */
#ifndef KD_SOURCE_SOURCE_H
#define KD_SOURCE_SOURCE_H

#include <stddef.h>
#include <stdio.h>

#include "base/err.h"

struct kd_sources;

/* release ("6.1.0-57-cloud-amd64") names the source package; sysroot
 * ("" or NULL: /) is where /usr/src is; cache_dir keeps tarball indexes;
 * diag hears once when a tarball is being indexed. */
struct kd_sources *kd_sources_new(const char *release, const char *sysroot, const char *cache_dir,
				  FILE *diag, kd_err *err);
void kd_sources_free(struct kd_sources *s);

/* Searched first, in the order added. */
int kd_sources_add_dir(struct kd_sources *s, const char *dir, kd_err *err);

/* Where files are looked for, in order: the directories added (n of
 * them), then the distribution's source package (a path that may not
 * exist). Owned by s. */
const char *const *kd_sources_dirs(const struct kd_sources *s, size_t *n);
const char *kd_sources_package(const struct kd_sources *s);

/* The text of file (NUL-terminated, owned by s and kept for the session)
 * and where it was read from. KD_ERR_LOOKUP with every place tried and the
 * package to install when it is nowhere. */
int kd_sources_read(struct kd_sources *s, const char *file, const char **text, size_t *len,
		    const char **from, kd_err *err);

#endif
