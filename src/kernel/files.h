/* Open files of a task and the paths of dentries, as crash's `files`
 * shows them: the fd table (task->files->fdt), each file's dentry and
 * inode, its type from the inode's mode, and its path through the
 * dentry's parents and the mounts above it. */
#ifndef KD_KERNEL_FILES_H
#define KD_KERNEL_FILES_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/kernel.h"
#include "kernel/tasks.h"

#define KD_PATH_MAX 4096

struct kd_open_file {
	int fd;
	uint64_t file, dentry, inode;
	const char *type;          /* REG DIR CHR BLK FIFO SOCK LNK, "?" */
	char path[KD_PATH_MAX];
};

/* Calls cb for each open fd of t, in fd order; a non-zero return stops
 * and is returned. -1 with err when the table cannot be read. */
typedef int (*kd_file_cb)(const struct kd_open_file *f, void *arg);
int kd_task_files(struct kd_kernel *k, const struct kd_task *t, kd_file_cb cb, void *arg,
		  kd_err *err);

/* The task's root and working directory (task->fs). */
int kd_task_root_cwd(struct kd_kernel *k, const struct kd_task *t, char *root, char *cwd,
		     size_t len, kd_err *err);

/* The path of a struct path {mnt, dentry}: "/dev/console", and for
 * sockets, pipes and anonymous inodes "socket:[INO]" as /proc shows them. */
int kd_kernel_path(struct kd_kernel *k, uint64_t vfsmount, uint64_t dentry, char *buf, size_t len,
		   kd_err *err);

#endif
