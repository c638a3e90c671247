/* bt: a task's kernel stack, laid out like crash's x86-64 bt (x86_64.c,
 * x86_64_print_stack_entry and x86_64_exception_frame):
 *    #N [stack address] function at text-address [module]
 * frame numbers right-aligned in two columns, exception frames as
 * "[exception RIP: func+dec]" and crash's register block, and
 * "--- <IRQ stack> ---" where the walk leaves an interrupt or exception
 * stack. Frames come from the ORC unwinder only. */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "commands/command.h"
#include "base/json.h"
#include "kernel/symbols.h"
#include "kernel/tasks.h"
#include "unwind/backtrace.h"

struct bt_opts {
	bool lines, full, offsets, hex, no_orc;
};

#define MAX_NOTED 512 /* the unwinder's frame limit */

struct printer {
	struct kd_kernel *k;
	const struct bt_opts *o;
	FILE *out;
	int level;
	uint64_t frameptr;              /* -f: first word not yet shown */
	struct kd_stack_area frame_stack;
	/* how each numbered frame was found, for the note on frames found
	 * without ORC */
	enum kd_unwind_how how[MAX_NOTED];
};

/* "file: line" of a text address, as crash's get_line_number() prints
 * it: the innermost line, the way eu-addr2line prints it. */
static void print_line(struct printer *p, uint64_t addr)
{
	struct kd_srcline loc[1];

	if (kd_kernel_srclines(p->k, addr, loc, 1) > 0)
		fprintf(p->out, "    %s: %d\n", loc[0].file, loc[0].line);
}

static void symstr(struct printer *p, uint64_t text, bool exact, bool with_off, char *buf,
		   size_t len, const char **mod)
{
	struct kd_sym s;

	*mod = NULL;
	if (kd_kernel_symbolize(p->k, exact ? text : text - 1, &s) != 0) {
		snprintf(buf, len, "(unknown)");
		return;
	}
	*mod = s.module;
	if (!exact)
		s.off++;
	if (with_off && s.off)
		snprintf(buf, len, p->o->hex ? "%s+0x%llx" : "%s+%llu", s.name, (unsigned long long)s.off);
	else
		snprintf(buf, len, "%s", s.name);
}
/* -f: the stack words between the previous frame and this one. */
static void print_full(struct printer *p, const struct kd_frame *f)
{
	uint64_t from = p->frameptr;

	p->frameptr = f->slot + 8;
	if (!from || from > f->slot || p->frame_stack.kind != f->stack.kind ||
	    p->frame_stack.begin != f->stack.begin || f->slot - from > 8192) {
		p->frame_stack = f->stack;
		return;
	}
	p->frame_stack = f->stack;
	for (uint64_t a = from, i = 0; a <= f->slot; a += 8, i++) {
		uint64_t v;
		if (!(i & 1))
			fprintf(p->out, "%s    %llx: ", i ? "\n" : "", (unsigned long long)a);
		if (kd_kernel_read_u64(p->k, a, &v, NULL) == 0)
			fprintf(p->out, "%016llx ", (unsigned long long)v);
		else
			fprintf(p->out, "%16s ", "????????????????");
	}
	fprintf(p->out, "\n");
}

static void print_call(struct printer *p, const struct kd_frame *f)
{
	char name[256];
	const char *mod;

	if (p->o->full)
		print_full(p, f);
	symstr(p, f->ip, f->exact, p->o->offsets, name, sizeof(name), &mod);
	fprintf(p->out, "%s#%d [%llx] %s at %llx", p->level < 10 ? " " : "", p->level,
		(unsigned long long)f->slot, name, (unsigned long long)f->ip);
	if (mod)
		fprintf(p->out, " [%s]", mod);
	fputc('\n', p->out);
	if (p->level < MAX_NOTED)
		p->how[p->level] = f->how;
	p->level++;
	if (p->o->lines)
		print_line(p, f->exact ? f->ip : f->ip - 1);
}

/* Which frames came from something other than ORC, as
 * "    (unwound without ORC: #1-#2 by DWARF CFI, #3 by frame pointer)":
 * with -o, and whenever code without ORC made the walk use frame pointers
 * or entry code. (DWARF CFI standing in for the few functions an ORC
 * kernel leaves out goes unsaid: the trace is still ORC's.) */
