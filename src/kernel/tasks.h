/* Tasks of the crashed kernel: every thread, by walking init_task.tasks
 * and each process's signal->thread_head, the per-CPU idle tasks, and which
 * task ran on each CPU. */
#ifndef KD_KERNEL_TASKS_H
#define KD_KERNEL_TASKS_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/kernel.h"

struct kd_task {
	uint64_t addr;         /* task_struct */
	int pid, tgid, ppid;
	char comm[16 + 1];
	uint64_t state;        /* __state (or state on old kernels) */
	uint64_t exit_state;
	uint64_t flags;        /* PF_* */
	int cpu;               /* task_cpu(): thread_info.cpu or cpu */
	uint64_t mm;           /* NULL for kernel threads */
	uint64_t stack;        /* base of the kernel stack */
	uint64_t parent;       /* real_parent task_struct */
};

#define KD_PF_KTHREAD 0x00200000

/* Reads the task_struct at addr. */
int kd_task_read(struct kd_kernel *k, uint64_t addr, struct kd_task *t, kd_err *err);

/* Calls cb for every thread: the idle task of each CPU (init_task first),
 * then processes in list order, threads after their leader. A non-zero
 * return from cb stops the walk and is returned. A corrupt list stops with
 * an error naming the task where it broke. */
typedef int (*kd_task_cb)(struct kd_kernel *k, const struct kd_task *t, void *arg);
int kd_tasks_foreach(struct kd_kernel *k, kd_task_cb cb, void *arg, kd_err *err);

/* The task with this pid (the thread, not only a leader). */
int kd_task_by_pid(struct kd_kernel *k, int pid, struct kd_task *t, kd_err *err);

/* The task whose task_struct is at addr (it must be in the task list). */
int kd_task_by_addr(struct kd_kernel *k, uint64_t addr, struct kd_task *t, kd_err *err);

/* The task that was running on cpu (the runqueue's curr). */
int kd_cpu_curr(struct kd_kernel *k, int cpu, uint64_t *task, kd_err *err);

/* The CPU that panicked or crashed (panic_cpu), and its task. */
int kd_panic_cpu(struct kd_kernel *k, int *cpu, kd_err *err);

#endif
