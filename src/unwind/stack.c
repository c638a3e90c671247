#include "unwind/stack.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "kernel/types.h"

#define DEFAULT_THREAD_SIZE 16384

/* The IRQ stack's top: 6.1 has the per-CPU pointer hardirq_stack_ptr,
 * 6.2+ moved it into struct pcpu_hot. Either points at the topmost word
 * (top - 8), to save the adjustment in the entry path. */
static int irq_stack_top(struct kd_kernel *k, int cpu, uint64_t *top)
{
	uint64_t addr, ptr;
	int64_t off;

	if (kd_kernel_per_cpu(k, "hardirq_stack_ptr", cpu, &addr, NULL) == 0) {
		/* found */
	} else if (kd_kernel_per_cpu(k, "pcpu_hot", cpu, &addr, NULL) == 0 &&
		   (off = kd_kernel_offsetof(k, "pcpu_hot", "hardirq_stack_ptr", NULL)) >= 0) {
		addr += (uint64_t)off;
	} else {
		return -1;
	}
	if (kd_kernel_read_u64(k, addr, &ptr, NULL) != 0 || !ptr)
		return -1;
	*top = ptr + 8;
	return 0;
}

static int64_t member_size(struct kd_kernel *k, const char *type, const char *member,
			   int64_t *offset)
{
	struct kd_member m;

	if (kd_types_member(k->types, type, member, &m, NULL) != 0)
		return -1;
	*offset = (int64_t)m.offset;
	return (int64_t)m.size;
}

/* IST stacks in the CPU entry area: the per-CPU pointer
 * cea_exception_stacks points at this CPU's struct cea_exception_stacks,
 * whose *_stack members are the stacks (between guard pages). */
static const struct {
	const char *member, *name;
} estacks[KD_MAX_ESTACKS] = {
	{ "DF_stack", "DOUBLEFAULT" }, { "NMI_stack", "NMI" }, { "DB_stack", "DEBUG" },
	{ "MCE_stack", "MCE" },        { "VC_stack", "VC" },   { "VC2_stack", "VC2" },
};

static void exception_stacks(struct kd_kernel *k, int cpu, struct kd_cpu_stacks *c)
{
	uint64_t addr, base;
	int64_t off, size;

	if (kd_kernel_per_cpu(k, "cea_exception_stacks", cpu, &addr, NULL) != 0 ||
	    kd_kernel_read_u64(k, addr, &base, NULL) != 0 || !base)
		return;
	for (int i = 0; i < KD_MAX_ESTACKS; i++) {
		if ((size = member_size(k, "cea_exception_stacks", estacks[i].member, &off)) <= 0)
			continue;
		struct kd_stack_area *a = &c->estack[c->n_estack++];
		a->kind = KD_STACK_EXCEPTION;
		a->cpu = cpu;
		a->name = estacks[i].name;
		a->begin = base + (uint64_t)off;
		a->end = a->begin + (uint64_t)size;
	}
	/* The entry stack is in the same CPU entry area. */
	int64_t est = kd_kernel_offsetof(k, "cpu_entry_area", "estacks", NULL);
	if (est >= 0 && (size = member_size(k, "cpu_entry_area", "entry_stack_page", &off)) > 0) {
		uint64_t cea = base - (uint64_t)est;
		c->entry.kind = KD_STACK_ENTRY;
		c->entry.cpu = cpu;
		c->entry.name = "entry trampoline";
		c->entry.begin = cea + (uint64_t)off;
		c->entry.end = c->entry.begin + (uint64_t)size;
	}
}

int kd_stacks_init(struct kd_kernel *k, struct kd_stacks *s, kd_err *err)
{
	int64_t size = kd_kernel_sizeof(k, "thread_union", NULL);
	int64_t irq_size = kd_kernel_sizeof(k, "irq_stack", NULL);

	memset(s, 0, sizeof(*s));
	s->thread_size = size > 0 ? (uint64_t)size : DEFAULT_THREAD_SIZE;
	if (irq_size <= 0)
		irq_size = (int64_t)s->thread_size;
	s->nr_cpus = k->nr_cpus;
	s->cpu = calloc((size_t)k->nr_cpus, sizeof(*s->cpu));
	if (!s->cpu)
		return kd_oom(err);
	for (int cpu = 0; cpu < k->nr_cpus; cpu++) {
		struct kd_cpu_stacks *c = &s->cpu[cpu];
		uint64_t top;

		if (irq_stack_top(k, cpu, &top) == 0) {
			c->irq.kind = KD_STACK_IRQ;
			c->irq.cpu = cpu;
			c->irq.name = "IRQ";
			c->irq.begin = top - (uint64_t)irq_size;
			c->irq.end = top;
		}
		exception_stacks(k, cpu, c);
	}
	return 0;
}

void kd_stacks_free(struct kd_stacks *s)
{
	free(s->cpu);
	s->cpu = NULL;
}

static int inside(const struct kd_stack_area *a, uint64_t addr, uint64_t len)
{
	return a->begin < a->end && addr >= a->begin && addr + len <= a->end && addr + len >= addr;
}

int kd_stack_find(const struct kd_stacks *s, uint64_t task_stack, uint64_t addr, uint64_t len,
		  struct kd_stack_area *out)
{
	struct kd_stack_area task = { KD_STACK_TASK, -1, "process", task_stack,
				      task_stack + s->thread_size };

	if (task_stack && inside(&task, addr, len)) {
		*out = task;
		return 0;
	}
	for (int cpu = 0; cpu < s->nr_cpus; cpu++) {
		const struct kd_cpu_stacks *c = &s->cpu[cpu];

		if (inside(&c->irq, addr, len)) {
			*out = c->irq;
			return 0;
		}
		for (int i = 0; i < c->n_estack; i++)
			if (inside(&c->estack[i], addr, len)) {
				*out = c->estack[i];
				return 0;
			}
		if (inside(&c->entry, addr, len)) {
			*out = c->entry;
			return 0;
		}
	}
	return -1;
}
