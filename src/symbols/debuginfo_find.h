/* Where distributions put kernel debug info, and how to say what to
 * install when it is not there. */
#ifndef KD_SYMBOLS_DEBUGINFO_FIND_H
#define KD_SYMBOLS_DEBUGINFO_FIND_H

#include <stddef.h>
#include <stdio.h>

#include "kdive/kdive.h"

/* Finds the debug vmlinux of `release` in the standard places below
 * sysroot ("/" or NULL for this system's). On failure err says where it
 * looked and which package provides it. */
int kd_find_vmlinux(const char *release, const char *sysroot, char *path, size_t len, kd_err *err);

/* Fetches the debug file of build_id (hex) from the debuginfod servers
 * in DEBUGINFOD_URLS, into libdebuginfod's cache; with `what` ("vmlinux
 * of 6.1.0-57-cloud-amd64") a line on `progress` says it is looked up
 * (a download can take minutes), and progress on a terminal goes there.
 * The cached file's path in path. -1 with err when no server is
 * configured or none has it (KD_ERR_LOOKUP), or when they cannot be asked
 * (KD_ERR_IO: down, timed out (DEBUGINFOD_TIMEOUT)). */
int kd_debuginfod_find(const char *build_id, const char *what, FILE *progress, char *path, size_t len,
		       kd_err *err);

/* The build-id (hex) of the running kernel (module NULL: from
 * /sys/kernel/notes) or of a loaded module (/sys/module/NAME/notes), ""
 * when it cannot be read. */
void kd_running_build_id(const char *module, char *hex, size_t len);

/* kdive's cache directory ($KDIVE_CACHE, else $XDG_CACHE_HOME/kdive, else
 * ~/.cache/kdive) joined with sub; "" when there is no home to put it in. */
void kd_cache_dir(char *buf, size_t len, const char *sub);

/* Package hint for the debug info of `release`, for messages. */
void kd_debug_package_hint(const char *release, char *buf, size_t len);

/* Finds NAME.ko / .ko.xz / .ko.zst / .ko.gz / .ko.debug ('-' and '_'
 * alike) below a list of directories, first directory first. Each
 * directory is walked once, on the first look-up. */
struct kd_module_finder;

struct kd_module_finder *kd_module_finder_new(void);
void kd_module_finder_free(struct kd_module_finder *mf);
/* Adds a directory to search (copied), after those added before and
 * ahead of the standard ones; missing directories are ignored. -1 on out
 * of memory. */
int kd_module_finder_add_dir(struct kd_module_finder *mf, const char *dir);
/* The standard module directories for `release` below sysroot ("/" or
 * NULL for this system's), searched last. */
void kd_module_finder_add_release(struct kd_module_finder *mf, const char *release,
				  const char *sysroot);
/* Path of module `name`, or NULL. */
const char *kd_module_finder_find(struct kd_module_finder *mf, const char *name);
/* The same, below one directory of the finder's only (NULL if it has no
 * such directory or the module is not there). */
const char *kd_module_finder_find_in(struct kd_module_finder *mf, const char *dir,
				     const char *name);
/* "dir1, dir2, ..." for messages. */
void kd_module_finder_describe(const struct kd_module_finder *mf, char *buf, size_t len);

#endif
