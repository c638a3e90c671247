/* The stacks a kernel thread of execution can be on: its task stack, the
 * per-CPU hard-IRQ stack, the per-CPU exception (IST) stacks in the CPU
 * entry area (double fault, NMI, debug, machine check, SEV's VC), and the
 * per-CPU entry (trampoline) stack. Layouts come from BTF, so 6.1's
 * hardirq_stack_ptr and 6.2+'s pcpu_hot.hardirq_stack_ptr both work. */
#ifndef KD_UNWIND_STACK_H
#define KD_UNWIND_STACK_H

#include <stdint.h>

#include "kernel/kernel.h"

enum kd_stack_kind {
	KD_STACK_UNKNOWN = 0,
	KD_STACK_TASK,
	KD_STACK_IRQ,
	KD_STACK_EXCEPTION,
	KD_STACK_ENTRY,
};

struct kd_stack_area {
	enum kd_stack_kind kind;
	int cpu;                /* -1 for a task stack */
	const char *name;       /* crash's name: "IRQ", "NMI", "DOUBLEFAULT", ... */
	uint64_t begin, end;    /* [begin, end) */
};

#define KD_MAX_ESTACKS 6

struct kd_cpu_stacks {
	struct kd_stack_area irq;
	struct kd_stack_area estack[KD_MAX_ESTACKS];
	int n_estack;
	struct kd_stack_area entry;
};

struct kd_stacks {
	uint64_t thread_size;   /* task stack size */
	int nr_cpus;
	struct kd_cpu_stacks *cpu; /* per CPU; areas with begin == end are unknown */
};

/* Finds every CPU's stacks. What cannot be found (a per-CPU area left out
 * of the dump) stays unknown; only out of memory fails. */
int kd_stacks_init(struct kd_kernel *k, struct kd_stacks *s, kd_err *err);
void kd_stacks_free(struct kd_stacks *s);

/* The area holding [addr, addr + len): the task's own stack (task_stack is
 * task->stack) or a CPU's. 0, or -1 when addr is on no known stack. */
int kd_stack_find(const struct kd_stacks *s, uint64_t task_stack, uint64_t addr, uint64_t len,
		  struct kd_stack_area *out);

#endif