static void print_unwinders(const struct printer *p)
{
	static const char *const by[] = {
		[KD_UNWIND_CFI] = "DWARF CFI",
		[KD_UNWIND_ENTRY] = "entry code",
		[KD_UNWIND_FP] = "frame pointer",
		[KD_UNWIND_PROLOGUE] = "its prologue",
	};
	int n = p->level < MAX_NOTED ? p->level : MAX_NOTED, said = 0;
	bool worth = p->o->no_orc;

	for (int i = 0; i < n; i++)
		worth |= p->how[i] == KD_UNWIND_FP || p->how[i] == KD_UNWIND_ENTRY ||
			 p->how[i] == KD_UNWIND_PROLOGUE;
	for (int i = 0; worth && i < n;) {
		int j = i;
		if (p->how[i] == KD_UNWIND_START || p->how[i] == KD_UNWIND_ORC) {
			i++;
			continue;
		}
		while (j + 1 < n && p->how[j + 1] == p->how[i])
			j++;
		fprintf(p->out, "%s#%d", said++ ? ", " : "    (unwound without ORC: ", i);
		if (j > i)
			fprintf(p->out, "-#%d", j);
		fprintf(p->out, " by %s", by[p->how[i]]);
		i = j + 1;
	}
	if (said)
		fputs(")\n", p->out);
}

static void print_regs(struct printer *p, const struct kd_frame *f)
{
	const struct kd_regs *r = &f->regs;
	FILE *out = p->out;

	if (!(r->cs & 3)) {
		struct kd_sym s;

		fputs("    [exception RIP: ", out);
		if (kd_kernel_symbolize(p->k, r->ip, &s) != 0)
			fputs("unknown or invalid address", out);
		else if (s.off)
			fprintf(out, p->o->hex ? "%s+0x%llx" : "%s+%llu", s.name, (unsigned long long)s.off);
		else
			fputs(s.name, out);
		fputs("]\n", out);
	} else if (f->regs_addr == 0) {
		fputs("    [exception RIP: user space]\n", out);
	}
	fprintf(out, "    RIP: %016llx  RSP: %016llx  RFLAGS: %08llx\n", (unsigned long long)r->ip,
		(unsigned long long)r->sp, (unsigned long long)r->flags);
	if (f->partial) {
		fprintf(out, "    CS: %04llx  SS: %04llx\n", (unsigned long long)r->cs,
			(unsigned long long)r->ss);
	} else {
		fprintf(out, "    RAX: %016llx  RBX: %016llx  RCX: %016llx\n",
			(unsigned long long)r->ax, (unsigned long long)r->bx, (unsigned long long)r->cx);
		fprintf(out, "    RDX: %016llx  RSI: %016llx  RDI: %016llx\n",
			(unsigned long long)r->dx, (unsigned long long)r->si, (unsigned long long)r->di);
		fprintf(out, "    RBP: %016llx   R8: %016llx   R9: %016llx\n",
			(unsigned long long)r->bp, (unsigned long long)r->r8, (unsigned long long)r->r9);
		fprintf(out, "    R10: %016llx  R11: %016llx  R12: %016llx\n",
			(unsigned long long)r->r10, (unsigned long long)r->r11,
			(unsigned long long)r->r12);
		fprintf(out, "    R13: %016llx  R14: %016llx  R15: %016llx\n",
			(unsigned long long)r->r13, (unsigned long long)r->r14,
			(unsigned long long)r->r15);
		fprintf(out, "    ORIG_RAX: %016llx  CS: %04llx  SS: %04llx\n",
			(unsigned long long)r->orig_ax, (unsigned long long)r->cs,
			(unsigned long long)r->ss);
	}
	if (p->o->lines && !(r->cs & 3))
		print_line(p, r->ip);
	p->frameptr = 0;
}

static void print_stack_end(struct printer *p, const struct kd_frame *f)
{
	switch (f->stack.kind) {
	case KD_STACK_IRQ:
		fputs("--- <IRQ stack> ---\n", p->out);
		break;
	case KD_STACK_EXCEPTION:
		fprintf(p->out, "--- <%s exception stack> ---\n", f->stack.name);
		break;
	default:
		fprintf(p->out, "--- <%s stack> ---\n", f->stack.name);
		break;
	}
	p->frameptr = 0;
}

/* --json: a frame as an object: a call (level, sp, function, offset,
 * address, module, file/line with -l) or an exception's registers. */
