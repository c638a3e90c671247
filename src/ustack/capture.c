/* "Who called me?" in a program: kd_backtrace() takes the calling
 * thread's return addresses with libgcc's unwinder (the .eh_frame CFI
 * every binary carries: no frame pointers, no -rdynamic needed), which is
 * safe in a signal handler once loaded; kd_backtrace_print() names them
 * with libdwfl. The crash handler takes the addresses in the handler and
 * has them named outside it, by `kdive ustack --pcs` in a child process,
 * then lets the signal's default action (the core dump) happen. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include <unwind.h>

#include "base/err.h"
#include "kdive/kdive.h"
#include "ustack/symbolize.h"

extern char **environ;

struct capture {
	void **pcs;
	int max, n, skip;
};

static _Unwind_Reason_Code one(struct _Unwind_Context *ctx, void *arg)
{
	struct capture *c = arg;
	uintptr_t ip = _Unwind_GetIP(ctx);

	if (!ip)
		return _URC_END_OF_STACK;
	if (c->skip > 0) {
		c->skip--;
		return _URC_NO_REASON;
	}
	if (c->n == c->max)
		return _URC_END_OF_STACK;
	c->pcs[c->n++] = (void *)ip;
	return _URC_NO_REASON;
}

/* inlined: skip counts frames from the function that calls it */
static inline __attribute__((always_inline)) int capture(void **pcs, int max, int skip)
{
	struct capture c = { pcs, max, 0, skip };

	if (max <= 0)
		return 0;
	_Unwind_Backtrace(one, &c);
	return c.n;
}

int kd_backtrace(void **pcs, int max)
{
	return capture(pcs, max, 1); /* not this function's own frame */
}

/* The process's own libdwfl session, kept: the debug info read for the
 * first trace serves the next ones; libraries loaded since are added. */
static Dwfl *self;
static pthread_mutex_t self_lock = PTHREAD_MUTEX_INITIALIZER;

static Dwfl *self_dwfl(char *why, size_t len)
{
	if (!self)
		return self = kd_udwfl_open(getpid(), why, len);
	/* modules at the same place stay (their debug info read), the ones
	 * unloaded since go */
	dwfl_report_begin(self);
	int rc = dwfl_linux_proc_report(self, getpid());
	if (dwfl_report_end(self, NULL, NULL) != 0 || rc != 0) {
		snprintf(why, len, "cannot read /proc/self/maps");
		return NULL;
	}
	return self;
}

int kd_backtrace_print(void *const *pcs, int n, FILE *out)
{
	char why[512];
	int level = 0;

	pthread_mutex_lock(&self_lock);
	Dwfl *dwfl = self_dwfl(why, sizeof(why));
	if (!dwfl) {
		pthread_mutex_unlock(&self_lock);
		fprintf(out, "(cannot name the frames: %s)\n", why);
		for (int i = 0; i < n; i++)
			fprintf(out, "#%-2d %p\n", i, pcs[i]);
		return -1;
	}
	for (int i = 0; i < n; i++) { /* return addresses, one at a time: no copy of pcs */
		uint64_t pc = (uint64_t)(uintptr_t)pcs[i];
		level = kd_upcs_print(dwfl, &pc, 1, false, level, out);
	}
	pthread_mutex_unlock(&self_lock);
	return 0;
}

/* --- the crash handler: only async-signal-safe calls from here on ---- */

#define MAX_PCS 128
static char helper[4096];              /* kdive's absolute path, found at install */
static char stack_mem[64 * 1024];      /* the handler runs here: a stack overflow too */
static void *pcs[MAX_PCS];
static char argbuf[MAX_PCS + 8][24];   /* argv strings, formatted without malloc */

static void put(const char *s)
{
	size_t n = strlen(s);

	while (n > 0) {
		ssize_t w = write(2, s, n);
		if (w <= 0 && errno != EINTR)
			return;
		if (w > 0) {
			s += w;
			n -= (size_t)w;
		}
	}
}

static char *hex(char *buf, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[17];
	int n = 0;

	do {
		tmp[n++] = digits[v & 15];
		v >>= 4;
	} while (v);
	buf[0] = '0';
	buf[1] = 'x';
	for (int i = 0; i < n; i++)
		buf[2 + i] = tmp[n - 1 - i];
	buf[2 + n] = '\0';
	return buf;
}

static char *dec(char *buf, long v)
{
	char tmp[24];
	int n = 0, neg = v < 0;
	unsigned long u = neg ? -(unsigned long)v : (unsigned long)v;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	int k = 0;
	if (neg)
		buf[k++] = '-';
	while (n)
		buf[k++] = tmp[--n];
	buf[k] = '\0';
	return buf;
}

static const char *sig_name(int sig)
{
	switch (sig) {
	case SIGSEGV: return "SIGSEGV (segmentation fault)";
	case SIGBUS: return "SIGBUS (bus error)";
	case SIGILL: return "SIGILL (illegal instruction)";
	case SIGFPE: return "SIGFPE (arithmetic exception)";
	case SIGABRT: return "SIGABRT (aborted)";
	default: return "signal";
	}
}

/* Names the frames with `kdive ustack --pcs PID PC...` in a child while
 * this process waits, stopped in the handler, its maps intact. */
