#include "unwind/backtrace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "disasm/opcodes.h"
#include "dump/dump.h"
#include "kernel/modules.h"
#include "kernel/symbols.h"
#include "kernel/types.h"
#include "symbols/symbolizer.h"
#include "unwind/module_orc.h"
#include "unwind/orc.h"

#define PT_REGS_SIZE 168        /* 21 words */
#define IRET_FRAME_OFFSET 128   /* offsetof(struct pt_regs, ip) */
#define IRET_FRAME_SIZE 40      /* ip cs flags sp ss */
#define PRSTATUS_REG_OFFSET 112 /* offsetof(struct elf_prstatus, pr_reg) */
#define PRSTATUS_PID_OFFSET 32  /* offsetof(struct elf_prstatus, pr_pid) */
#define MAX_FRAMES 512

struct range {
	uint64_t start, end;
};

/* A module's ORC tables, copied out of the dump. */
struct mod_orc {
	uint64_t module;       /* struct module */
	struct kd_orc_table t; /* t.n == 0: none */
	unsigned char *buf;
	char why[256];         /* why there is none */
};

struct kd_unwinder {
	struct kd_kernel *k;
	struct kd_orc_table vmlinux;
	unsigned char *vmlinux_orc;    /* the tables read from the dump, without a vmlinux */
	struct mod_orc *mods;
	size_t n_mods;
	struct kd_stacks stacks;
	uint64_t ret_from_fork;        /* where a new task's first switch returns */
	struct range machine_kexec;    /* kdump's last kernel function */
	struct range entry_text;       /* __entry_text_start..end: syscall and interrupt entry */
	struct range crash_nmi_callback;
	int64_t thread_sp_off;         /* task_struct.thread.sp */
	int64_t frame_ret_off, frame_bp_off, frame_size; /* struct inactive_task_frame */
	int panic_cpu;                 /* -1 if none */
};

/* ---- setup -------------------------------------------------------- */

/* The ORC entry format from struct orc_entry itself: `end` went away in
 * 6.4, `signal` came in 6.3. */
static int orc_version(struct kd_kernel *k, enum kd_orc_version *v, kd_err *err)
{
	bool has_end, has_signal;

	if (kd_kernel_sizeof(k, "orc_entry", err) < 0)
		return kd_wrap(err, "%s: cannot tell this kernel's ORC format", k->vmlinux_path);
	has_end = kd_kernel_offsetof(k, "orc_entry", "end", NULL) >= 0;
	has_signal = kd_kernel_offsetof(k, "orc_entry", "signal", NULL) >= 0;
	*v = has_signal ? (has_end ? KD_ORC_V2 : KD_ORC_V3) : KD_ORC_V1;
	return 0;
}

/* [func, func + 64K): a bound for the scan's cheap test; a hit is then
 * checked by name. */
static void func_range(struct kd_kernel *k, const char *func, struct range *r)
{
	r->start = r->end = 0;
	if (kd_kernel_symbol(k, func, &r->start, NULL) == 0)
		r->end = r->start + (1u << 16);
}

/* Without the vmlinux, the tables are read where the kernel keeps them. */
static int orc_from_memory(struct kd_unwinder *u, const void **ip, size_t *ip_len, const void **orc,
			   size_t *orc_len, kd_err *err)
{
	struct kd_kernel *k = u->k;
	uint64_t a, b, c, d;

	if (kd_kernel_symbol(k, "__start_orc_unwind_ip", &a, NULL) != 0 ||
	    kd_kernel_symbol(k, "__stop_orc_unwind_ip", &b, NULL) != 0 ||
	    kd_kernel_symbol(k, "__start_orc_unwind", &c, NULL) != 0 ||
	    kd_kernel_symbol(k, "__stop_orc_unwind", &d, NULL) != 0)
		return 1; /* no ORC in this kernel */
	if (b <= a || d <= c || b - a > (64u << 20) || d - c > (96u << 20))
		return kd_fail(err, KD_ERR_CORRUPT, "the kernel's ORC tables [0x%llx, 0x%llx) and [0x%llx, "
			       "0x%llx) are not tables", (unsigned long long)a, (unsigned long long)b,
			       (unsigned long long)c, (unsigned long long)d);
	*ip_len = (size_t)(b - a);
	*orc_len = (size_t)(d - c);
	if (!(u->vmlinux_orc = malloc(*ip_len + *orc_len)))
		return kd_oom(err);
	if (kd_kernel_read(k, a, u->vmlinux_orc, *ip_len, err) != 0 ||
	    kd_kernel_read(k, c, u->vmlinux_orc + *ip_len, *orc_len, err) != 0)
		return kd_wrap(err, "the kernel's ORC tables");
	*ip = u->vmlinux_orc;
	*orc = u->vmlinux_orc + *ip_len;
	return 0;
}

