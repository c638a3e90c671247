/* Tasks of the crashed kernel: every thread, by walking init_task.tasks
 * and each process's signal->thread_head, the per-CPU idle tasks, and which
 * task ran on each CPU. The list is read once per kernel and kept (a dump
 * does not change), with indexes by pid and by address. */
#ifndef KD_KERNEL_TASKS_H
#define KD_KERNEL_TASKS_H

#include <stdbool.h>
#include <stddef.h>
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
	bool unreadable;       /* a CPU's task whose task_struct the dump lacks: only
				* addr and cpu are known (pid -1, comm "?") */
};

/* Reads the task_struct at addr. */
int kd_task_read(struct kd_kernel *k, uint64_t addr, struct kd_task *t, kd_err *err);

/* Every thread, in walk order: the idle task of each CPU (init_task
 * first), then processes in list order, threads after their leader. A
 * list that breaks (a task the dump lacks, a corrupt link) gives every
 * task it could still reach (those after a gap through the prev links)
 * and -1 with err naming where it broke; out of memory gives none. */
int kd_tasks(struct kd_kernel *k, const struct kd_task **tasks, size_t *n, kd_err *err);
void kd_tasks_free(struct kd_tasks *ts);

/* Calls cb for every thread of kd_tasks(), then returns the list's error
 * if it broke. A non-zero return from cb stops and is returned. */
typedef int (*kd_task_cb)(struct kd_kernel *k, const struct kd_task *t, void *arg);
int kd_tasks_foreach(struct kd_kernel *k, kd_task_cb cb, void *arg, kd_err *err);

/* The task with this pid (the thread, not only a leader; pid 0 is CPU 0's
 * idle task). */
int kd_task_by_pid(struct kd_kernel *k, int pid, struct kd_task *t, kd_err *err);

/* The task whose task_struct is at addr (it must be in the task list). */
int kd_task_by_addr(struct kd_kernel *k, uint64_t addr, struct kd_task *t, kd_err *err);

/* The task that was running on cpu (the runqueue's curr). */
int kd_cpu_curr(struct kd_kernel *k, int cpu, uint64_t *task, kd_err *err);

/* Whether t was some CPU's current task. -1 with err when a runqueue
 * cannot be read. */
int kd_task_is_current(struct kd_kernel *k, const struct kd_task *t, bool *yes, kd_err *err);

/* The task running on cpu. When its task_struct is not in the dump (a page
 * makedumpfile excluded) the task is still returned, unreadable: its
 * stack can be unwound from the CPU's saved registers. */
int kd_cpu_task(struct kd_kernel *k, int cpu, struct kd_task *t, kd_err *err);

/* The CPU that panicked or crashed (panic_cpu), and its task (as
 * kd_cpu_task). */
int kd_panic_cpu(struct kd_kernel *k, int *cpu, kd_err *err);
int kd_panic_task(struct kd_kernel *k, struct kd_task *t, int *cpu, kd_err *err);

/* How often t switched out (nvcsw + nivcsw), read now: on a live kernel a
 * count that moved means the task ran meanwhile. */
int kd_task_switches(struct kd_kernel *k, const struct kd_task *t, uint64_t *n, kd_err *err);

/* --- what a task is ---------------------------------------------------- */

bool kd_task_is_kthread(const struct kd_task *t);

/* crash's task order (ps, foreach): by pid, the idle tasks by CPU. */
int kd_task_order(const struct kd_task *a, const struct kd_task *b);
bool kd_task_is_zombie(const struct kd_task *t);

/* crash's two-letter state (ps's ST column): RU IN UN ID ST TR ZO DE PA WA NE. */
const char *kd_task_state_short(const struct kd_task *t);

/* crash's verbose state ("TASK_RUNNING", "TASK_INTERRUPTIBLE|TASK_WAKEKILL"). */
void kd_task_state_long(const struct kd_task *t, char *buf, size_t size);

/* The task's thread_info: inside the task_struct with
 * THREAD_INFO_IN_TASK, else at the base of its stack. */
uint64_t kd_task_thread_info(struct kd_kernel *k, const struct kd_task *t);

/* Memory use as crash's ps shows it: VSZ and RSS in KiB, and RSS as a
 * percentage of the memory below high_memory (kernel/task_mem.c).
 * Nothing for kernel threads, zombies and exiting tasks whose mm is gone. */
struct kd_task_mem {
	uint64_t vsz_kb, rss_kb;
	double pct;
};
int kd_task_mem(struct kd_kernel *k, const struct kd_task *t, struct kd_task_mem *m, kd_err *err);
struct kd_task_mem_cache;
void kd_task_mem_cache_free(struct kd_task_mem_cache *c);

/* Reads the task's user memory through its page tables (mm->pgd). A page
 * the dump lacks (makedumpfile's dump levels with 8 drop user pages) or
 * one not mapped is an error naming it; a kernel thread has none. */
int kd_task_read_user(struct kd_kernel *k, const struct kd_task *t, uint64_t uaddr, void *buf,
		      size_t len, kd_err *err);

#endif
