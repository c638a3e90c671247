/* Kernel stack walks with ORC, the kernel's own unwinder data, the way
 * arch/x86/kernel/unwind_orc.c does it: only frames ORC proves are shown
 * (no stack-word guessing). A walk starts
 *   - for a sleeping task, at its struct inactive_task_frame (thread.sp);
 *   - for the task that ran kdump's machine_kexec, at the return address
 *     machine_kexec left when it jumped to relocate_kernel (as crash does);
 *   - for a CPU that kdump stopped with an NMI, at crash_nmi_callback on
 *     its NMI stack;
 *   - otherwise (QEMU dumps) at the CPU's registers in the dump's
 *     NT_PRSTATUS note.
 * and follows exception frames (struct pt_regs) across the IRQ, exception
 * and entry stacks down to the user-mode registers or the stack's end.
 * Where ORC has nothing (a kernel or module built without it, or asked
 * with KD_BT_NO_ORC), DWARF CFI unwinds; then, in entry code, the pt_regs
 * at the stack pointer; then, only in code known to keep them (no ORC
 * table at all, or KD_BT_NO_ORC), frame pointers. */
#ifndef KD_UNWIND_BACKTRACE_H
#define KD_UNWIND_BACKTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/kernel.h"
#include "kernel/tasks.h"
#include "unwind/stack.h"

/* struct pt_regs order: also the first 21 words of user_regs_struct. */
struct kd_regs {
	uint64_t r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax;
	uint64_t ip, cs, flags, sp, ss;
};

/* How a frame was found from the one before it. */
enum kd_unwind_how {
	KD_UNWIND_START, /* where the walk began: saved registers, the task's switch frame */
	KD_UNWIND_ORC,   /* the kernel's ORC data */
	KD_UNWIND_CFI,   /* DWARF call frame information (vmlinux, or the module's .ko) */
	KD_UNWIND_ENTRY, /* entry code: the pt_regs it pushed at the stack pointer */
	KD_UNWIND_FP,    /* the frame pointer chain */
	KD_UNWIND_PROLOGUE, /* the function's prologue decoded (no ORC, no CFI: no vmlinux) */
};

/* kd_backtrace_task flags. */
enum {
	KD_BT_NO_ORC = 1, /* as a kernel without ORC: DWARF CFI, entry code, frame pointers */
};

enum kd_frame_kind {
	KD_FRAME_CALL,      /* a function: return address (or exact ip) */
	KD_FRAME_REGS,      /* registers saved by an exception or interrupt */
	KD_FRAME_STACK_END, /* the walk leaves an IRQ/exception/entry stack */
};

struct kd_frame {
	enum kd_frame_kind kind;
	uint64_t slot;        /* CALL: where ip is stored on the stack, or the sp */
	uint64_t ip;          /* CALL: text address; REGS: regs.ip */
	bool exact;           /* ip is where execution stood, not a return address */
	struct kd_regs regs;  /* REGS */
	uint64_t regs_addr;   /* REGS: address of the pt_regs, 0 for a dump note */
	bool partial;         /* REGS: only the IRET frame (ip cs flags sp ss) is valid */
	struct kd_stack_area stack; /* the stack slot/regs_addr is on (STACK_END: the one left) */
	enum kd_unwind_how how;
};

struct kd_backtrace {
	struct kd_frame *frames;
	size_t n, cap;
	bool active;          /* the task was running on a CPU */
	bool running;         /* ... on a live kernel: no frames, its stack
			       * changes while it would be read */
	const char *start;    /* how the walk started: "inactive", "machine_kexec", ... */
	bool stopped;         /* the walk ended early ... */
	kd_err stop;          /* ... and why */
};

struct kd_unwinder;

struct kd_unwinder *kd_unwinder_new(struct kd_kernel *k, kd_err *err);
void kd_unwinder_free(struct kd_unwinder *u);

/* Walks t's kernel stack into bt (reset first). Returns 0 even when the
 * walk stops early (bt->stopped, bt->stop says why); -1 with err when it cannot start
 * (no registers, stack not in the dump) or on out of memory. */
int kd_backtrace_task(struct kd_unwinder *u, const struct kd_task *t, unsigned flags,
		      struct kd_backtrace *bt, kd_err *err);
void kd_backtrace_free(struct kd_backtrace *bt);

#endif