static int load_vmlinux_orc(struct kd_unwinder *u, kd_err *err)
{
	struct kd_kernel *k = u->k;
	const void *ip, *orc;
	size_t ip_len, orc_len;
	uint64_t ip_addr;
	int rc;

	/* A kernel built without CONFIG_UNWINDER_ORC has none: then DWARF CFI
	 * and frame pointers unwind it. */
	if (!k->vmlinux) {
		if ((rc = orc_from_memory(u, &ip, &ip_len, &orc, &orc_len, err)) != 0)
			return rc < 0 ? -1 : 0;
	} else if (kd_symfile_section(k->vmlinux, ".orc_unwind_ip", &ip, &ip_len, NULL) != 0 ||
		   kd_symfile_section(k->vmlinux, ".orc_unwind", &orc, &orc_len, NULL) != 0) {
		return 0;
	}
	if (ip_len % 4 || orc_len % 6 || ip_len / 4 != orc_len / 6 || ip_len == 0)
		return kd_fail(err, KD_ERR_CORRUPT, "%s: .orc_unwind_ip has %zu bytes and .orc_unwind %zu: "
			       "not parallel tables of 4- and 6-byte entries", k->vmlinux_path,
			       ip_len, orc_len);
	if (kd_kernel_symbol(k, "__start_orc_unwind_ip", &ip_addr, err) != 0)
		return kd_wrap(err, "%s", k->vmlinux_path);
	u->vmlinux.ip_addr = ip_addr;
	u->vmlinux.ip = ip;
	u->vmlinux.orc = orc;
	u->vmlinux.n = ip_len / 4;
	return orc_version(k, &u->vmlinux.version, err);
}

struct kd_unwinder *kd_unwinder_new(struct kd_kernel *k, kd_err *err)
{
	struct kd_unwinder *u = calloc(1, sizeof(*u));
	uint64_t addr;

	if (!u) {
		kd_oom(err);
		return NULL;
	}
	u->k = k;
	if (load_vmlinux_orc(u, err) != 0 || kd_stacks_init(k, &u->stacks, err) != 0) {
		kd_unwinder_free(u);
		return NULL;
	}
	if (kd_kernel_symbol(k, "ret_from_fork_asm", &addr, NULL) == 0 ||
	    kd_kernel_symbol(k, "ret_from_fork", &addr, NULL) == 0)
		u->ret_from_fork = addr;
	func_range(k, "machine_kexec", &u->machine_kexec);
	if (kd_kernel_symbol(k, "__entry_text_start", &u->entry_text.start, NULL) != 0 ||
	    kd_kernel_symbol(k, "__entry_text_end", &u->entry_text.end, NULL) != 0)
		u->entry_text.start = u->entry_text.end = 0;
	func_range(k, "crash_nmi_callback", &u->crash_nmi_callback);
	u->thread_sp_off = kd_kernel_offsetof(k, "task_struct", "thread.sp", NULL);
	u->frame_ret_off = kd_kernel_offsetof(k, "inactive_task_frame", "ret_addr", NULL);
	u->frame_bp_off = kd_kernel_offsetof(k, "inactive_task_frame", "bp", NULL);
	u->frame_size = kd_kernel_sizeof(k, "inactive_task_frame", NULL);
	if (u->frame_ret_off < 0 || u->frame_bp_off < 0 || u->frame_size <= 0) {
		/* {r15 r14 r13 r12 bx bp ret_addr} since 4.9 */
		u->frame_ret_off = 48;
		u->frame_bp_off = 40;
		u->frame_size = 56;
	}
	if (kd_panic_cpu(k, &u->panic_cpu, NULL) != 0)
		u->panic_cpu = -1;
	return u;
}

void kd_unwinder_free(struct kd_unwinder *u)
{
	if (!u)
		return;
	kd_stacks_free(&u->stacks);
	for (size_t i = 0; i < u->n_mods; i++)
		free(u->mods[i].buf);
	free(u->mods);
	free(u->vmlinux_orc);
	free(u);
}

/* ---- symbols and ORC lookup --------------------------------------- */

/* A module's ORC table, built once: from its .ko when its debug file is
 * loaded, else from the dump's copy (module_orc.h says why both). */
static const struct mod_orc *module_orc(struct kd_unwinder *u, struct kd_module *m)
{
	struct mod_orc *mo, *grown;
	kd_err err = { "" };

	for (size_t i = 0; i < u->n_mods; i++)
		if (u->mods[i].module == m->addr)
			return &u->mods[i];
	if (!(grown = realloc(u->mods, (u->n_mods + 1) * sizeof(*grown))))
		return NULL;
	u->mods = grown;
	mo = &u->mods[u->n_mods++];
	memset(mo, 0, sizeof(*mo));
	mo->module = m->addr;
	if ((m->debug_path &&
	     kd_module_orc_from_ko(u->k, m, m->debug_path, &mo->t, &mo->buf, &err) == 0) ||
	    kd_module_orc_from_memory(u->k, m, &mo->t, &mo->buf, &err) == 0) {
		mo->t.version = u->vmlinux.version;
		return mo;
	}
	memset(&mo->t, 0, sizeof(mo->t));
	snprintf(mo->why, sizeof(mo->why), "%.250s", err.msg);
	return mo;
}

/* A DWARF CFI rule in ORC's terms: vmlinux's .debug_frame, or the
 * module's .ko once loaded. For code ORC leaves undefined (functions
 * objtool was told to skip, STACK_FRAME_NON_STANDARD, such as 6.1's
 * __crash_kexec), and for kernels without ORC. */
