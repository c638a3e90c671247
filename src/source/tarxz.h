/* Files inside a .tar.xz without unpacking it: Debian's linux-source-X.Y
 * tarball (1.3 GB of text in 130 MB). One pass over the archive lists
 * its regular files with their offsets (the index, kept in a cache file);
 * afterwards a file is read by decoding only the xz blocks that hold it,
 * which multi-threaded xz writes every few MB. */
#ifndef KD_SOURCE_TARXZ_H
#define KD_SOURCE_TARXZ_H

#include <stddef.h>
#include <stdio.h>

#include "base/err.h"

struct kd_tarxz;

/* Opens path, with its index from index_path (built and written there
 * when missing or stale; diag, if not NULL, hears once that it is being
 * built). */
struct kd_tarxz *kd_tarxz_open(const char *path, const char *index_path, FILE *diag, kd_err *err);
void kd_tarxz_close(struct kd_tarxz *t);

/* The member whose path, with the archive's top directory taken off, is
 * name ("kernel/panic.c"): its bytes in *data (malloc'd, NUL-added).
 * KD_ERR_LOOKUP when there is no such file. */
int kd_tarxz_read(struct kd_tarxz *t, const char *name, char **data, size_t *len, kd_err *err);

#endif