static int symbolize_in_child(int n, uint64_t first)
{
	char *argv[MAX_PCS + 8];
	int argc = 0, status;
	pid_t child;

	if (!helper[0])
		return -1;
	argv[argc++] = helper;
	argv[argc++] = "ustack";
	argv[argc++] = "--no-debuginfod"; /* no download while the process waits to die */
	argv[argc++] = "--pcs";
	argv[argc++] = dec(argbuf[0], getpid());
	argv[argc++] = hex(argbuf[1], first);
	for (int i = 0; i < n; i++)
		argv[argc++] = hex(argbuf[2 + i], (uint64_t)(uintptr_t)pcs[i]);
	argv[argc] = NULL;
	/* _Fork: no atfork handlers, no malloc or stdio locks taken (fork()
	 * takes them, and a crash inside malloc holds one) */
	if ((child = _Fork()) < 0)
		return -1;
	if (child == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		dup2(2, 1); /* the trace goes where the program's errors go */
		execve(helper, argv, environ);
		_exit(127);
	}
	/* 10 s at most: a helper that hangs must not keep the core from being dumped */
	for (int waited = 0;; waited++) {
		pid_t r = waitpid(child, &status, WNOHANG);
		if (r == child)
			break;
		if ((r < 0 && errno != EINTR) || waited == 1000) {
			kill(child, SIGKILL);
			waitpid(child, &status, 0);
			return -1;
		}
		struct timespec ten_ms = { 0, 10 * 1000 * 1000 };
		nanosleep(&ten_ms, NULL);
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static atomic_int handling;

static void handler(int sig, siginfo_t *si, void *uctx)
{
	ucontext_t *uc = uctx;
	uint64_t rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	char a[24], b[24];
	int n, from = -1;

	/* the first thread to crash reports; any other waits for the end */
	if (atomic_exchange(&handling, 1))
		for (;;)
			pause();

	put("*** ");
	put(sig_name(sig));
	if (sig != SIGABRT) {
		put(" at address ");
		put(hex(a, (uint64_t)(uintptr_t)si->si_addr));
	}
	put(" in pid ");
	put(dec(b, getpid()));
	put(", at pc ");
	put(hex(a, rip));
	put(":\n");
	/* the unwinder goes through the signal frame: the frames past the
	 * faulting pc are the program's */
	n = capture(pcs, MAX_PCS, 0);
	for (int i = 0; i < n && from < 0; i++)
		if ((uint64_t)(uintptr_t)pcs[i] == rip)
			from = i + 1;
	if (from < 0) /* not through the signal frame: none of what was taken is the program's */
		from = n;
	memmove(pcs, pcs + from, (size_t)(n - from) * sizeof(pcs[0]));
	n -= from;
	/* a call through a NULL (or wild) pointer: the unwinder had no CFI for
	 * pc; its caller's return address is on top of the stack */
	if (n == 0 && (rip == 0 || from == 0)) {
		uint64_t sp = (uint64_t)uc->uc_mcontext.gregs[REG_RSP];
		if (sp)
			pcs[n++] = *(void **)(uintptr_t)sp;
	}
	if (symbolize_in_child(n, rip) != 0) {
		put("(kdive is not there to name the frames: the addresses)\n");
		put(hex(a, rip));
		put("\n");
		for (int i = 0; i < n; i++) {
			put(hex(a, (uint64_t)(uintptr_t)pcs[i]));
			put("\n");
		}
	}
	/* the default action now: a fault happens again on return, a signal
	 * sent by kill or abort() is raised again */
	struct sigaction dfl;
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(sig, &dfl, NULL);
	if (si->si_code <= 0 || sig == SIGABRT)
		raise(sig);
}

/* kdive's path: the helper given, or "kdive" in PATH (found now: the
 * handler cannot search). */
static void find_helper(const char *given)
{
	const char *path = getenv("PATH");
	struct stat st;

	helper[0] = '\0';
	if (given && strchr(given, '/')) {
		/* absolute: the program may chdir before it crashes */
		if (!realpath(given, helper) || stat(helper, &st) != 0 || !(st.st_mode & S_IXUSR))
			helper[0] = '\0';
		return;
	}
	while (path && *path) {
		size_t n = strcspn(path, ":");
		snprintf(helper, sizeof(helper), "%.*s/%s", (int)n, path, given ? given : "kdive");
		if (stat(helper, &st) == 0 && (st.st_mode & S_IXUSR))
			return;
		path += n + (path[n] == ':');
	}
	helper[0] = '\0';
}

int kd_crash_handler_install(const char *kdive_path)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
	struct sigaction sa;
	stack_t ss = { .ss_sp = stack_mem, .ss_size = sizeof(stack_mem), .ss_flags = 0 };
	void *warm[2];

	find_helper(kdive_path);
	capture(warm, 2, 0); /* loads libgcc's unwinder now, not in the handler */
	if (sigaltstack(&ss, NULL) != 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK; /* a fault in the handler: the default action */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&sa.sa_mask, sigs[i]); /* one at a time on the one stack */
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) != 0)
			return -1;
	return helper[0] ? 0 : 1;
}