static int cfi_rule(struct kd_unwinder *u, uint64_t ip, struct kd_orc_entry *e, kd_err *err)
{
	struct kd_cfi_rule r;
	struct kd_symfile *sf;
	uint64_t file_addr;

	if (kd_kernel_debug_file(u->k, ip, &sf, &file_addr) != 0)
		return kd_fail(err, KD_ERR_LOOKUP, "no debug info for 0x%llx", (unsigned long long)ip);
	if (kd_symfile_cfi(sf, file_addr, &r, err) != 0)
		return -1;
	if (r.cfa_reg != 7 && r.cfa_reg != 6)
		return kd_fail(err, KD_ERR_UNSUPPORTED, "DWARF CFI at 0x%llx: CFA is based on register %d",
			       (unsigned long long)ip, r.cfa_reg);
	memset(e, 0, sizeof(*e));
	e->type = KD_ORC_TYPE_CALL;
	e->sp_reg = r.cfa_reg == 7 ? KD_ORC_REG_SP : KD_ORC_REG_BP;
	e->sp_offset = (int32_t)r.cfa_offset;
	e->bp_reg = r.bp_saved ? KD_ORC_REG_PREV_SP : KD_ORC_REG_UNDEFINED;
	e->bp_offset = (int32_t)r.bp_offset;
	return 0;
}

/* The stack depth a function without ORC or CFI (objtool skips a few,
 * such as 6.1's __crash_kexec, and without the vmlinux there is no CFI)
 * has at ip, from its code as gdb's prologue analysis finds it: pushes,
 * pops and `sub/add $n,%rsp` from its start along the fall-through path.
 * Code after a `ret` or `jmp` is reached from elsewhere: it is taken to
 * run at the body's depth, the deepest the prologue made. The return
 * address this gives must lead to code (step() checks it). */
static int prologue_rule(struct kd_unwinder *u, uint64_t ip, struct kd_orc_entry *e, kd_err *err)
{
	unsigned char code[1024];
	int64_t depth = 0, body = 0, bp_depth = -1;
	struct kd_sym fn;
	size_t len;

	if (kd_kernel_symbolize(u->k, ip, &fn) != 0 || ip - fn.start + 16 > sizeof(code))
		return kd_fail(err, KD_ERR_LOOKUP, "no unwind data for 0x%llx", (unsigned long long)ip);
	len = (size_t)(ip - fn.start) + 16;
	if (kd_kernel_read(u->k, fn.start, code, len, err) != 0)
		return -1;
	for (size_t off = 0; fn.start + off <= ip;) {
		struct kd_insn insn;
		const char *t, *imm;

		kd_insn_decode(code, len, off, fn.start + off, KD_CODE_X86_64, &insn);
		if (insn.len <= 0)
			return kd_fail(err, KD_ERR_CORRUPT, "cannot decode %s+%zu", fn.name, off);
		if (fn.start + off == ip)
			break;
		t = insn.text;
		if (strncmp(t, "push ", 5) == 0) {
			depth += 8;
			if (strstr(t, "%rbp"))
				bp_depth = depth;
		} else if (strncmp(t, "pop ", 4) == 0) {
			depth -= 8;
		} else if (strncmp(t, "ret", 3) == 0 || strncmp(t, "jmp ", 4) == 0) {
			depth = body;
		} else if (strstr(t, ",%rsp") && (imm = strchr(t, '$')) &&
			   (strncmp(t, "sub ", 4) == 0 || strncmp(t, "add ", 4) == 0)) {
			depth += (t[0] == 's' ? 1 : -1) * (int64_t)strtoll(imm + 1, NULL, 0);
		} else if (strstr(t, ",%rsp") || strncmp(t, "leave", 5) == 0) {
			/* (copying %rsp elsewhere, as `mov %rsp,%rbp`, leaves it be) */
			return kd_fail(err, KD_ERR_UNSUPPORTED, "%s sets its stack pointer in a way "
				       "prologue analysis does not follow (%s)", fn.name, t);
		}
		if (depth > body)
			body = depth;
		if (depth < 0 || depth > 8192)
			return kd_fail(err, KD_ERR_UNSUPPORTED, "%s: no sensible stack depth at +%zu", fn.name,
				       off);
		off += (size_t)insn.len;
	}
	memset(e, 0, sizeof(*e));
	e->type = KD_ORC_TYPE_CALL;
	e->sp_reg = KD_ORC_REG_SP;
	e->sp_offset = (int32_t)(depth + 8);
	/* a pushed rbp sits below the return address, at its push's depth */
	e->bp_reg = bp_depth >= 0 ? KD_ORC_REG_PREV_SP : KD_ORC_REG_UNDEFINED;
	e->bp_offset = (int32_t)(-8 - bp_depth);
	return 0;
}

/* ip's ORC entry: -1 with err when its table has none, *no_table when it
 * has no table at all (a kernel or module built without ORC). */
static int orc_rule(struct kd_unwinder *u, uint64_t ip, struct kd_orc_entry *e, bool *no_table,
		    kd_err *err)
{
	struct kd_module *m;

	*no_table = false;
	if (kd_kernel_in_text(u->k, ip)) {
		*no_table = u->vmlinux.n == 0;
		if (kd_orc_find(&u->vmlinux, ip, e) == 0 && e->type != KD_ORC_TYPE_UNDEFINED)
			return 0;
		return kd_fail(err, KD_ERR_LOOKUP, "no ORC data for 0x%llx", (unsigned long long)ip);
	}
	if ((m = kd_module_at(u->k, ip))) {
		const struct mod_orc *mo = module_orc(u, m);
		if (!mo)
			return kd_oom(err);
		if (!mo->t.n) {
			*no_table = true;
			return kd_fail(err, KD_ERR_LOOKUP, "%s", mo->why);
		}
		if (kd_orc_find(&mo->t, ip, e) == 0 && e->type != KD_ORC_TYPE_UNDEFINED)
			return 0;
		return kd_fail(err, KD_ERR_LOOKUP, "module %s has no ORC data for 0x%llx", m->name,
			       (unsigned long long)ip);
	}
	return kd_fail(err, KD_ERR_LOOKUP, "0x%llx is in neither the kernel's text nor a module's",
		       (unsigned long long)ip);
}

