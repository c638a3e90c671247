/* Small file-system helpers shared by the caches (DWARF name indexes,
 * source tarball indexes). */
#ifndef KD_BASE_FS_H
#define KD_BASE_FS_H

/* mkdir -p: each missing directory of dir; failures are left to the
 * caller's next open, which names the path. */
void kd_mkdirs(const char *dir);

#endif
