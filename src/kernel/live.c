#include "kernel/live.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"

/* "[none] integrity confidentiality" -> the bracketed mode, or "". */
static void lockdown_mode(char *mode, size_t len)
{
	char buf[128] = "";
	FILE *f = fopen("/sys/kernel/security/lockdown", "r");
	const char *a, *b;

	mode[0] = '\0';
	if (!f)
		return;
	if (fgets(buf, sizeof(buf), f) && (a = strchr(buf, '[')) && (b = strchr(a, ']')))
		snprintf(mode, len, "%.*s", (int)(b - a - 1), a + 1);
	fclose(f);
}

int kd_live_preflight(const char *path, kd_err *err)
{
	char mode[64];
	struct stat st;
	int fd;

	if (stat(path, &st) != 0) {
		if (errno == ENOENT)
			return kd_fail(err, KD_ERR_UNSUPPORTED, "%s does not exist: mount /proc (mount -t proc "
				       "proc /proc), or the kernel lacks CONFIG_PROC_KCORE; give a dump instead",
				       path);
		return kd_fail_errno(err, "%s: cannot stat", path);
	}
	if (!S_ISREG(st.st_mode))
		return kd_fail(err, KD_ERR_UNSUPPORTED, "%s is masked (%s): a container hides the kernel's "
			       "memory; run kdive on the host", path,
			       S_ISCHR(st.st_mode) ? "a character device, such as /dev/null" : "not a file");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		if (st.st_size == 0)
			return kd_fail(err, KD_ERR_UNSUPPORTED, "%s is empty: this kernel exports no memory "
				       "through it; give a dump instead", path);
		return 0;
	}
	if (errno != EACCES && errno != EPERM)
		return kd_fail_errno(err, "%s: cannot open", path);
	if (geteuid() != 0)
		return kd_fail(err, KD_ERR_IO, "%s: reading the running kernel needs root (CAP_SYS_RAWIO): "
			       "run kdive with sudo", path);
	lockdown_mode(mode, sizeof(mode));
	if (strcmp(mode, "confidentiality") == 0)
		return kd_fail(err, KD_ERR_UNSUPPORTED, "%s: the kernel is locked down (lockdown="
			       "confidentiality) and keeps its memory closed; boot with lockdown=integrity "
			       "(or without Secure Boot's lockdown) to read it live, or analyze a kdump dump",
			       path);
	return kd_fail(err, KD_ERR_IO, "%s: permission denied: the process lacks CAP_SYS_RAWIO "
		       "(a container or a capability bounding set?); run kdive as root on the host", path);
}

int kd_start_task(struct kd_kernel *k, struct kd_task *t, int *cpu, kd_err *err)
{
	if (!kd_kernel_live(k))
		return kd_panic_task(k, t, cpu, err) == 0 ? 0 : kd_wrap(err, "no panic task");
	if (kd_task_by_pid(k, (int)getpid(), t, err) != 0)
		return kd_wrap(err, "this program's own task (pid %d; another pid namespace?)",
			       (int)getpid());
	*cpu = t->cpu;
	return 0;
}