/* In the entry code a new task first returns to (ret_from_fork_asm from
 * 6.6, ret_from_fork before). */
static bool in_ret_from_fork(struct kd_unwinder *u, uint64_t ip)
{
	struct kd_sym s;

	return kd_kernel_symbolize(u->k, ip, &s) == 0 && s.start == u->ret_from_fork;
}

/* How to find the caller of the code at ip: ORC; else DWARF CFI; else, in
 * entry code, the pt_regs it pushed at the stack pointer (where entry
 * code calls into C); else, where the code keeps frame pointers (no ORC
 * table at all, or no_orc asked), the saved rbp and return address above
 * rbp. Frames are never guessed from stack words. */
static int unwind_rule(struct kd_unwinder *u, uint64_t ip, uint64_t sp,
		       const struct kd_stack_area *stack, bool no_orc, struct kd_orc_entry *e,
		       enum kd_unwind_how *how, kd_err *err)
{
	bool no_table = no_orc, in_entry = ip >= u->entry_text.start && ip < u->entry_text.end;

	if (!no_orc) {
		if (orc_rule(u, ip, e, &no_table, err) == 0) {
			*how = KD_UNWIND_ORC;
			return 0;
		}
		if (err->code == KD_ERR_NOMEM)
			return -1;
	}
	/* Where ORC marks the end: a new task's first return, and the frame
	 * just below the pt_regs at the top of a task's stack (what an idle
	 * task's startup code and a kernel thread leave there). */
	if (no_table && (in_ret_from_fork(u, ip) ||
			 (!in_entry && stack->kind == KD_STACK_TASK && sp <= stack->end &&
			  stack->end - sp <= PT_REGS_SIZE))) {
		memset(e, 0, sizeof(*e));
		e->type = KD_ORC_TYPE_END_OF_STACK;
		*how = KD_UNWIND_ENTRY;
		return 0;
	}
	if (cfi_rule(u, ip, e, NULL) == 0) {
		*how = KD_UNWIND_CFI;
		return 0;
	}
	if (!no_table && !u->k->vmlinux && prologue_rule(u, ip, e, NULL) == 0) {
		*how = KD_UNWIND_PROLOGUE;
		return 0;
	}
	if (no_table && in_entry) {
		memset(e, 0, sizeof(*e));
		e->type = KD_ORC_TYPE_REGS;
		e->sp_reg = KD_ORC_REG_SP;
		*how = KD_UNWIND_ENTRY;
		return 0;
	}
	if (no_table) {
		/* push %rbp; mov %rsp,%rbp: the caller's sp is rbp + 16, the
		 * return address at rbp + 8, the caller's rbp at rbp. */
		memset(e, 0, sizeof(*e));
		e->type = KD_ORC_TYPE_CALL;
		e->sp_reg = KD_ORC_REG_BP;
		e->sp_offset = 16;
		e->bp_reg = KD_ORC_REG_PREV_SP;
		e->bp_offset = -16;
		*how = KD_UNWIND_FP;
		return 0;
	}
	if (no_orc)
		return kd_fail(err, KD_ERR_LOOKUP, "no DWARF CFI for 0x%llx", (unsigned long long)ip);
	return -1;
}

/* ---- the walk ------------------------------------------------------ */

struct state {
	const struct kd_task *task;
	bool no_orc;                /* KD_BT_NO_ORC */
	uint64_t ip, sp, bp;
	bool signal;
	bool have_regs, full_regs, have_prev;
	struct kd_regs regs, prev_regs;
	struct kd_stack_area stack; /* where sp is */
};

static int push(struct kd_backtrace *bt, const struct kd_frame *f, kd_err *err)
{
	if (bt->n == bt->cap) {
		size_t cap = bt->cap ? bt->cap * 2 : 32;
		struct kd_frame *n = realloc(bt->frames, cap * sizeof(*n));
		if (!n)
			return kd_oom(err);
		bt->frames = n;
		bt->cap = cap;
	}
	bt->frames[bt->n++] = *f;
	return 0;
}

/* Records why the walk ended early: the inner error (kept with its code,
 * so a page the dump lacks stays a fault) under fmt's context, or fmt
 * alone with code. */
static void stop(struct kd_backtrace *bt, const char *fmt, unsigned long long a, const kd_err *why,
		 enum kd_err_code code)
{
	char head[160];

	snprintf(head, sizeof(head), fmt, a);
	bt->stopped = true;
	if (why && why->msg[0]) {
		bt->stop = *why;
		kd_wrap(&bt->stop, "%s", head);
	} else {
		kd_fail(&bt->stop, code, "%s", head);
	}
}

/* Reads stack memory: only from a known stack, like the kernel's
 * stack_access_ok(), so garbage cannot send the walk anywhere. */
static int read_stack(struct kd_unwinder *u, struct state *s, uint64_t addr, void *buf,
		      size_t len, struct kd_stack_area *area, kd_err *err)
{
	struct kd_stack_area a;

	if (kd_stack_find(&u->stacks, s->task->stack, addr, len, &a) != 0)
		return kd_fail(err, KD_ERR_CORRUPT, "0x%llx is on no stack of this task or its CPU",
			       (unsigned long long)addr);
	if (kd_kernel_read(u->k, addr, buf, len, err) != 0)
		return -1;
	if (area)
		*area = a;
	return 0;
}

