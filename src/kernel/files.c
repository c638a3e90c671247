#include "kernel/files.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"

#define MAX_FDS (1 << 20)     /* a larger table is a corrupt one */
#define MAX_DEPTH 256         /* dentries and mounts walked up for one path */

static int dentry_name(struct kd_kernel *k, uint64_t dentry, char *buf, size_t len, kd_err *err)
{
	uint64_t name;

	if (kd_kernel_member(k, dentry, "dentry", "d_name.name", &name, err) != 0 ||
	    kd_kernel_read_string(k, name, buf, len, err) != 0)
		return kd_wrap(err, "dentry at 0x%llx", (unsigned long long)dentry);
	return 0;
}

/* "sockfs", "pipefs", "anon_inodefs": where /proc names files by inode. */
static int fs_name(struct kd_kernel *k, uint64_t dentry, char *buf, size_t len)
{
	uint64_t sb, type, name;

	buf[0] = '\0';
	if (kd_kernel_member(k, dentry, "dentry", "d_sb", &sb, NULL) != 0 || !sb ||
	    kd_kernel_member(k, sb, "super_block", "s_type", &type, NULL) != 0 || !type ||
	    kd_kernel_member(k, type, "file_system_type", "name", &name, NULL) != 0 ||
	    kd_kernel_read_string(k, name, buf, len, NULL) != 0)
		return -1;
	return 0;
}

/* Prepends "/name" to the path being built right to left in buf. */
static int prepend(char *buf, size_t *pos, const char *name)
{
	size_t n = strlen(name);

	if (n + 1 > *pos)
		return -1;
	*pos -= n;
	memcpy(buf + *pos, name, n);
	buf[--*pos] = '/';
	return 0;
}

int kd_kernel_path(struct kd_kernel *k, uint64_t vfsmount, uint64_t dentry, char *buf, size_t len,
		   kd_err *err)
{
	char fs[32], name[256], tmp[KD_PATH_MAX];
	int64_t mnt_off = kd_kernel_offsetof(k, "mount", "mnt", err);
	uint64_t mnt, root, parent, inode, ino;
	size_t pos = sizeof(tmp) - 1;

	if (mnt_off < 0)
		return -1;
	tmp[pos] = '\0';
	/* pseudo filesystems: /proc's "socket:[ino]" */
	if (fs_name(k, dentry, fs, sizeof(fs)) == 0 &&
	    (strcmp(fs, "sockfs") == 0 || strcmp(fs, "pipefs") == 0)) {
		if (kd_kernel_member(k, dentry, "dentry", "d_inode", &inode, err) != 0 ||
		    kd_kernel_member(k, inode, "inode", "i_ino", &ino, err) != 0)
			return -1;
		snprintf(buf, len, "%s:[%llu]", strcmp(fs, "sockfs") == 0 ? "socket" : "pipe",
			 (unsigned long long)ino);
		return 0;
	}
	if (strcmp(fs, "anon_inodefs") == 0) {
		if (dentry_name(k, dentry, name, sizeof(name), err) != 0)
			return -1;
		snprintf(buf, len, "anon_inode:%s", name);
		return 0;
	}
	mnt = vfsmount - (uint64_t)mnt_off;
	for (int depth = 0; depth < MAX_DEPTH; depth++) {
		if (kd_kernel_member(k, vfsmount, "vfsmount", "mnt_root", &root, err) != 0)
			return kd_wrap(err, "mount at 0x%llx", (unsigned long long)mnt);
		/* up to this mount's root */
		while (dentry != root && depth++ < MAX_DEPTH) {
			if (kd_kernel_member(k, dentry, "dentry", "d_parent", &parent, err) != 0 ||
			    dentry_name(k, dentry, name, sizeof(name), err) != 0)
				return -1;
			if (prepend(tmp, &pos, name) != 0)
				return kd_fail(err, KD_ERR_CORRUPT, "a path longer than %d bytes", KD_PATH_MAX);
			if (parent == dentry)
				break; /* a disconnected root */
			dentry = parent;
		}
		/* then across the mount to where it is mounted */
		if (kd_kernel_member(k, mnt, "mount", "mnt_parent", &parent, err) != 0)
			return kd_wrap(err, "mount at 0x%llx", (unsigned long long)mnt);
		if (parent == mnt)
			break;
		if (kd_kernel_member(k, mnt, "mount", "mnt_mountpoint", &dentry, err) != 0)
			return kd_wrap(err, "mount at 0x%llx", (unsigned long long)mnt);
		mnt = parent;
		vfsmount = mnt + (uint64_t)mnt_off;
	}
	snprintf(buf, len, "%s", tmp[pos] ? tmp + pos : "/");
	return 0;
}

