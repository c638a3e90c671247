/* kdive ustack: another process's stacks, as eu-stack and gdb's
 * `thread apply all bt` give them: libdwfl attaches to each thread with
 * ptrace (stopping it while its stack is read, then letting it go on),
 * unwinds it with the binaries' CFI and symbolizes every frame. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "ustack/symbolize.h"

#define MAX_FRAMES 256 /* a stack deeper than this is cut, said */

#define MAX_NODEBUG 32

struct walk {
	Dwfl *dwfl;
	FILE *out, *diag;
	int level;
	bool said;
	const char *nodebug[MAX_NODEBUG]; /* files said to have no debug info */
	size_t n_nodebug;
};

/* One line per file without debug info, the first time one of its frames
 * is seen: its frames are named from its symbol table (or not at all). */
static void note_nodebug(struct walk *w, const struct kd_uframe *f)
{
	if (!f->no_debug || !f->module || !w->diag)
		return;
	for (size_t i = 0; i < w->n_nodebug; i++)
		if (strcmp(w->nodebug[i], f->module) == 0)
			return;
	if (w->n_nodebug < MAX_NODEBUG)
		w->nodebug[w->n_nodebug++] = f->module;
	fprintf(w->diag, "kdive: ustack: %s has no debug info (function names from its symbol table, no "
		"lines): install its debug package (Debian: its -dbgsym, found with find-dbgsym-packages "
		"from debian-goodies) or build it with -g\n", f->module);
}

static int frame_cb(Dwfl_Frame *frame, void *arg)
{
	struct walk *w = arg;
	struct kd_uframe f[KD_UFRAME_MAX];
	Dwarf_Addr pc;
	bool activation;

	if (!dwfl_frame_pc(frame, &pc, &activation))
		return DWARF_CB_ABORT;
	if (w->level >= MAX_FRAMES) {
		fprintf(w->out, "(more than %d frames: cut)\n", MAX_FRAMES);
		return DWARF_CB_ABORT;
	}
	int n = kd_usym(w->dwfl, pc, activation, f, KD_UFRAME_MAX);
	note_nodebug(w, &f[0]);
	for (int i = 0; i < n; i++)
		kd_uframe_print(&f[i], w->level++, w->out);
	return DWARF_CB_OK;
}

static void comm_of(int pid, int tid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", pid, tid);
	buf[0] = '\0';
	if ((f = fopen(path, "r"))) {
		if (fgets(buf, (int)len, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
}

/* The walk's end: the first frame without a caller is the normal end; a
 * failure past frame #0 is said (a corrupt or foreign stack). */
static void thread_end(struct walk *w, int rc)
{
	int e = dwfl_errno(); /* reading it clears it */

	if (rc != 0 && w->level == 0)
		fprintf(w->out, "(no frame: %s)\n", dwfl_errmsg(e));
	else if (rc != 0 && e != 0 && w->level < MAX_FRAMES)
		fprintf(w->out, "(the walk stopped: %s)\n", dwfl_errmsg(e));
}

static int thread_cb(Dwfl_Thread *thread, void *arg)
{
	struct walk *w = arg;
	pid_t tid = dwfl_thread_tid(thread);
	char comm[64];

	comm_of(dwfl_pid(w->dwfl), tid, comm, sizeof(comm));
	fprintf(w->out, "%sThread %d \"%s\":\n", w->said ? "\n" : "", tid, comm);
	w->said = true;
	w->level = 0;
	dwfl_errno(); /* clear */
	thread_end(w, dwfl_thread_getframes(thread, frame_cb, w));
	return DWARF_CB_OK;
}

static int attach_error(kd_err *err, int pid, int rc)
{
	long scope = -1;
	FILE *f = fopen("/proc/sys/kernel/yama/ptrace_scope", "r");

	if (f) {
		if (fscanf(f, "%ld", &scope) != 1)
			scope = -1;
		fclose(f);
	}
	if (rc == EPERM && scope > 0 && geteuid() != 0)
		return kd_fail(err, KD_ERR_IO, "cannot ptrace pid %d: kernel.yama.ptrace_scope is %ld "
			       "(run as root, or sysctl kernel.yama.ptrace_scope=0)", pid, scope);
	if (rc == EPERM)
		return kd_fail(err, KD_ERR_IO, "cannot ptrace pid %d: not permitted (another user's "
			       "process, or already traced: run as root)", pid);
	if (rc == ESRCH || rc == ENOENT)
		return kd_fail(err, KD_ERR_LOOKUP, "no process %d", pid);
	return kd_fail(err, KD_ERR_IO, "cannot attach to pid %d: %s", pid,
		       rc > 0 ? strerror(rc) : dwfl_errmsg(-1));
}

int kd_ustack(int pid, int tid, FILE *out, FILE *diag, kd_err *err)
{
	char why[512];
	struct walk w = { .out = out, .diag = diag };
	Dwfl *dwfl;
	int rc;

	if (kill(pid, 0) != 0 && errno == ESRCH)
		return kd_fail(err, KD_ERR_LOOKUP, "no process %d", pid);
	/* its maps are as private as ptrace: the same refusal, said as one */
	snprintf(why, sizeof(why), "/proc/%d/maps", pid);
	int fd = open(why, O_RDONLY | O_CLOEXEC); /* mode bits say 0444: only open() asks */
	if (fd < 0 && errno == EACCES)
		return attach_error(err, pid, EPERM);
	if (fd >= 0)
		close(fd);
	if (!(dwfl = kd_udwfl_open(pid, why, sizeof(why))))
		return kd_fail(err, KD_ERR_IO, "%s", why);
	w.dwfl = dwfl;
	if ((rc = dwfl_linux_proc_attach(dwfl, pid, false)) != 0) {
		dwfl_end(dwfl);
		return attach_error(err, pid, rc);
	}
	if (tid > 0) {
		char comm[64];
		comm_of(pid, tid, comm, sizeof(comm));
		fprintf(out, "Thread %d \"%s\":\n", tid, comm);
		dwfl_errno();
		rc = dwfl_getthread_frames(dwfl, tid, frame_cb, &w);
		if (rc != 0 && w.level == 0) {
			kd_fail(err, KD_ERR_LOOKUP, "thread %d of pid %d: %s", tid, pid, dwfl_errmsg(-1));
			dwfl_end(dwfl);
			return -1;
		}
		thread_end(&w, rc);
	} else if (dwfl_getthreads(dwfl, thread_cb, &w) != 0 && !w.said) {
		kd_fail(err, KD_ERR_IO, "pid %d: %s (it may have exited)", pid, dwfl_errmsg(-1));
		dwfl_end(dwfl);
		return -1;
	}
	dwfl_end(dwfl); /* detaches: the threads go on */
	return 0;
}

int kd_ustack_addresses(int pid, const uint64_t *pcs, size_t n, int first_exact, FILE *out, kd_err *err)
{
	char why[512];
	Dwfl *dwfl = kd_udwfl_open(pid, why, sizeof(why));

	if (!dwfl)
		return kd_fail(err, KD_ERR_IO, "%s", why);
	kd_upcs_print(dwfl, pcs, n, first_exact, 0, out);
	dwfl_end(dwfl);
	return 0;
}