static int read_word(struct kd_unwinder *u, struct state *s, uint64_t addr, uint64_t *v,
		     kd_err *err)
{
	return read_stack(u, s, addr, v, sizeof(*v), NULL, err);
}

static bool get_reg(const struct state *s, size_t word, uint64_t *v)
{
	const struct kd_regs *r;

	if (!s->have_regs)
		return false;
	if (s->full_regs)
		r = &s->regs;
	else if (s->have_prev)
		r = &s->prev_regs;
	else
		return false;
	*v = ((const uint64_t *)r)[word];
	return true;
}

#define REG_WORD(name) (offsetof(struct kd_regs, name) / 8)

static bool is_exception_stack(enum kd_stack_kind k)
{
	return k == KD_STACK_IRQ || k == KD_STACK_EXCEPTION || k == KD_STACK_ENTRY;
}

/* Emits a stack-end marker when the walk moves off an IRQ/exception stack,
 * then f. *last is the stack of the previous item. */
static int emit(struct kd_backtrace *bt, struct kd_stack_area *last, struct kd_frame *f,
		kd_err *err)
{
	if (last->kind != KD_STACK_UNKNOWN && is_exception_stack(last->kind) &&
	    (last->begin != f->stack.begin || last->kind != f->stack.kind)) {
		struct kd_frame end = { .kind = KD_FRAME_STACK_END, .stack = *last };
		if (push(bt, &end, err) != 0)
			return -1;
	}
	*last = f->stack;
	return push(bt, f, err);
}

enum step { STEP_OK, STEP_END, STEP_ERR };

/* One unwind_next_frame(): from s, the caller's state. The frame that
 * found it (a return address, or a pt_regs) goes to *f. */
static enum step step(struct kd_unwinder *u, struct state *s, struct kd_frame *f,
		      struct kd_backtrace *bt)
{
	struct kd_orc_entry e;
	uint64_t sp, tmp, prev_sp = s->sp;
	struct kd_stack_area prev_stack = s->stack;
	enum kd_unwind_how how = KD_UNWIND_ORC;
	kd_err err = { "" };

	memset(f, 0, sizeof(*f));
	if (s->have_regs && (s->regs.cs & 3))
		return STEP_END;
	if (unwind_rule(u, s->signal ? s->ip : s->ip - 1, s->sp, &s->stack, s->no_orc, &e, &how,
			&err) != 0) {
		stop(bt, "no unwind data at 0x%llx", (unsigned long long)s->ip, &err, 0);
		return STEP_ERR;
	}
	if (e.type == KD_ORC_TYPE_END_OF_STACK)
		return STEP_END;
	switch (e.sp_reg) {
	case KD_ORC_REG_SP:
		sp = s->sp + (uint64_t)(int64_t)e.sp_offset;
		break;
	case KD_ORC_REG_BP:
		sp = s->bp + (uint64_t)(int64_t)e.sp_offset;
		break;
	case KD_ORC_REG_SP_INDIRECT:
		if (read_word(u, s, s->sp, &sp, &err) != 0)
			goto bad_read;
		sp += (uint64_t)(int64_t)e.sp_offset;
		break;
	case KD_ORC_REG_BP_INDIRECT:
		if (read_word(u, s, s->bp + (uint64_t)(int64_t)e.sp_offset, &sp, &err) != 0)
			goto bad_read;
		break;
	case KD_ORC_REG_R10:
	case KD_ORC_REG_R13:
	case KD_ORC_REG_DI:
	case KD_ORC_REG_DX: {
		size_t w = e.sp_reg == KD_ORC_REG_R10 ? REG_WORD(r10) :
			   e.sp_reg == KD_ORC_REG_R13 ? REG_WORD(r13) :
			   e.sp_reg == KD_ORC_REG_DI ? REG_WORD(di) : REG_WORD(dx);
		if (!get_reg(s, w, &sp)) {
			stop(bt, "unwinding at 0x%llx needs a register that was not saved",
			     (unsigned long long)s->ip, NULL, KD_ERR_CORRUPT);
			return STEP_ERR;
		}
		break;
	}
	default:
		stop(bt, "ORC entry at 0x%llx has an unknown stack base register",
		     (unsigned long long)s->ip, NULL, KD_ERR_UNSUPPORTED);
		return STEP_ERR;
	}

