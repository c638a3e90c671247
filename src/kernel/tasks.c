#include "kernel/tasks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"

#define PF_KTHREAD 0x00200000

/* __state and exit_state bits, stable since 4.14 (BTF needs 5.2+). */
#define TASK_INTERRUPTIBLE 0x1
#define TASK_UNINTERRUPTIBLE 0x2
#define TASK_STOPPED 0x4
#define TASK_TRACED 0x8
#define EXIT_DEAD 0x10
#define EXIT_ZOMBIE 0x20
#define TASK_PARKED 0x40
#define TASK_DEAD 0x80
#define TASK_WAKEKILL 0x100
#define TASK_WAKING 0x200
#define TASK_NOLOAD 0x400
#define TASK_NEW 0x800

struct kd_tasks {
	struct kd_task *v;  /* walk order */
	size_t n, cap;
	size_t *by_pid;     /* indexes into v, by pid, walk order among equals */
	size_t *by_addr;    /* indexes into v, by task_struct address */
	bool broke;         /* the walk stopped early: why */
	kd_err why;
	uint64_t *curr;     /* each CPU's current task, once read */
};

void kd_tasks_free(struct kd_tasks *ts)
{
	if (!ts)
		return;
	free(ts->v);
	free(ts->by_pid);
	free(ts->by_addr);
	free(ts->curr);
	free(ts);
}

/* Member `name` of the task_struct, or `old` on kernels without it. */
static int read_either(struct kd_kernel *k, uint64_t addr, const char *name, const char *old,
		       uint64_t *v, kd_err *err)
{
	return kd_kernel_member(k, addr, "task_struct",
				kd_kernel_offsetof(k, "task_struct", name, NULL) >= 0 ? name : old, v, err);
}

/* Older kernels name the state field "state", 5.14+ "__state". */
static int read_state(struct kd_kernel *k, uint64_t addr, uint64_t *v, kd_err *err)
{
	return read_either(k, addr, "__state", "state", v, err);
}

/* CONFIG_THREAD_INFO_IN_TASK keeps the CPU in thread_info (5.16+) or in
 * task_struct.cpu (before). */
static int read_cpu(struct kd_kernel *k, uint64_t addr, uint64_t *v, kd_err *err)
{
	return read_either(k, addr, "thread_info.cpu", "cpu", v, err);
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

/* --- reading the list ------------------------------------------------ */

/* Walks a circular list_head from head, giving each entry's container.
 * Bounded, so a corrupted list cannot loop forever. Where an entry cannot
 * be read (a page the dump lacks), the entries after it are found from the
 * other end through the prev pointers, and the first error is returned
 * after every entry that could be reached was given. */
#define KD_MAX_TASKS (1 << 22)

/* The entries reachable backwards from head, up to (not including) stop:
 * their list_heads in forward order. */
static size_t walk_back(struct kd_kernel *k, uint64_t head, uint64_t stop, uint64_t **out)
{
	uint64_t pos, *v = NULL;
	size_t n = 0, cap = 0;

	*out = NULL;
	if (kd_kernel_read_u64(k, head + 8, &pos, NULL) != 0)
		return 0;
	while (pos != head && pos != stop && n < KD_MAX_TASKS) {
		if (n == cap) {
			uint64_t *nv = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof(*v));
			if (!nv)
				break;
			v = nv;
		}
		v[n++] = pos;
		if (kd_kernel_read_u64(k, pos + 8, &pos, NULL) != 0)
			break; /* a second gap: what lies between is lost */
	}
	for (size_t i = 0; i < n / 2; i++) {
		uint64_t t = v[i];
		v[i] = v[n - 1 - i];
		v[n - 1 - i] = t;
	}
	*out = v;
	return n;
}

/* fn and the walk report into the same err: the first failure is kept;
 * true when it is out of memory, which ends the walk. */
static bool note_failure(kd_err *err, kd_err *first, bool *failed)
{
	if (err && err->code == KD_ERR_NOMEM)
		return true;
	if (!*failed && err)
		*first = *err;
	*failed = true;
	return false;
}

