#include "kernel/tasks.h"

#include <string.h>

#include "base/err.h"

/* Older kernels name the state field "state", 5.14+ "__state". */
static int read_state(struct kd_kernel *k, uint64_t addr, uint64_t *v, kd_err *err)
{
	if (kd_kernel_member(k, addr, "task_struct", "__state", v, NULL) == 0)
		return 0;
	return kd_kernel_member(k, addr, "task_struct", "state", v, err);
}

/* CONFIG_THREAD_INFO_IN_TASK keeps the CPU in thread_info (5.16+) or in
 * task_struct.cpu (before). */
static int read_cpu(struct kd_kernel *k, uint64_t addr, uint64_t *v, kd_err *err)
{
	if (kd_kernel_member(k, addr, "task_struct", "thread_info.cpu", v, NULL) == 0)
		return 0;
	return kd_kernel_member(k, addr, "task_struct", "cpu", v, err);
}

int kd_task_read(struct kd_kernel *k, uint64_t addr, struct kd_task *t, kd_err *err)
{
	uint64_t pid, tgid, cpu, ppid = 0;
	int64_t comm;

	memset(t, 0, sizeof(*t));
	t->addr = addr;
	if ((comm = kd_kernel_offsetof(k, "task_struct", "comm", err)) < 0 ||
	    kd_kernel_read(k, addr + (uint64_t)comm, t->comm, 16, err) != 0 ||
	    kd_kernel_member(k, addr, "task_struct", "pid", &pid, err) != 0 ||
	    kd_kernel_member(k, addr, "task_struct", "tgid", &tgid, err) != 0 ||
	    read_state(k, addr, &t->state, err) != 0 ||
	    kd_kernel_member(k, addr, "task_struct", "exit_state", &t->exit_state, err) != 0 ||
	    kd_kernel_member(k, addr, "task_struct", "flags", &t->flags, err) != 0 ||
	    read_cpu(k, addr, &cpu, err) != 0 ||
	    kd_kernel_member(k, addr, "task_struct", "mm", &t->mm, err) != 0 ||
	    kd_kernel_member(k, addr, "task_struct", "stack", &t->stack, err) != 0 ||
	    kd_kernel_member(k, addr, "task_struct", "real_parent", &t->parent, err) != 0)
		return kd_wrap(err, "task_struct at 0x%llx", (unsigned long long)addr);
	t->comm[16] = '\0';
	t->pid = (int)pid;
	t->tgid = (int)tgid;
	t->cpu = (int)cpu;
	if (t->parent && t->parent != addr)
		kd_kernel_member(k, t->parent, "task_struct", "pid", &ppid, NULL);
	t->ppid = (int)ppid;
	return 0;
}

/* Walks a circular list_head from head, giving each entry's container.
 * Bounded, so a corrupted list cannot loop forever. */
#define KD_MAX_TASKS (1 << 22)

static int walk_list(struct kd_kernel *k, uint64_t head, int64_t member_off,
		     int (*fn)(struct kd_kernel *, uint64_t, void *), void *arg, kd_err *err)
{
	uint64_t pos;
	long n = 0;

	if (kd_kernel_read_u64(k, head, &pos, err) != 0)
		return -1;
	while (pos != head) {
		int rc;

		if (++n > KD_MAX_TASKS)
			return kd_fail(err, "list at 0x%llx does not end: corrupted?",
				       (unsigned long long)head);
		if ((rc = fn(k, pos - (uint64_t)member_off, arg)) != 0)
			return rc;
		if (kd_kernel_read_u64(k, pos, &pos, err) != 0)
			return kd_wrap(err, "list at 0x%llx broke", (unsigned long long)head);
	}
	return 0;
}

struct walk {
	kd_task_cb cb;
	void *arg;
	kd_err *err;
	int64_t thread_head, thread_node;
};

static int visit_thread(struct kd_kernel *k, uint64_t addr, void *arg)
{
	struct walk *w = arg;
	struct kd_task t;

	if (kd_task_read(k, addr, &t, w->err) != 0)
		return -1;
	return w->cb(k, &t, w->arg);
}