	switch (e.type) {
	case KD_ORC_TYPE_CALL:
		f->kind = KD_FRAME_CALL;
		f->slot = sp - 8;
		if (read_stack(u, s, f->slot, &s->ip, 8, &f->stack, &err) != 0)
			goto bad_read;
		f->ip = s->ip;
		s->sp = sp;
		s->have_regs = s->have_prev = false;
		break;
	case KD_ORC_TYPE_REGS:
		f->kind = KD_FRAME_REGS;
		f->regs_addr = sp;
		if (read_stack(u, s, sp, &f->regs, PT_REGS_SIZE, &f->stack, &err) != 0)
			goto bad_read;
		s->regs = f->regs;
		s->have_regs = s->full_regs = true;
		s->have_prev = false;
		s->ip = f->ip = f->regs.ip;
		s->sp = f->regs.sp;
		break;
	case KD_ORC_TYPE_REGS_PARTIAL: {
		uint64_t iret[5];
		f->kind = KD_FRAME_REGS;
		f->partial = true;
		f->regs_addr = sp - IRET_FRAME_OFFSET;
		if (read_stack(u, s, sp, iret, IRET_FRAME_SIZE, &f->stack, &err) != 0)
			goto bad_read;
		f->regs.ip = iret[0];
		f->regs.cs = iret[1];
		f->regs.flags = iret[2];
		f->regs.sp = iret[3];
		f->regs.ss = iret[4];
		if (s->have_regs && s->full_regs) {
			s->prev_regs = s->regs;
			s->have_prev = true;
		}
		s->regs = f->regs;
		s->have_regs = true;
		s->full_regs = false;
		s->ip = f->ip = f->regs.ip;
		s->sp = f->regs.sp;
		break;
	}
	default:
		stop(bt, "ORC entry at 0x%llx has an unknown type", (unsigned long long)s->ip, NULL,
		     KD_ERR_UNSUPPORTED);
		return STEP_ERR;
	}
	f->exact = f->kind == KD_FRAME_REGS;
	f->how = how;
	/* A frame pointer is only a pointer: where it does not lead to code,
	 * the code did not keep one, and the walk stops rather than guess. */
	if (how == KD_UNWIND_FP && !kd_kernel_in_text(u->k, f->ip) && !kd_module_at(u->k, f->ip)) {
		stop(bt, "the frame pointer at 0x%llx leads to no code: this code keeps none",
		     (unsigned long long)s->bp, NULL, KD_ERR_CORRUPT);
		return STEP_ERR;
	}
	if (how == KD_UNWIND_PROLOGUE && !kd_kernel_in_text(u->k, f->ip) && !kd_module_at(u->k, f->ip)) {
		stop(bt, "no unwind data at 0x%llx (prologue analysis found no return address)",
		     (unsigned long long)s->ip, NULL, KD_ERR_LOOKUP);
		return STEP_ERR;
	}

	switch (e.bp_reg) {
	case KD_ORC_REG_UNDEFINED:
		if (get_reg(s, REG_WORD(bp), &tmp))
			s->bp = tmp;
		break;
	case KD_ORC_REG_PREV_SP:
		if (read_word(u, s, sp + (uint64_t)(int64_t)e.bp_offset, &s->bp, &err) != 0)
			goto bad_read;
		break;
	case KD_ORC_REG_BP:
		if (read_word(u, s, s->bp + (uint64_t)(int64_t)e.bp_offset, &s->bp, &err) != 0)
			goto bad_read;
		break;
	default:
		stop(bt, "ORC entry at 0x%llx has an unknown frame pointer rule",
		     (unsigned long long)s->ip, NULL, KD_ERR_UNSUPPORTED);
		return STEP_ERR;
	}
	s->signal = e.signal;

	/* A user-mode sp is on no kernel stack: the walk ends there. */
	if (s->have_regs && (s->regs.cs & 3))
		return STEP_OK;
	if (kd_stack_find(&u->stacks, s->task->stack, s->sp, 8, &s->stack) != 0) {
		memset(&s->stack, 0, sizeof(s->stack));
	} else if (s->stack.kind == prev_stack.kind && s->stack.begin == prev_stack.begin &&
		   s->sp <= prev_sp) {
		/* Bad data could loop forever. */
		stop(bt, "stack going in the wrong direction at 0x%llx",
		     (unsigned long long)s->ip, NULL, KD_ERR_CORRUPT);
		return STEP_ERR;
	}
	return STEP_OK;

bad_read:
	stop(bt, "cannot read the stack unwinding 0x%llx", (unsigned long long)s->ip, &err, 0);
	return STEP_ERR;
}

static int walk(struct kd_unwinder *u, struct state *s, struct kd_backtrace *bt,
		struct kd_stack_area *last, kd_err *err)
{
	for (int i = 0; i < MAX_FRAMES; i++) {
		struct kd_frame f;
		enum step r = step(u, s, &f, bt);

		if (r != STEP_OK)
			return 0;
		if (emit(bt, last, &f, err) != 0)
			return -1;
		/* crash shows the interrupted function as a frame of its own
		 * after leaving an exception stack. */
		if (f.kind == KD_FRAME_REGS && !(f.regs.cs & 3) &&
		    (f.stack.kind == KD_STACK_EXCEPTION || f.stack.kind == KD_STACK_ENTRY)) {
			struct kd_frame g = { .kind = KD_FRAME_CALL, .slot = f.regs.sp, .ip = f.regs.ip,
					      .exact = true, .stack = s->stack };
			if (emit(bt, last, &g, err) != 0)
				return -1;
		}
	}
	stop(bt, "more than %d frames: stopped", MAX_FRAMES, NULL, KD_ERR_CORRUPT);
	return 0;
}

/* ---- where the walk starts ------------------------------------------ */

static void regs_from_prstatus(const unsigned char *desc, struct kd_regs *r)
{
	memcpy(r, desc + PRSTATUS_REG_OFFSET, sizeof(*r));
}

/* The registers the dump saved for the CPU the task ran on: the note with
 * the task's pid (kdump writes current's pid), else the CPU's note. */