static int walk_list(struct kd_kernel *k, uint64_t head, int64_t member_off,
		     int (*fn)(struct kd_kernel *, uint64_t, void *), void *arg, kd_err *err)
{
	bool failed = false, oom = false;
	uint64_t pos, next, *rest;
	kd_err first = { 0 };
	size_t nrest;
	long n = 0;

	if (kd_kernel_read_u64(k, head, &pos, err) != 0)
		return -1;
	while (pos != head && !oom) {
		if (++n > KD_MAX_TASKS)
			return kd_fail(err, KD_ERR_CORRUPT, "list at 0x%llx does not end: corrupted?",
				       (unsigned long long)head);
		if (fn(k, pos - (uint64_t)member_off, arg) != 0 && note_failure(err, &first, &failed))
			return -1;
		if (kd_kernel_read_u64(k, pos, &next, err) == 0) {
			pos = next;
			continue;
		}
		kd_wrap(err, "list at 0x%llx broke at 0x%llx", (unsigned long long)head,
			(unsigned long long)pos);
		if (note_failure(err, &first, &failed))
			return -1;
		/* the entries after the gap, from the other end */
		nrest = walk_back(k, head, pos, &rest);
		for (size_t i = 0; i < nrest && !oom; i++)
			oom = fn(k, rest[i] - (uint64_t)member_off, arg) != 0 && err &&
			      err->code == KD_ERR_NOMEM;
		free(rest);
		break;
	}
	if (oom)
		return -1;
	if (!failed)
		return 0;
	if (err)
		*err = first;
	return -1;
}

struct walk {
	struct kd_tasks *ts;
	kd_err *err;
	int64_t thread_head, thread_node;
};

static int visit_thread(struct kd_kernel *k, uint64_t addr, void *arg)
{
	struct walk *w = arg;
	struct kd_tasks *ts = w->ts;

	if (ts->n == ts->cap) {
		size_t cap = ts->cap ? ts->cap * 2 : 256;
		struct kd_task *v = realloc(ts->v, cap * sizeof(*v));
		if (!v)
			return kd_oom(w->err);
		ts->v = v;
		ts->cap = cap;
	}
	if (kd_task_read(k, addr, &ts->v[ts->n], w->err) != 0)
		return -1;
	ts->n++;
	return 0;
}