static int visit_process(struct kd_kernel *k, uint64_t addr, void *arg)
{
	struct walk *w = arg;
	uint64_t signal;

	if (kd_kernel_member(k, addr, "task_struct", "signal", &signal, w->err) != 0)
		return kd_wrap(w->err, "task_struct at 0x%llx", (unsigned long long)addr);
	/* A process whose signal_struct is gone (exiting) still counts. */
	if (!signal)
		return visit_thread(k, addr, arg);
	return walk_list(k, signal + (uint64_t)w->thread_head, w->thread_node, visit_thread, w,
			 w->err);
}

/* The idle tasks of the other CPUs (swapper/N, pid 0) are on no list:
 * each runqueue points at its own. */
static int visit_idle(struct kd_kernel *k, uint64_t init_task, struct walk *w)
{
	for (int cpu = 1; cpu < k->nr_cpus; cpu++) {
		uint64_t rq, idle;
		int rc;

		if (kd_kernel_per_cpu(k, "runqueues", cpu, &rq, w->err) != 0 ||
		    kd_kernel_member(k, rq, "rq", "idle", &idle, w->err) != 0)
			return kd_wrap(w->err, "CPU %d's runqueue", cpu);
		if (idle && idle != init_task && (rc = visit_thread(k, idle, w)) != 0)
			return rc;
	}
	return 0;
}

int kd_tasks_foreach(struct kd_kernel *k, kd_task_cb cb, void *arg, kd_err *err)
{
	struct walk w = { cb, arg, err, 0, 0 };
	uint64_t init_task;
	int64_t tasks;
	int rc;

	if (kd_kernel_symbol(k, "init_task", &init_task, err) != 0 ||
	    (tasks = kd_kernel_offsetof(k, "task_struct", "tasks", err)) < 0 ||
	    (w.thread_head = kd_kernel_offsetof(k, "signal_struct", "thread_head", err)) < 0 ||
	    (w.thread_node = kd_kernel_offsetof(k, "task_struct", "thread_node", err)) < 0)
		return -1;
	/* init_task (the idle task of CPU 0) is the list head, not an entry. */
	if ((rc = visit_thread(k, init_task, &w)) != 0 || (rc = visit_idle(k, init_task, &w)) != 0)
		return rc;
	return walk_list(k, init_task + (uint64_t)tasks, tasks, visit_process, &w, err);
}

/* The task with a given pid, or at a given task_struct address. */
struct find {
	int pid;          /* -1: match by address */
	uint64_t addr;
	struct kd_task *out;
};

static int match(struct kd_kernel *k, const struct kd_task *t, void *arg)
{
	struct find *f = arg;

	(void)k;
	if (f->pid >= 0 ? t->pid != f->pid : t->addr != f->addr)
		return 0;
	*f->out = *t;
	return 1;
}

static int find_task(struct kd_kernel *k, struct find *f, kd_err *err)
{
	int rc = kd_tasks_foreach(k, match, f, err);

	if (rc < 0)
		return -1;
	if (rc == 0)
		return f->pid >= 0 ? kd_fail(err, "no task with pid %d", f->pid)
				   : kd_fail(err, "0x%llx is not a task_struct of this kernel",
					     (unsigned long long)f->addr);
	return 0;
}

int kd_task_by_pid(struct kd_kernel *k, int pid, struct kd_task *t, kd_err *err)
{
	struct find f = { pid, 0, t };

	return find_task(k, &f, err);
}

int kd_task_by_addr(struct kd_kernel *k, uint64_t addr, struct kd_task *t, kd_err *err)
{
	struct find f = { -1, addr, t };

	return find_task(k, &f, err);
}

int kd_cpu_curr(struct kd_kernel *k, int cpu, uint64_t *task, kd_err *err)
{
	uint64_t rq;

	if (kd_kernel_per_cpu(k, "runqueues", cpu, &rq, err) != 0 ||
	    kd_kernel_member(k, rq, "rq", "curr", task, err) != 0)
		return kd_wrap(err, "CPU %d's runqueue", cpu);
	return 0;
}

int kd_panic_cpu(struct kd_kernel *k, int *cpu, kd_err *err)
{
	uint64_t addr;
	uint32_t v;

	if (kd_kernel_symbol(k, "panic_cpu", &addr, err) != 0 ||
	    kd_kernel_read_u32(k, addr, &v, err) != 0)
		return -1;
	if ((int32_t)v < 0 || (int)v >= k->nr_cpus)
		return kd_fail(err, "no CPU panicked (panic_cpu is %d)", (int32_t)v);
	*cpu = (int)v;
	return 0;
}