static void json_frame(struct kd_cmd *c, struct kd_json *j, const struct kd_frame *f, int *level,
		       bool lines)
{
	struct kd_srcline loc[1];
	struct kd_sym s;
	uint64_t at = f->kind == KD_FRAME_REGS || f->exact ? f->ip : f->ip - 1;
	bool named = kd_kernel_symbolize(c->k, at, &s) == 0;

	kd_json_object(j, NULL);
	if (f->kind == KD_FRAME_CALL) {
		kd_json_int(j, "level", (*level)++);
		kd_json_addr(j, "sp", f->slot);
		kd_json_str(j, "function", named ? s.name : NULL);
		kd_json_int(j, "offset", named ? (long long)(s.off + (f->exact ? 0 : 1)) : 0);
		kd_json_addr(j, "address", f->ip);
		kd_json_str(j, "module", named ? s.module : NULL);
	} else {
		const struct kd_regs *r = &f->regs;
		kd_json_str(j, "exception", (r->cs & 3) ? "user" : "kernel");
		kd_json_str(j, "function", named && !(r->cs & 3) ? s.name : NULL);
		kd_json_int(j, "offset", named && !(r->cs & 3) ? (long long)s.off : 0);
		kd_json_str(j, "module", named && !(r->cs & 3) ? s.module : NULL);
		kd_json_object(j, "registers");
		kd_json_addr(j, "rip", r->ip);
		kd_json_addr(j, "rsp", r->sp);
		kd_json_addr(j, "rflags", r->flags);
		if (!f->partial) {
			static const char *const names[] = { "r15", "r14", "r13", "r12", "rbp", "rbx", "r11",
							     "r10", "r9", "r8", "rax", "rcx", "rdx", "rsi",
							     "rdi", "orig_rax" };
			const uint64_t *w = &r->r15;
			for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
				kd_json_addr(j, names[i], w[i]);
		}
		kd_json_addr(j, "cs", r->cs);
		kd_json_addr(j, "ss", r->ss);
		kd_json_end(j, '}');
	}
	if (lines && !(f->kind == KD_FRAME_REGS && (f->regs.cs & 3)) &&
	    kd_kernel_srclines(c->k, at, loc, 1) > 0) {
		kd_json_str(j, "file", loc[0].file);
		kd_json_int(j, "line", loc[0].line);
	}
	kd_json_end(j, '}');
}

static int json_task(struct kd_cmd *c, const struct kd_task *t, kd_err *err)
{
	struct kd_backtrace bt = { 0 };
	struct kd_json j;
	int level = 0, rc;

	kd_cmd_json_task(c, &j, t);
	rc = kd_backtrace_task(c->u, t, c->opt['o'] ? KD_BT_NO_ORC : 0, &bt, err);
	kd_json_array(&j, "frames");
	for (size_t i = 0; rc == 0 && i < bt.n; i++)
		if (bt.frames[i].kind != KD_FRAME_STACK_END)
			json_frame(c, &j, &bt.frames[i], &level, c->opt['l']);
	kd_json_end(&j, ']');
	if (rc == 0 && bt.running)
		kd_json_bool(&j, "running", true);
	if (rc == 0 && bt.stopped) {
		*err = bt.stop;
		rc = -1;
	}
	kd_json_str(&j, "error", rc ? err->msg : NULL);
	kd_json_end(&j, '}');
	kd_backtrace_free(&bt);
	return 0; /* said in the task's "error" */
}

/* One task: header, frames, and the reason when the walk stopped early.
 * Returns -1 with err when the walk could not start or stopped early. */
static int backtrace_one(struct kd_cmd *c, const struct kd_task *t, int index, kd_err *err)
{
	const struct bt_opts opts = { c->opt['l'], c->opt['f'], c->opt['s'], c->opt['x'], c->opt['o'] };
	const struct bt_opts *o = &opts;
	struct kd_backtrace bt = { 0 };
	struct printer p = { c->k, o, c->out, 0, 0, { 0 } };
	int rc;

	if (c->json)
		return json_task(c, t, err);
	if (index > 0)
		fputc('\n', c->out);
	kd_print_task_header(c->out, t, 0);
	if (o->lines && index == 0 && !c->k->vmlinux) {
		char why[700];
		kd_kernel_no_lines_hint(c->k, c->k->text.start, why, sizeof(why));
		kd_cmd_warn(c, "-l: no kernel source lines: %s", why);
	}
	if (t->unreadable)
		kd_cmd_warn(c, "CPU %d's task_struct at 0x%llx is not in the dump (a page makedumpfile "
			    "excluded): its pid and command are unknown; its stack is unwound from the "
			    "CPU's saved registers", t->cpu, (unsigned long long)t->addr);
	rc = kd_backtrace_task(c->u, t, o->no_orc ? KD_BT_NO_ORC : 0, &bt, err);
	for (size_t i = 0; rc == 0 && i < bt.n; i++) {
		const struct kd_frame *f = &bt.frames[i];
		switch (f->kind) {
		case KD_FRAME_CALL:
			print_call(&p, f);
			break;
		case KD_FRAME_REGS:
			print_regs(&p, f);
			break;
		case KD_FRAME_STACK_END:
			print_stack_end(&p, f);
			break;
		}
	}
	if (rc == 0 && bt.running)
		fprintf(c->out, "    (running on CPU %d: a live kernel's running stack is not read; bt "
			"shows sleeping tasks)\n", t->cpu);
	if (rc == 0)
		print_unwinders(&p);
	if (rc == 0 && bt.stopped) {
		*err = bt.stop;
		rc = -1;
	}
	if (rc != 0)
		kd_wrap(err, "pid %d", t->pid);
	kd_backtrace_free(&bt);
	return rc;
}