static int visit_process(struct kd_kernel *k, uint64_t addr, void *arg)
{
	struct walk *w = arg;
	uint64_t signal, first;

	if (kd_kernel_member(k, addr, "task_struct", "signal", &signal, w->err) != 0)
		return kd_wrap(w->err, "task_struct at 0x%llx", (unsigned long long)addr);
	/* A process whose signal_struct is gone (exiting) still counts. */
	if (!signal)
		return visit_thread(k, addr, arg);
	/* ... and so does one whose thread list the dump lacks: its leader */
	if (kd_kernel_read_u64(k, signal + (uint64_t)w->thread_head, &first, w->err) != 0) {
		kd_wrap(w->err, "the threads of task 0x%llx", (unsigned long long)addr);
		kd_err why = *w->err;
		if (visit_thread(k, addr, arg) != 0 && w->err->code == KD_ERR_NOMEM)
			return -1;
		*w->err = why;
		return -1;
	}
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

static int walk_all(struct kd_kernel *k, struct kd_tasks *ts, kd_err *err)
{
	struct walk w = { ts, err, 0, 0 };
	uint64_t init_task;
	int64_t tasks;

	if (kd_kernel_symbol(k, "init_task", &init_task, err) != 0 ||
	    (tasks = kd_kernel_offsetof(k, "task_struct", "tasks", err)) < 0 ||
	    (w.thread_head = kd_kernel_offsetof(k, "signal_struct", "thread_head", err)) < 0 ||
	    (w.thread_node = kd_kernel_offsetof(k, "task_struct", "thread_node", err)) < 0)
		return -1;
	/* init_task (the idle task of CPU 0) is the list head, not an entry. */
	if (visit_thread(k, init_task, &w) != 0 || visit_idle(k, init_task, &w) != 0)
		return -1;
	return walk_list(k, init_task + (uint64_t)tasks, tasks, visit_process, &w, err);
}

static int cmp_pid(const void *a, const void *b, void *tasks)
{
	const struct kd_task *v = tasks;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	if (v[x].pid != v[y].pid)
		return v[x].pid < v[y].pid ? -1 : 1;
	return (x > y) - (x < y);
}

static int cmp_addr(const void *a, const void *b, void *tasks)
{
	const struct kd_task *v = tasks;
	uint64_t x = v[*(const size_t *)a].addr, y = v[*(const size_t *)b].addr;

	return (x > y) - (x < y);
}

static int index_tasks(struct kd_tasks *ts, kd_err *err)
{
	if (!(ts->by_pid = malloc((ts->n + 1) * sizeof(size_t))) ||
	    !(ts->by_addr = malloc((ts->n + 1) * sizeof(size_t))))
		return kd_oom(err);
	for (size_t i = 0; i < ts->n; i++)
		ts->by_pid[i] = ts->by_addr[i] = i;
	qsort_r(ts->by_pid, ts->n, sizeof(size_t), cmp_pid, ts->v);
	qsort_r(ts->by_addr, ts->n, sizeof(size_t), cmp_addr, ts->v);
	return 0;
}

static struct kd_tasks *load(struct kd_kernel *k, kd_err *err)
{
	struct kd_tasks *ts;

	if (k->tasks)
		return k->tasks;
	if (!(ts = calloc(1, sizeof(*ts)))) {
		kd_oom(err);
		return NULL;
	}
	if (walk_all(k, ts, &ts->why) != 0) {
		if (ts->why.code == KD_ERR_NOMEM) {
			if (err)
				*err = ts->why;
			kd_tasks_free(ts);
			return NULL;
		}
		ts->broke = true;
	}
	if (index_tasks(ts, err) != 0) {
		kd_tasks_free(ts);
		return NULL;
	}
	k->tasks = ts;
	return ts;
}

int kd_tasks(struct kd_kernel *k, const struct kd_task **tasks, size_t *n, kd_err *err)
{
	struct kd_tasks *ts = load(k, err);

	*tasks = NULL;
	*n = 0;
	if (!ts)
		return -1;
	*tasks = ts->v;
	*n = ts->n;
	if (ts->broke) {
		if (err)
			*err = ts->why;
		return -1;
	}
	return 0;
}

int kd_tasks_foreach(struct kd_kernel *k, kd_task_cb cb, void *arg, kd_err *err)
{
	struct kd_tasks *ts = load(k, err);
	int rc;

	if (!ts)
		return -1;
	for (size_t i = 0; i < ts->n; i++)
		if ((rc = cb(k, &ts->v[i], arg)) != 0)
			return rc;
	if (ts->broke) {
		if (err)
			*err = ts->why;
		return -1;
	}
	return 0;
}

/* The first index in idx (sorted by key) whose task's key is not below
 * want. */
static size_t lower_bound(const struct kd_tasks *ts, const size_t *idx, bool by_pid, uint64_t want)
{
	size_t lo = 0, hi = ts->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct kd_task *t = &ts->v[idx[mid]];
		uint64_t key = by_pid ? (uint64_t)(int64_t)t->pid : t->addr;
		if ((by_pid ? (int64_t)key < (int64_t)want : key < want))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int kd_task_by_pid(struct kd_kernel *k, int pid, struct kd_task *t, kd_err *err)
{
	struct kd_tasks *ts = load(k, err);
	size_t i;

	if (!ts)
		return -1;
	i = lower_bound(ts, ts->by_pid, true, (uint64_t)(int64_t)pid);
	if (i < ts->n && ts->v[ts->by_pid[i]].pid == pid) {
		*t = ts->v[ts->by_pid[i]];
		return 0;
	}
	if (ts->broke) {
		if (err)
			*err = ts->why;
		return -1;
	}
	return kd_fail(err, KD_ERR_LOOKUP, "no task with pid %d", pid);
}

int kd_task_by_addr(struct kd_kernel *k, uint64_t addr, struct kd_task *t, kd_err *err)
{
	struct kd_tasks *ts = load(k, err);
	size_t i;

	if (!ts)
		return -1;
	i = lower_bound(ts, ts->by_addr, false, addr);
	if (i < ts->n && ts->v[ts->by_addr[i]].addr == addr) {
		*t = ts->v[ts->by_addr[i]];
		return 0;
	}
	if (ts->broke) {
		if (err)
			*err = ts->why;
		return -1;
	}
	return kd_fail(err, KD_ERR_LOOKUP, "0x%llx is not a task_struct of this kernel",
		       (unsigned long long)addr);
}

/* --- CPUs -------------------------------------------------------------- */

int kd_cpu_curr(struct kd_kernel *k, int cpu, uint64_t *task, kd_err *err)
{
	uint64_t rq;

	if (kd_kernel_per_cpu(k, "runqueues", cpu, &rq, err) != 0 ||
	    kd_kernel_member(k, rq, "rq", "curr", task, err) != 0)
		return kd_wrap(err, "CPU %d's runqueue", cpu);
	return 0;
}

int kd_task_is_current(struct kd_kernel *k, const struct kd_task *t, bool *yes, kd_err *err)
{
	struct kd_tasks *ts = load(k, err);

	if (!ts)
		return -1;
	if (!ts->curr) {
		uint64_t *curr = calloc((size_t)k->nr_cpus, sizeof(*curr));
		if (!curr)
			return kd_oom(err);
		for (int cpu = 0; cpu < k->nr_cpus; cpu++)
			if (kd_cpu_curr(k, cpu, &curr[cpu], err) != 0) {
				free(curr);
				return -1;
			}
		ts->curr = curr;
	}
	*yes = false;
	for (int cpu = 0; cpu < k->nr_cpus; cpu++)
		if (ts->curr[cpu] == t->addr)
			*yes = true;
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
		return kd_fail(err, KD_ERR_LOOKUP, "no CPU panicked (panic_cpu is %d)", (int32_t)v);
	*cpu = (int)v;
	return 0;
}

int kd_cpu_task(struct kd_kernel *k, int cpu, struct kd_task *t, kd_err *err)
{
	uint64_t addr;
	kd_err why;

	if (kd_cpu_curr(k, cpu, &addr, err) != 0)
		return -1;
	if (kd_task_read(k, addr, t, &why) == 0)
		return 0;
	if (why.code != KD_ERR_FAULT) {
		if (err)
			*err = why;
		return -1;
	}
	memset(t, 0, sizeof(*t));
	t->addr = addr;
	t->pid = t->tgid = t->ppid = -1;
	t->cpu = cpu;
	strcpy(t->comm, "?");
	t->unreadable = true;
	return 0;
}

int kd_panic_task(struct kd_kernel *k, struct kd_task *t, int *cpu, kd_err *err)
{
	if (kd_panic_cpu(k, cpu, err) != 0 || kd_cpu_task(k, *cpu, t, err) != 0)
		return -1;
	return 0;
}

int kd_task_switches(struct kd_kernel *k, const struct kd_task *t, uint64_t *n, kd_err *err)
{
	uint64_t v, iv;

	if (kd_kernel_member(k, t->addr, "task_struct", "nvcsw", &v, err) != 0 ||
	    kd_kernel_member(k, t->addr, "task_struct", "nivcsw", &iv, err) != 0)
		return -1;
	*n = v + iv;
	return 0;
}

/* --- what a task is ---------------------------------------------------- */

bool kd_task_is_kthread(const struct kd_task *t)
{
	return t->flags & PF_KTHREAD;
}

/* crash's task_state_string(): later tests win, as there. */
const char *kd_task_state_short(const struct kd_task *t)
{
	uint64_t s = t->state | t->exit_state;
	const char *name = "??";
	bool set = false;

	if (s == 0)
		name = "RU";
	if (s & TASK_INTERRUPTIBLE)
		name = "IN", set = true;
	if (s & TASK_UNINTERRUPTIBLE)
		name = s & TASK_NOLOAD ? "ID" : "UN", set = true;
	if (s & EXIT_ZOMBIE)
		name = "ZO", set = true;
	if (s & TASK_STOPPED)
		name = "ST", set = true;
	if (s & TASK_TRACED)
		name = "TR", set = true;
	if ((s & (EXIT_DEAD | TASK_DEAD)) && !set)
		name = "DE";
	if (s == TASK_PARKED)
		name = "PA";
	if (s == TASK_WAKING)
		name = "WA";
	if (s == TASK_NEW)
		name = "NE";
	return name;
}

/* crash's task_state_string_verbose(), in its bit order. */
void kd_task_state_long(const struct kd_task *t, char *buf, size_t size)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} bits[] = {
		{ TASK_INTERRUPTIBLE, "TASK_INTERRUPTIBLE" }, { TASK_UNINTERRUPTIBLE, "TASK_UNINTERRUPTIBLE" },
		{ TASK_STOPPED, "TASK_STOPPED" },             { TASK_TRACED, "TASK_TRACED" },
		{ EXIT_DEAD, "EXIT_DEAD" },                   { TASK_DEAD, "TASK_DEAD" },
		{ EXIT_ZOMBIE, "EXIT_ZOMBIE" },               { TASK_WAKING, "TASK_WAKING" },
		{ TASK_WAKEKILL, "TASK_WAKEKILL" },           { TASK_NOLOAD, "TASK_NOLOAD" },
		{ TASK_NEW, "TASK_NEW" },
	};
	uint64_t state = t->state | t->exit_state;
	size_t n = 0;

	buf[0] = '\0';
	if (state == 0 || state == TASK_PARKED) {
		snprintf(buf, size, "%s", state ? "TASK_PARKED" : "TASK_RUNNING");
		return;
	}
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]) && n < size; i++)
		if (state & bits[i].bit)
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "|" : "", bits[i].name);
}

uint64_t kd_task_thread_info(struct kd_kernel *k, const struct kd_task *t)
{
	int64_t off = kd_kernel_offsetof(k, "task_struct", "thread_info", NULL);

	return off >= 0 ? t->addr + (uint64_t)off : t->stack;
}

bool kd_task_is_zombie(const struct kd_task *t)
{
	return t->exit_state & EXIT_ZOMBIE;
}

int kd_task_order(const struct kd_task *a, const struct kd_task *b)
{
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	return (a->cpu > b->cpu) - (a->cpu < b->cpu);
}