static int cpu_regs(struct kd_unwinder *u, const struct kd_task *t, struct kd_regs *r)
{
	struct kd_dump *d = u->k->dump;
	size_t n = kd_dump_ncpu_notes(d);
	const void *desc;
	size_t len;

	if (t->pid != 0 && n != (size_t)u->k->nr_cpus) {
		for (size_t i = 0; i < n; i++) {
			int32_t pid;
			if (kd_dump_prstatus(d, i, &desc, &len) != 0 ||
			    len < PRSTATUS_REG_OFFSET + sizeof(*r))
				continue;
			memcpy(&pid, (const unsigned char *)desc + PRSTATUS_PID_OFFSET, 4);
			if (pid == t->pid) {
				regs_from_prstatus(desc, r);
				return 0;
			}
		}
	}
	if (t->cpu < 0 || (size_t)t->cpu >= n || kd_dump_prstatus(d, (size_t)t->cpu, &desc, &len) != 0 ||
	    len < PRSTATUS_REG_OFFSET + sizeof(*r))
		return -1;
	regs_from_prstatus(desc, r);
	return 0;
}

/* Finds, on stack area a, the lowest word that is a return address into
 * fn: where a function that never returned left its caller's frame. */
static int scan_for(struct kd_unwinder *u, const struct kd_stack_area *a, const struct range *fn,
		    const char *name, uint64_t *slot)
{
	unsigned char page[4096];

	if (!fn->start || a->begin >= a->end)
		return -1;
	for (uint64_t p = a->begin & ~4095ULL; p < a->end; p += 4096) {
		if (kd_kernel_read(u->k, p, page, sizeof(page), NULL) != 0)
			continue;
		for (size_t i = 0; i < sizeof(page); i += 8) {
			uint64_t v, at = p + i;
			if (at < a->begin || at + 8 > a->end)
				continue;
			memcpy(&v, page + i, 8);
			struct kd_sym sym;
			if (v > fn->start && v <= fn->end && kd_kernel_symbolize(u->k, v - 1, &sym) == 0 &&
			    strcmp(sym.name, name) == 0) {
				*slot = at;
				return 0;
			}
		}
	}
	return -1;
}

/* Where machine_kexec called relocate_kernel: on the task stack or one of
 * the CPU's IRQ/exception stacks (a panic in interrupt context). */
static int find_kexec(struct kd_unwinder *u, const struct kd_task *t, uint64_t *slot)
{
	struct kd_stack_area task = { KD_STACK_TASK, -1, "process", t->stack,
				      t->stack + u->stacks.thread_size };
	const struct kd_cpu_stacks *c;

	if (scan_for(u, &task, &u->machine_kexec, "machine_kexec", slot) == 0)
		return 0;
	if (t->cpu < 0 || t->cpu >= u->stacks.nr_cpus)
		return -1;
	c = &u->stacks.cpu[t->cpu];
	if (scan_for(u, &c->irq, &u->machine_kexec, "machine_kexec", slot) == 0)
		return 0;
	for (int i = 0; i < c->n_estack; i++)
		if (scan_for(u, &c->estack[i], &u->machine_kexec, "machine_kexec", slot) == 0)
			return 0;
	return -1;
}

/* crash_nmi_callback runs on the NMI stack, or on the task stack when the
 * NMI came from user mode (the entry code moves there). */
static int find_nmi_callback(struct kd_unwinder *u, const struct kd_task *t, uint64_t *slot)
{
	struct kd_stack_area task = { KD_STACK_TASK, -1, "process", t->stack,
				      t->stack + u->stacks.thread_size };
	const struct kd_cpu_stacks *c;

	if (t->cpu < 0 || t->cpu >= u->stacks.nr_cpus)
		return -1;
	c = &u->stacks.cpu[t->cpu];
	for (int i = 0; i < c->n_estack; i++)
		if (strcmp(c->estack[i].name, "NMI") == 0 &&
		    scan_for(u, &c->estack[i], &u->crash_nmi_callback, "crash_nmi_callback", slot) == 0)
			return 0;
	return scan_for(u, &task, &u->crash_nmi_callback, "crash_nmi_callback", slot);
}

/* Starts at a return address found on the stack at slot. */
static int start_at_slot(struct kd_unwinder *u, struct state *s, uint64_t slot,
			 struct kd_backtrace *bt, struct kd_stack_area *last, kd_err *err)
{
	struct kd_frame f = { .kind = KD_FRAME_CALL, .slot = slot };

	if (read_stack(u, s, slot, &f.ip, 8, &f.stack, err) != 0)
		return -1;
	s->ip = f.ip;
	s->sp = slot + 8;
	s->stack = f.stack;
	s->signal = false;
	return emit(bt, last, &f, err);
}

static int in_task_stack(struct kd_unwinder *u, const struct kd_task *t, uint64_t addr)
{
	return t->stack && addr >= t->stack && addr < t->stack + u->stacks.thread_size;
}

static int backtrace_once(struct kd_unwinder *u, const struct kd_task *t, unsigned flags,
			  struct kd_backtrace *bt, kd_err *err)
{
	struct kd_kernel *k = u->k;
	struct state s = { .task = t, .no_orc = flags & KD_BT_NO_ORC };
	struct kd_stack_area last = { 0 }, area;
	uint64_t curr = 0, slot;
	struct kd_task unknown;
	struct kd_regs r;

