/* bt: a task's kernel stack, laid out like crash's x86-64 bt (x86_64.c,
 * x86_64_print_stack_entry and x86_64_exception_frame):
 *    #N [stack address] function at text-address [module]
 * frame numbers right-aligned in two columns, exception frames as
 * "[exception RIP: func+dec]" and crash's register block, and
 * "--- <IRQ stack> ---" where the walk leaves an interrupt or exception
 * stack. Frames come from the ORC unwinder only. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "commands/command.h"
#include "kernel/modules.h"
#include "kernel/tasks.h"
#include "symbols/symbolizer.h"
#include "unwind/backtrace.h"

struct bt_opts {
	bool lines, full, offsets, hex;
};

struct printer {
	struct kd_session *s;
	struct kd_unwinder *u;
	const struct bt_opts *o;
	FILE *out;
	int level;
	uint64_t frameptr;              /* -f: first word not yet shown */
	struct kd_stack_area frame_stack;
};

static void print_header(FILE *out, const struct kd_task *t, bool newline)
{
	char cpu[16];

	snprintf(cpu, sizeof(cpu), "%d", t->cpu);
	fprintf(out, "%sPID: %-7d  TASK: %-16llx  CPU: %-3s  COMMAND: \"%s\"\n", newline ? "\n" : "",
		t->pid, (unsigned long long)t->addr, cpu, t->comm);
}

/* "file: line" of a text address (crash's get_line_number): the line
 * table's entry for it (the innermost inlined line, as eu-addr2line
 * prints it), a relative path joined to DW_AT_comp_dir as gdb and
 * eu-addr2line do. */
static void print_line(struct printer *p, uint64_t addr)
{
	struct kd_kernel *k = p->s->k;
	struct kd_srcloc loc[KD_SRC_CHAIN_MAX];
	struct kd_symfile *sf = k->vmlinux;
	const char *mod, *func;
	uint64_t off, file_addr = addr - k->kaslr;

	func = kd_unwinder_symbol(p->u, addr, &off, &mod);
	if (!func)
		return;
	if (mod) {
		/* The .ko is relocatable: go by symbol + offset. */
		struct kd_module *m;
		const struct kd_module_sym *sym = kd_module_symbol_at(k, addr, &m, &off);
		if (!sym || !m->debug || kd_symfile_lookup(m->debug, sym->name, 0, &file_addr, NULL) != 0)
			return;
		sf = m->debug;
		file_addr += off;
	}
	if (kd_symfile_srclines(sf, file_addr, loc, KD_SRC_CHAIN_MAX) == 0 || !loc[0].file)
		return;
	if (loc[0].file[0] != '/') {
		const char *dir = kd_symfile_comp_dir(sf, func);
		const char *f = loc[0].file;
		if (dir && dir[0]) {
			if (f[0] == '.' && f[1] == '/')
				f += 2;
			fprintf(p->out, "    %s%s%s: %d\n", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
				f, loc[0].line);
			return;
		}
	}
	fprintf(p->out, "    %s: %d\n", loc[0].file, loc[0].line);
}

static void symstr(struct printer *p, uint64_t text, bool exact, bool with_off, char *buf,
		   size_t len, const char **mod)
{
	uint64_t off;
	const char *name = kd_unwinder_symbol(p->u, exact ? text : text - 1, &off, mod);

	if (!name) {
		snprintf(buf, len, "(unknown)");
		return;
	}
	if (!exact)
		off++;
	if (with_off && off)
		snprintf(buf, len, p->o->hex ? "%s+0x%llx" : "%s+%llu", name, (unsigned long long)off);
	else
		snprintf(buf, len, "%s", name);
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
		if (kd_kernel_read_u64(p->s->k, a, &v, NULL) == 0)
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
	p->level++;
	if (p->o->lines)
		print_line(p, f->exact ? f->ip : f->ip - 1);
}

