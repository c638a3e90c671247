/* files: a task's root and working directory and its open files, crash's
 * layout: files [PID | TASK]... (default: the panic task). */
#include "base/err.h"
#include "commands/command.h"
#include "kernel/files.h"
#include "kernel/tasks.h"

static int print_file(const struct kd_open_file *f, void *arg)
{
	FILE *out = arg;

	fprintf(out, "%3d %016llx %016llx %016llx %-4s %s\n", f->fd, (unsigned long long)f->file,
		(unsigned long long)f->dentry, (unsigned long long)f->inode, f->type, f->path);
	return 0;
}

static int files_one(struct kd_cmd *c, const struct kd_task *t, int index, kd_err *err)
{
	char root[KD_PATH_MAX], cwd[KD_PATH_MAX];

	if (index > 0)
		fputc('\n', c->out);
	kd_print_task_header(c->out, t, 0);
	if (kd_task_root_cwd(c->k, t, root, cwd, sizeof(root), err) != 0)
		return -1;
	fprintf(c->out, "ROOT: %s    CWD: %s\n", root, cwd);
	fprintf(c->out, " FD       FILE            DENTRY           INODE       TYPE PATH\n");
	return kd_task_files(c->k, t, print_file, c->out, err);
}

static int run_files(struct kd_cmd *c)
{
	return kd_cmd_each_task(c, files_one);
}

const struct kd_command kd_cmd_files = {
	.name = "files",
	.usage = "files [PID | TASK]...",
	.summary = "a task's open files, root and working directory (default: the panic task)",
	.help = "  one line per open fd: FILE, DENTRY and INODE addresses, the inode's\n"
		"  TYPE (REG DIR CHR BLK FIFO SOCK LNK) and the PATH as /proc shows it\n"
		"  (sockets and pipes as socket:[INODE], pipe:[INODE]).\n",
	.run = run_files,
};