	/* A CPU's task without its task_struct: its stack is the one the
	 * CPU's saved stack pointer is on, unless that is a per-CPU stack. */
	if (t->unreadable) {
		if (cpu_regs(u, t, &r) != 0)
			return kd_fail(err, KD_ERR_LOOKUP, "the task_struct of CPU %d's task 0x%llx is not in "
				       "the dump, and %s holds no registers for that CPU", t->cpu,
				       (unsigned long long)t->addr, k->dump_path);
		unknown = *t;
		if (kd_stack_find(&u->stacks, 0, r.sp, 8, &area) != 0)
			unknown.stack = r.sp & ~(u->stacks.thread_size - 1);
		s.task = t = &unknown;
	}
	bt->n = 0;
	bt->stopped = false;
	memset(&bt->stop, 0, sizeof(bt->stop));
	bt->start = NULL;
	bt->active = t->cpu >= 0 && t->cpu < k->nr_cpus && kd_cpu_curr(k, t->cpu, &curr, NULL) == 0 &&
		     curr == t->addr;
	if (!t->stack && !t->unreadable)
		return kd_fail(err, KD_ERR_LOOKUP, "task %d (0x%llx) has no kernel stack (exited?)", t->pid,
			       (unsigned long long)t->addr);

	bt->running = bt->active && kd_kernel_live(k);
	if (bt->running)
		return 0;
	if (!bt->active) {
		uint64_t sp, frame[8];
		if (u->thread_sp_off < 0)
			return kd_fail(err, KD_ERR_UNSUPPORTED, "task_struct has no thread.sp: cannot find where task %d "
				       "stopped", t->pid);
		if (kd_kernel_read_u64(k, t->addr + (uint64_t)u->thread_sp_off, &sp, err) != 0)
			return kd_wrap(err, "task %d's saved stack pointer", t->pid);
		if (!in_task_stack(u, t, sp) || (size_t)u->frame_size > sizeof(frame))
			return kd_fail(err, KD_ERR_CORRUPT, "task %d's saved stack pointer 0x%llx is not on its stack "
				       "0x%llx", t->pid, (unsigned long long)sp,
				       (unsigned long long)t->stack);
		if (kd_kernel_read(k, sp, frame, (size_t)u->frame_size, err) != 0)
			return kd_wrap(err, "task %d's stack", t->pid);
		bt->start = "inactive";
		s.sp = sp + (uint64_t)u->frame_size;
		s.bp = frame[u->frame_bp_off / 8];
		s.ip = frame[u->frame_ret_off / 8];
		s.signal = s.ip == u->ret_from_fork;
		kd_stack_find(&u->stacks, t->stack, sp, 8, &s.stack);
		struct kd_frame f = { .kind = KD_FRAME_CALL, .slot = sp + (uint64_t)u->frame_ret_off,
				      .ip = s.ip, .stack = s.stack };
		if (emit(bt, &last, &f, err) != 0)
			return -1;
		return walk(u, &s, bt, &last, err);
	}

	/* kdump: the panicking CPU ran machine_kexec; the others were
	 * stopped by an NMI and sit in crash_nmi_callback. */
	if (t->cpu == u->panic_cpu && find_kexec(u, t, &slot) == 0) {
		bt->start = "machine_kexec";
		if (start_at_slot(u, &s, slot, bt, &last, err) != 0)
			return -1;
		/* relocate_kernel pushed rbx then rbp below the return address. */
		read_word(u, &s, slot - 16, &s.bp, NULL);
		return walk(u, &s, bt, &last, err);
	}
	if (t->cpu != u->panic_cpu && find_nmi_callback(u, t, &slot) == 0) {
		bt->start = "crash_nmi_callback";
		if (start_at_slot(u, &s, slot, bt, &last, err) != 0)
			return -1;
		return walk(u, &s, bt, &last, err);
	}
	if (cpu_regs(u, t, &r) != 0)
		return kd_fail(err, KD_ERR_LOOKUP, "%s holds no registers for CPU %d, where task %d was running",
			       k->dump_path, t->cpu, t->pid);
	bt->start = "registers";
	struct kd_frame f = { .kind = KD_FRAME_REGS, .ip = r.ip, .exact = true, .regs = r };
	kd_stack_find(&u->stacks, t->stack, r.sp, 8, &f.stack);
	if (push(bt, &f, err) != 0)
		return -1;
	last = f.stack;
	if (r.cs & 3)
		return 0;
	s.ip = r.ip;
	s.sp = r.sp;
	s.bp = r.bp;
	s.regs = r;
	s.have_regs = s.full_regs = true;
	s.signal = true;
	s.stack = f.stack;
	return walk(u, &s, bt, &last, err);
}

int kd_backtrace_task(struct kd_unwinder *u, const struct kd_task *t, unsigned flags,
		      struct kd_backtrace *bt, kd_err *err)
{
	uint64_t before, after;
	int rc;

	if (!kd_kernel_live(u->k) || t->unreadable || kd_task_switches(u->k, t, &before, NULL) != 0)
		return backtrace_once(u, t, flags, bt, err);
	/* A live task may run while its stack is read: walk again until the
	 * walk saw one sleep. */
	for (int tries = 1;; tries++) {
		rc = backtrace_once(u, t, flags, bt, err);
		if (kd_task_switches(u->k, t, &after, NULL) != 0 || after == before)
			return rc;
		if (tries == 3) {
			if (rc == 0 && bt->stopped)
				kd_wrap(&bt->stop, "task %d kept running while its stack was read", t->pid);
			return rc;
		}
		before = after;
	}
}

void kd_backtrace_free(struct kd_backtrace *bt)
{
	free(bt->frames);
	memset(bt, 0, sizeof(*bt));
}
