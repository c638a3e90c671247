/* files: a task's root and working directory and its open files, crash's
 * layout: files [PID | TASK]... (default: the panic task). */
#include "base/err.h"
#include "base/json.h"
#include "commands/command.h"
#include "kernel/files.h"
#include "kernel/tasks.h"

/* Where each open file goes: a text line, or an object of "files". */
struct sink {
	FILE *out;
	struct kd_json *j;    /* --json */
};

static int one_file(const struct kd_open_file *f, void *arg)
{
	struct sink *s = arg;

	if (!s->j) {
		fprintf(s->out, "%3d %016llx %016llx %016llx %-4s %s\n", f->fd,
			(unsigned long long)f->file, (unsigned long long)f->dentry,
			(unsigned long long)f->inode, f->type, f->path);
		return 0;
	}
	kd_json_object(s->j, NULL);
	kd_json_int(s->j, "fd", f->fd);
	kd_json_addr(s->j, "file", f->file);
	kd_json_addr(s->j, "dentry", f->dentry);
	kd_json_addr(s->j, "inode", f->inode);
	kd_json_str(s->j, "type", f->type);
	kd_json_str(s->j, "path", f->path);
	kd_json_end(s->j, '}');
	return 0;
}

/* --json: the task's element of {"tasks": [...]}; what could not be read
 * is its "error" (null root and cwd, the files read until then). */
static int json_task(struct kd_cmd *c, const struct kd_task *t, kd_err *err)
{
	char root[KD_PATH_MAX], cwd[KD_PATH_MAX];
	struct kd_json j;
	struct sink s = { c->out, &j };
	bool dirs;
	int rc;

	kd_cmd_json_task(c, &j, t);
	dirs = kd_task_root_cwd(c->k, t, root, cwd, sizeof(root), err) == 0;
	kd_json_str(&j, "root", dirs ? root : NULL);
	kd_json_str(&j, "cwd", dirs ? cwd : NULL);
	kd_json_array(&j, "files");
	rc = dirs ? kd_task_files(c->k, t, one_file, &s, err) : -1;
	kd_json_end(&j, ']');
	kd_json_str(&j, "error", rc ? err->msg : NULL);
	kd_json_end(&j, '}');
	return 0; /* said in the task's "error" */
}

static int files_one(struct kd_cmd *c, const struct kd_task *t, int index, kd_err *err)
{
	char root[KD_PATH_MAX], cwd[KD_PATH_MAX];
	struct sink s = { c->out, NULL };

	if (c->json)
		return json_task(c, t, err);
	if (index > 0)
		fputc('\n', c->out);
	kd_print_task_header(c->out, t, 0);
	if (kd_task_root_cwd(c->k, t, root, cwd, sizeof(root), err) != 0)
		return -1;
	fprintf(c->out, "ROOT: %s    CWD: %s\n", root, cwd);
	fprintf(c->out, " FD       FILE            DENTRY           INODE       TYPE PATH\n");
	return kd_task_files(c->k, t, one_file, &s, err);
}

static int run_files(struct kd_cmd *c)
{
	int rc;

	if (c->json)
		fputs("{\"tasks\":[", c->out);
	rc = kd_cmd_each_task(c, files_one);
	if (c->json)
		fputs("]}\n", c->out);
	return rc;
}

const struct kd_command kd_cmd_files = {
	.name = "files",
	.complete = KD_COMPLETE_TASK,
	.flags = KD_CMD_JSON,
	.usage = "files [PID | TASK]...",
	.summary = "a task's open files, root and working directory (default: the panic task)",
	.help = "  one line per open fd: FILE, DENTRY and INODE addresses, the inode's\n"
		"  TYPE (REG DIR CHR BLK FIFO SOCK LNK) and the PATH as /proc shows it\n"
		"  (sockets and pipes as socket:[INODE], pipe:[INODE]).\n",
	.run = run_files,
};