static void print_regs(struct printer *p, const struct kd_frame *f)
{
	const struct kd_regs *r = &f->regs;
	FILE *out = p->out;

	if (!(r->cs & 3)) {
		uint64_t off;
		const char *mod, *name = kd_unwinder_symbol(p->u, r->ip, &off, &mod);

		fputs("    [exception RIP: ", out);
		if (!name)
			fputs("unknown or invalid address", out);
		else if (off)
			fprintf(out, p->o->hex ? "%s+0x%llx" : "%s+%llu", name, (unsigned long long)off);
		else
			fputs(name, out);
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

/* One task: header, frames, and the reason when the walk stopped early.
 * Returns -1 with err when the walk could not start or stopped early. */
static int backtrace_one(struct kd_session *s, struct kd_unwinder *u, const struct kd_task *t,
			 const struct bt_opts *o, bool newline, FILE *out, kd_err *err)
{
	struct kd_backtrace bt = { 0 };
	struct printer p = { s, u, o, out, 0, 0, { 0 } };
	int rc;

	print_header(out, t, newline);
	rc = kd_backtrace_task(u, t, &bt, err);
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
	if (rc == 0 && bt.stop[0])
		rc = kd_fail(err, "bt: pid %d: %s", t->pid, bt.stop);
	else if (rc != 0)
		kd_wrap(err, "bt: pid %d", t->pid);
	kd_backtrace_free(&bt);
	return rc;
}

/* crash's argument rule: a decimal number is a PID, anything else a
 * task_struct address in hex. */
static int task_from_arg(struct kd_kernel *k, const char *arg, struct kd_task *t, kd_err *err)
{
	char *end;
	bool decimal = *arg != '\0';

	for (const char *c = arg; *c; c++)
		if (!isdigit((unsigned char)*c))
			decimal = false;
	if (decimal) {
		long pid = strtol(arg, &end, 10);
		if (pid < 0 || pid > 0x7fffffff)
			return kd_fail(err, "bt: %s is not a PID", arg);
		if (kd_task_by_pid(k, (int)pid, t, err) != 0)
			return kd_wrap(err, "bt %s", arg);
		return 0;
	}
	errno = 0;
	unsigned long long addr = strtoull(arg, &end, 16);
	if (*arg == '\0' || *end || errno)
		return kd_fail(err, "bt: %s is neither a PID nor a task address", arg);
	if (kd_task_by_addr(k, addr, t, err) != 0)
		return kd_wrap(err, "bt");
	return 0;
}

static int run_bt(struct kd_session *s, int argc, char **argv, FILE *out, kd_err *err)
{
	struct bt_opts o = { 0 };
	struct kd_kernel *k = s->k;
	struct kd_unwinder *u;
	bool all = false;
	int c, rc = 0, shown = 0;
	kd_err one;

	while ((c = getopt(argc, argv, "aflsx")) != -1) {
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'f':
			o.full = true;
			break;
		case 'l':
			o.lines = true;
			break;
		case 's':
			o.offsets = true;
			break;
		case 'x':
			o.hex = true;
			break;
		default:
			return kd_fail(err, "bt: unknown option (usage: bt [-a] [-l] [-f] [-s [-x]] "
				       "[PID | TASK]...)");
		}
	}
	if (all && optind < argc)
		return kd_fail(err, "bt: -a takes no PID or task");
	if (!(u = kd_unwinder_new(k, err)))
		return kd_wrap(err, "bt");
	/* Module frames' lines and ORC tables come from their .ko when found. */
	kd_modules_find_debuginfo(k, s->module_dirs, s->n_module_dirs, out);

	if (all) {
		int failed = 0;

		for (int cpu = 0; cpu < k->nr_cpus; cpu++) {
			struct kd_task t;
			uint64_t addr;

			/* One CPU's failure is said in its place; the others go on. */
			if (kd_cpu_curr(k, cpu, &addr, &one) != 0 || kd_task_read(k, addr, &t, &one) != 0) {
				fprintf(out, "%sCPU: %d  bt: %s\n", shown++ ? "\n" : "", cpu, one.msg);
				failed++;
				continue;
			}
			if (backtrace_one(s, u, &t, &o, shown++ > 0, out, &one) != 0) {
				fprintf(out, "    %s\n", one.msg);
				failed++;
			}
		}
		if (failed)
			rc = kd_fail(err, "bt -a: %d of %d CPUs could not be shown in full (said above)",
				     failed, k->nr_cpus);
	} else if (optind == argc) {
		struct kd_task t;
		uint64_t addr;
		int cpu;

		if (kd_panic_cpu(k, &cpu, err) != 0 || kd_cpu_curr(k, cpu, &addr, err) != 0 ||
		    kd_task_read(k, addr, &t, err) != 0) {
			kd_wrap(err, "bt: no panic task (try bt -a or bt PID)");
			rc = -1;
		} else {
			rc = backtrace_one(s, u, &t, &o, false, out, err);
		}
	} else {
		for (int i = optind; i < argc; i++) {
			struct kd_task t;

			if (task_from_arg(k, argv[i], &t, &one) != 0 ||
			    backtrace_one(s, u, &t, &o, shown++ > 0, out, &one) != 0) {
				*err = one;
				rc = -1;
			}
		}
	}
	kd_unwinder_free(u);
	return rc;
}

const struct kd_command kd_cmd_bt = {
	.name = "bt",
	.usage = "bt [-a] [-l] [-f] [-s [-x]] [PID | TASK]...",
	.summary = "kernel stack backtrace of a task (default: the panic task)",
	.help = "  -a   the task that was running on each CPU\n"
		"  -l   source file and line of each frame\n"
		"  -f   the stack words of each frame\n"
		"  -s   function+offset (decimal; -x for hex)\n"
		"PID is decimal; TASK is a task_struct address in hex. Frames are those the\n"
		"kernel's ORC unwind data proves; stack words that merely look like return\n"
		"addresses are not shown. Exception frames print the saved registers, and\n"
		"\"--- <IRQ stack> ---\" marks where the walk leaves an interrupt stack.\n",
	.run = run_bt,
};