/* -a: the task each CPU was running; one CPU's failure is said in its
 * place, as crash does, and the others go on. */
/* --json: a CPU whose task cannot be read, in the tasks array. */
static void json_cpu_error(struct kd_cmd *c, int cpu, const char *msg)
{
	struct kd_json j;

	kd_cmd_json_element(c, &j);
	kd_json_object(&j, NULL);
	kd_json_int(&j, "cpu", cpu);
	kd_json_array(&j, "frames");
	kd_json_end(&j, ']');
	kd_json_str(&j, "error", msg);
	kd_json_end(&j, '}');
}

static int all_cpus(struct kd_cmd *c)
{
	int failed = 0, shown = 0;
	kd_err one;

	for (int cpu = 0; cpu < c->k->nr_cpus; cpu++) {
		struct kd_task t;

		if (kd_cpu_task(c->k, cpu, &t, &one) != 0) {
			if (c->json)
				json_cpu_error(c, cpu, one.msg);
			else
				fprintf(c->out, "%sCPU: %d  bt: %s\n", shown++ ? "\n" : "", cpu, one.msg);
			failed++;
			continue;
		}
		if (backtrace_one(c, &t, shown++, &one) != 0) {
			fprintf(c->out, "    bt: %s\n", one.msg);
			failed++;
		}
	}
	/* in JSON each task's "error" says it */
	if (failed && !c->json)
		return kd_fail(c->err, one.code, "-a: %d of %d CPUs could not be shown in full (said above)",
			       failed, c->k->nr_cpus);
	return 0;
}

static int run_bt(struct kd_cmd *c)
{
	int rc;

	if (c->opt['a'] && c->argc)
		return kd_cmd_usage(c, "-a takes no PID or task");
	if (c->json && (c->opt['f'] || c->opt['s']))
		return kd_cmd_usage(c, "--json takes no -f or -s");
	if (c->json)
		fputs("{\"tasks\":[", c->out);
	rc = c->opt['a'] ? all_cpus(c) : kd_cmd_each_task(c, backtrace_one);
	if (c->json)
		fputs("]}\n", c->out);
	return rc;
}

const struct kd_command kd_cmd_bt = {
	.name = "bt",
	.complete = KD_COMPLETE_TASK,
	.options = "aflsxo",
	.flags = KD_CMD_UNWINDER | KD_CMD_MODULE_DEBUG | KD_CMD_JSON,
	.usage = "bt [-a] [-l] [-f] [-s [-x]] [-o] [PID | TASK]...",
	.summary = "kernel stack backtrace of a task (default: the panic task)",
	.help = "  -a   the task that was running on each CPU\n"
		"  -l   source file and line of each frame\n"
		"  -f   the stack words of each frame\n"
		"  -s   function+offset (decimal; -x for hex)\n"
		"  -o   without ORC, as on a kernel built without it: DWARF CFI (vmlinux,\n"
		"       and a module's .ko once loaded), then frame pointers\n"
		"PID is decimal; TASK is a task_struct address in hex. Frames are those the\n"
		"kernel's ORC unwind data proves; stack words that merely look like return\n"
		"addresses are not shown. Exception frames print the saved registers, and\n"
		"\"--- <IRQ stack> ---\" marks where the walk leaves an interrupt stack.\n"
		"Frames found without ORC (a kernel or module built without it, or -o) are\n"
		"named after the trace, with how they were found.\n",
	.run = run_bt,
};