static const char *file_type(uint64_t mode)
{
	switch (mode & 0170000) {
	case 0140000: return "SOCK";
	case 0120000: return "LNK";
	case 0100000: return "REG";
	case 0060000: return "BLK";
	case 0040000: return "DIR";
	case 0020000: return "CHR";
	case 0010000: return "FIFO";
	default: return "?";
	}
}

int kd_task_files(struct kd_kernel *k, const struct kd_task *t, kd_file_cb cb, void *arg,
		  kd_err *err)
{
	uint64_t files, fdt, max, fds, *table;
	int rc = 0;

	if (kd_kernel_member(k, t->addr, "task_struct", "files", &files, err) != 0)
		return -1;
	if (!files)
		return 0; /* exited, or a kernel thread without files */
	if (kd_kernel_member(k, files, "files_struct", "fdt", &fdt, err) != 0 ||
	    kd_kernel_member(k, fdt, "fdtable", "max_fds", &max, err) != 0 ||
	    kd_kernel_member(k, fdt, "fdtable", "fd", &fds, err) != 0)
		return kd_wrap(err, "pid %d's files", t->pid);
	max &= 0xffffffff;
	if (max > MAX_FDS)
		return kd_fail(err, KD_ERR_CORRUPT, "pid %d's fd table claims %llu fds", t->pid,
			       (unsigned long long)max);
	if (!(table = malloc(max * sizeof(*table) + 1)))
		return kd_oom(err);
	if (kd_kernel_read(k, fds, table, max * sizeof(*table), err) != 0) {
		free(table);
		return kd_wrap(err, "pid %d's fd table", t->pid);
	}
	for (uint64_t fd = 0; fd < max && rc == 0; fd++) {
		struct kd_open_file f = { .fd = (int)fd, .file = table[fd] };
		uint64_t mnt, mode;

		if (!f.file)
			continue;
		if (kd_kernel_member(k, f.file, "file", "f_path.dentry", &f.dentry, err) != 0 ||
		    kd_kernel_member(k, f.file, "file", "f_path.mnt", &mnt, err) != 0 ||
		    kd_kernel_member(k, f.dentry, "dentry", "d_inode", &f.inode, err) != 0 ||
		    kd_kernel_member(k, f.inode, "inode", "i_mode", &mode, err) != 0 ||
		    kd_kernel_path(k, mnt, f.dentry, f.path, sizeof(f.path), err) != 0) {
			rc = kd_wrap(err, "pid %d fd %llu", t->pid, (unsigned long long)fd);
			break;
		}
		f.type = file_type(mode);
		rc = cb(&f, arg);
	}
	free(table);
	return rc;
}

int kd_task_root_cwd(struct kd_kernel *k, const struct kd_task *t, char *root, char *cwd,
		     size_t len, kd_err *err)
{
	uint64_t fs, mnt, dentry;

	if (kd_kernel_member(k, t->addr, "task_struct", "fs", &fs, err) != 0)
		return -1;
	if (!fs) {
		snprintf(root, len, "(none)");
		snprintf(cwd, len, "(none)");
		return 0;
	}
	if (kd_kernel_member(k, fs, "fs_struct", "root.mnt", &mnt, err) != 0 ||
	    kd_kernel_member(k, fs, "fs_struct", "root.dentry", &dentry, err) != 0 ||
	    kd_kernel_path(k, mnt, dentry, root, len, err) != 0 ||
	    kd_kernel_member(k, fs, "fs_struct", "pwd.mnt", &mnt, err) != 0 ||
	    kd_kernel_member(k, fs, "fs_struct", "pwd.dentry", &dentry, err) != 0 ||
	    kd_kernel_path(k, mnt, dentry, cwd, len, err) != 0)
		return kd_wrap(err, "pid %d's fs", t->pid);
	return 0;
}
