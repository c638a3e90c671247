/* Debian 12's libdw opens .ko.xz and .ko.gz itself but not .ko.zst (its
 * elfutils is built without zstd), so kdive decompresses those. */
#ifndef KD_SYMBOLS_ZSTD_FILE_H
#define KD_SYMBOLS_ZSTD_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "kdive/kdive.h"

/* True when the file starts with a zstd frame. */
bool kd_is_zstd_file(const char *path);

/* The whole decompressed content in *data (malloc'd), at most max bytes.
 * Returns 0, or -1 with err. */
int kd_zstd_file_read(const char *path, size_t max, char **data, size_t *len, kd_err *err);

#endif
