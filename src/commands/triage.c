/* triage: one line that sorts this dump among others: a signature, the
 * kind of crash, where it happened and in which task, the release, the
 * date and the dump. The signature is a hash of the kind and the names
 * of the top five frames where the bug is (past the crash path's own
 * functions: from the exception's RIP for an oops; for a hung task, the
 * first blocked task's, past the scheduler), without offsets, addresses
 * or compiler suffixes: equal for the same bug across builds, dump
 * formats and KASLR. */
#include <string.h>

#include "base/err.h"
#include "commands/command.h"
#include "base/json.h"
#include "kernel/clock.h"
#include "kernel/panic.h"
#include "kernel/symbols.h"
#include "kernel/system.h"
#include "kernel/tasks.h"
#include "unwind/backtrace.h"

#define TOP 5

/* The first task in state D, in ps order: the one khungtaskd reports. */
static int first_blocked(struct kd_cmd *c, struct kd_task *out)
{
	const struct kd_task *tasks, *best = NULL;
	size_t n;

	kd_tasks(c->k, &tasks, &n, NULL);
	for (size_t i = 0; i < n; i++)
		if (strcmp(kd_task_state_short(&tasks[i]), "UN") == 0 &&
		    (!best || kd_task_order(&tasks[i], best) < 0))
			best = &tasks[i];
	if (!best)
		return kd_fail(c->err, KD_ERR_LOOKUP, "a hung task panic, but no task is blocked (UN)");
	*out = *best;
	return 0;
}

struct top {
	char names[TOP][128];
	char module[64];
	int n;
};

static void add(struct kd_cmd *c, struct top *t, uint64_t ip, bool exact)
{
	struct kd_sym s;

	if (t->n == TOP || kd_kernel_symbolize(c->k, exact ? ip : ip - 1, &s) != 0)
		return;
	kd_fn_base_name(s.name, t->names[t->n], sizeof(t->names[0]));
	if (t->n++ == 0 && s.module)
		snprintf(t->module, sizeof(t->module), "%s", s.module);
}

/* The frames where the bug is: from the last kernel-mode exception, else
 * past the crash path's and (for a sleeping task) the scheduler's. */
static void where(struct kd_cmd *c, const struct kd_backtrace *bt, bool sleeping, struct top *t)
{
	size_t from = 0;

	for (size_t i = 0; i < bt->n; i++)
		if (bt->frames[i].kind == KD_FRAME_REGS && !(bt->frames[i].regs.cs & 3))
			from = i;
	for (size_t i = from; i < bt->n; i++) {
		const struct kd_frame *f = &bt->frames[i];
		struct kd_sym s;

		if (f->kind == KD_FRAME_REGS && (f->regs.cs & 3))
			break; /* user space: the kernel's part is all */
		if (f->kind == KD_FRAME_STACK_END)
			continue;
		if (!t->n && (i > from || f->kind != KD_FRAME_REGS) &&
		    kd_kernel_symbolize(c->k, f->exact ? f->ip : f->ip - 1, &s) == 0 &&
		    (kd_panic_machinery(s.name) || (sleeping && kd_sched_frame(s.name))))
			continue;
		add(c, t, f->ip, f->exact || f->kind == KD_FRAME_REGS);
	}
}

/* FNV-1a, 64 bits: stable and short. */
static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int run_triage(struct kd_cmd *c)
{
	struct kd_backtrace bt = { 0 };
	struct top t = { .n = 0 };
	char msg[512], date[64] = "-", key[TOP * 130 + 32], what[200], sig[20];
	const char *kind;
	struct kd_task task;
	int64_t when;
	int cpu, rc;

	if (c->argc)
		return kd_cmd_usage(c, "triage takes no operand");
	if (kd_kernel_panic_message(c->k, msg, sizeof(msg), NULL) != 0)
		snprintf(msg, sizeof(msg), "?");
	kind = kd_panic_kind(msg);
	rc = strcmp(kind, "hung task") == 0 ? first_blocked(c, &task)
					    : kd_panic_task(c->k, &task, &cpu, c->err);
	if (rc != 0)
		return kd_wrap(c->err, "no task to take the signature from");
	if (kd_backtrace_task(c->u, &task, 0, &bt, c->err) != 0)
		return kd_wrap(c->err, "pid %d", task.pid);
	where(c, &bt, strcmp(kind, "hung task") == 0, &t);
	kd_backtrace_free(&bt);
	if (!t.n)
		return kd_fail(c->err, KD_ERR_LOOKUP, "pid %d's stack has no frame past the crash path",
			       task.pid);
	snprintf(key, sizeof(key), "%s", kind);
	for (int i = 0; i < t.n; i++)
		snprintf(key + strlen(key), sizeof(key) - strlen(key), "|%s", t.names[i]);
	if (kd_clock_crash_time(c->k, &when, NULL) == 0) {
		if (c->opt['e']) /* for sorting: seconds since the epoch */
			snprintf(date, sizeof(date), "%lld", (long long)when);
		else
			kd_clock_format(when, date, sizeof(date));
	}
	snprintf(sig, sizeof(sig), "%016llx", (unsigned long long)fnv1a(key));
	if (c->json) {
		struct kd_json j;
		kd_json_init(&j, c->out);
		kd_json_object(&j, NULL);
		kd_json_str(&j, "signature", sig);
		kd_json_str(&j, "kind", kind);
		kd_json_str(&j, "function", t.names[0]);
		kd_json_str(&j, "module", t.module[0] ? t.module : NULL);
		kd_json_array(&j, "frames");
		for (int i = 0; i < t.n; i++)
			kd_json_str(&j, NULL, t.names[i]);
		kd_json_end(&j, ']');
		kd_json_int(&j, "pid", task.unreadable ? -1 : task.pid);
		kd_json_str(&j, "comm", task.unreadable ? NULL : task.comm);
		kd_json_str(&j, "release", c->k->release);
		kd_json_str(&j, "date", date);
		kd_json_str(&j, "dump", c->k->dump_path);
		kd_json_end(&j, '}');
		return 0;
	}
	snprintf(what, sizeof(what), "%s%s%s%s", t.names[0], t.module[0] ? " [" : "", t.module,
		 t.module[0] ? "]" : "");
	fprintf(c->out, "%s  %-11s  %-32s  %-7d %-16s  %s  %s  %s\n", sig, kind, what, task.pid, task.unreadable ? "?" : task.comm, c->k->release, date,
		c->k->dump_path);
	return 0;
}

const struct kd_command kd_cmd_triage = {
	.name = "triage",
	.options = "e",
	.flags = KD_CMD_UNWINDER | KD_CMD_JSON,
	.usage = "triage [-e]",
	.summary = "one line sorting this dump among others: signature, kind, where, task",
	.help = "  SIGNATURE KIND FUNCTION [MODULE] PID COMM RELEASE DATE DUMP\n"
		"  SIGNATURE hashes the KIND (oops, BUG, WARN, soft lockup, hard lockup, hung\n"
		"  task, sysrq, panic) and the names of the top five frames where the bug is:\n"
		"  from the exception's RIP, or past the crash path's own functions; for a\n"
		"  hung task, the first blocked task's, past the scheduler. The same bug gives\n"
		"  the same signature across builds, dump formats and KASLR. `kdive triage\n"
		"  DUMP|DIR...` runs it over many dumps (--group: one line per signature).\n"
		"  -e  the date as seconds since the epoch\n",
	.run = run_triage,
};
