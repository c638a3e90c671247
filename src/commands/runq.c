/* runq: each CPU's runqueue as crash shows it: the current task, then the
 * tasks queued in the RT priority array and the CFS tree, with their
 * priorities. -t: each CPU's clock and the time each task last ran.
 * -c CPUS: only those CPUs. Each CPU is read once, then printed as text
 * or JSON. */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "commands/command.h"
#include "kernel/sched.h"
#include "kernel/tasks.h"

/* A task or a group's edge, as the walk found it. */
struct entry {
	enum kd_rq_event ev;
	uint64_t where;       /* the task_struct, or the group's RB_ROOT */
	int prio, depth;
	bool readable;        /* the task_struct: pid and comm known */
	int pid;
	char comm[17];
	bool have_ns;         /* -t: last_arrival */
	uint64_t ns;
};

enum { RT, CFS };
static const char *const class_name[] = { "rt", "cfs" };

struct queue {
	struct entry *e;
	size_t n, cap;
};

/* One CPU, read: how far it got, what it found, and why it stopped. */
struct cpu_rq {
	int cpu;
	int walked;           /* -1: no runqueue; else the queues walked (a failed one counted) */
	bool failed;
	kd_err err;
	struct kd_runqueue rq;
	struct entry curr;
	struct queue q[2];
	struct kd_cmd *c;
	int into;             /* the queue being walked */
};

static void read_task(struct kd_cmd *c, uint64_t addr, struct entry *e)
{
	struct kd_task t;

	e->where = addr;
	if ((e->readable = kd_task_read(c->k, addr, &t, NULL) == 0)) {
		e->pid = t.pid;
		snprintf(e->comm, sizeof(e->comm), "%s", t.comm);
	}
	/* -t; unknown is 0 in the text (null in JSON) */
	if (c->opt['t'])
		e->have_ns = kd_task_last_arrival(c->k, addr, &e->ns, NULL) == 0;
	if (!e->have_ns)
		e->ns = 0;
}

static int found(enum kd_rq_event ev, uint64_t where, int prio, int depth, void *arg)
{
	struct cpu_rq *r = arg;
	struct queue *q = &r->q[r->into];
	struct entry *e;

	if (q->n == q->cap) {
		size_t cap = q->cap ? 2 * q->cap : 16;
		struct entry *grown = realloc(q->e, cap * sizeof(*grown));
		if (!grown)
			return kd_oom(&r->err);
		q->e = grown;
		q->cap = cap;
	}
	e = &q->e[q->n++];
	*e = (struct entry){ .ev = ev, .prio = prio, .depth = depth, .where = where };
	if (ev == KD_RQ_TASK)
		read_task(r->c, where, e);
	return 0;
}

static void read_cpu(struct kd_cmd *c, int cpu, struct cpu_rq *r)
{
	*r = (struct cpu_rq){ .cpu = cpu, .walked = -1, .c = c };
	if (kd_cpu_runqueue(c->k, cpu, &r->rq, &r->err) != 0) {
		r->failed = true;
		return;
	}
	read_task(c, r->rq.curr, &r->curr);
	for (r->into = RT, r->walked = 0; r->into <= CFS; r->into++) {
		int rc = r->into == RT ? kd_rq_rt_walk(c->k, &r->rq, found, r, &r->err)
				       : kd_rq_cfs_walk(c->k, &r->rq, found, r, &r->err);
		r->walked++;
		if (rc != 0) {
			r->failed = true;
			return;
		}
	}
}

static void free_cpu(struct cpu_rq *r)
{
	free(r->q[RT].e);
	free(r->q[CFS].e);
}

static void task_line(FILE *out, const struct entry *e)
{
	if (!e->readable)
		fprintf(out, "PID: ?      TASK: %llx  COMMAND: (unreadable)\n", (unsigned long long)e->where);
	else
		fprintf(out, "PID: %-6d TASK: %llx  COMMAND: \"%s\"\n", e->pid,
			(unsigned long long)e->where, e->comm);
}

/* -t: the clock, then each task's last arrival (groups unsaid). */
static void print_timed(FILE *out, const struct cpu_rq *r)
{
	char clock[32];
	int width = snprintf(clock, sizeof(clock), "%llu", (unsigned long long)r->rq.clock);

	fprintf(out, " CPU %d: %s\n", r->cpu, clock);
	fprintf(out, "        %0*llu  ", width, (unsigned long long)r->curr.ns);
	task_line(out, &r->curr);
	for (int q = RT; q < r->walked; q++)
		for (size_t i = 0; i < r->q[q].n; i++) {
			const struct entry *e = &r->q[q].e[i];
			if (e->ev != KD_RQ_TASK)
				continue;
			fprintf(out, "        %0*llu  ", width, (unsigned long long)e->ns);
			task_line(out, e);
		}
}

static void print_queue(FILE *out, const struct queue *q, bool complete)
{
	int tasks = 0;

	for (size_t i = 0; i < q->n; i++) {
		const struct entry *e = &q->e[i];
		int indent = 5 + 3 * e->depth;
		if (e->ev == KD_RQ_TASK) {
			tasks++;
			fprintf(out, "%*s[%3d] ", indent, "", e->prio);
			task_line(out, e);
		} else if (e->ev == KD_RQ_GROUP) {
			fprintf(out, "%*sGROUP CFS RB_ROOT: %llx\n", indent, "", (unsigned long long)e->where);
		}
	}
	if (complete && !tasks)
		fprintf(out, "     [no tasks queued]\n");
}

static void print_text(struct kd_cmd *c, const struct cpu_rq *r, bool first)
{
	FILE *out = c->out;

	if (r->walked >= 0 && c->opt['t']) {
		print_timed(out, r);
	} else if (r->walked >= 0) {
		fprintf(out, "%sCPU %d RUNQUEUE: %llx\n", first ? "" : "\n", r->cpu,
			(unsigned long long)r->rq.rq);
		fprintf(out, "  CURRENT: ");
		task_line(out, &r->curr);
		fprintf(out, "  RT PRIO_ARRAY: %llx\n", (unsigned long long)r->rq.rt_array);
		print_queue(out, &r->q[RT], r->walked > 1 || !r->failed);
		if (r->walked > 1) {
			fprintf(out, "  CFS RB_ROOT: %llx\n", (unsigned long long)r->rq.cfs_root);
			print_queue(out, &r->q[CFS], !r->failed);
		}
	}
	if (r->failed)
		fprintf(out, "  runq: %s\n", r->err.msg); /* said in place; the others go on */
}

static void json_task(struct kd_cmd *c, struct kd_json *j, const struct entry *e)
{
	if (e->readable) {
		kd_json_int(j, "pid", e->pid);
		kd_json_addr(j, "task", e->where);
		kd_json_str(j, "comm", e->comm);
	} else {
		kd_json_int(j, "pid", -1); /* as bt's: the task_struct is not in the dump */
		kd_json_addr(j, "task", e->where);
		kd_json_str(j, "comm", NULL);
	}
	if (c->opt['t'] && e->have_ns)
		kd_json_int(j, "last_arrival", (long long)e->ns);
	else if (c->opt['t'])
		kd_json_str(j, "last_arrival", NULL);
}

/* A queue's tasks in order; a task in a task group has "groups": the
 * RB_ROOTs of the groups it is in, outermost first (flat, however deep
 * the groups go). */
static void json_queue(struct kd_cmd *c, struct kd_json *j, int class, const struct cpu_rq *r)
{
	const struct queue *q = &r->q[class];
	uint64_t groups[64];
	int ngroups = 0;

	kd_json_object(j, NULL);
	kd_json_str(j, "class", class_name[class]);
	kd_json_addr(j, "root", class == RT ? r->rq.rt_array : r->rq.cfs_root);
	kd_json_array(j, "tasks");
	for (size_t i = 0; i < q->n; i++) {
		const struct entry *e = &q->e[i];
		if (e->ev == KD_RQ_GROUP && ngroups < (int)(sizeof(groups) / sizeof(groups[0])))
			groups[ngroups++] = e->where;
		else if (e->ev == KD_RQ_GROUP_END && ngroups > 0)
			ngroups--;
		if (e->ev != KD_RQ_TASK)
			continue;
		kd_json_object(j, NULL);
		kd_json_int(j, "prio", e->prio);
		json_task(c, j, e);
		kd_json_array(j, "groups");
		for (int g = 0; g < ngroups; g++)
			kd_json_addr(j, NULL, groups[g]);
		kd_json_end(j, ']');
		kd_json_end(j, '}');
	}
	kd_json_end(j, ']');
	kd_json_end(j, '}');
}

static void print_json(struct kd_cmd *c, struct kd_json *j, const struct cpu_rq *r)
{
	kd_json_object(j, NULL);
	kd_json_int(j, "cpu", r->cpu);
	if (r->walked < 0) {
		kd_json_str(j, "runqueue", NULL);
		kd_json_str(j, "current", NULL);
	} else {
		kd_json_addr(j, "runqueue", r->rq.rq);
		if (c->opt['t'])
			kd_json_int(j, "clock", (long long)r->rq.clock);
		kd_json_object(j, "current");
		json_task(c, j, &r->curr);
		kd_json_end(j, '}');
	}
	kd_json_array(j, "queues");
	for (int q = RT; q < r->walked; q++)
		json_queue(c, j, q, r);
	kd_json_end(j, ']');
	kd_json_str(j, "error", r->failed ? r->err.msg : NULL);
	kd_json_end(j, '}');
}

static int run_runq(struct kd_cmd *c)
{
	int ncpus = c->k->nr_cpus, failed = 0, shown = 0;
	bool cpus[ncpus > 0 ? ncpus : 1];
	struct kd_json j;

	if (c->argc)
		return kd_cmd_usage(c, "runq takes no operand");
	if (c->opt['c']) {
		if (kd_cmd_cpu_list(c, c->optarg['c'], cpus) != 0)
			return -1;
	} else {
		memset(cpus, 1, sizeof(cpus));
	}
	kd_cmd_json_list(c, &j, "cpus");
	for (int cpu = 0; cpu < ncpus; cpu++) {
		struct cpu_rq r;

		if (!cpus[cpu])
			continue;
		read_cpu(c, cpu, &r);
		if (c->json)
			print_json(c, &j, &r);
		else
			print_text(c, &r, shown == 0);
		shown++;
		failed += r.failed;
		free_cpu(&r);
	}
	kd_cmd_json_list(c, &j, NULL);
	if (c->json)
		return 0; /* each CPU's "error" says it */
	if (failed)
		return kd_fail(c->err, KD_ERR_CORRUPT, "%d of %d CPUs could not be shown in full (said "
			       "above)", failed, shown);
	return 0;
}

const struct kd_command kd_cmd_runq = {
	.name = "runq",
	.options = "tc:",
	.flags = KD_CMD_JSON,
	.usage = "runq [-t] [-c CPUS]",
	.summary = "each CPU's runqueue: the current task and the tasks queued",
	.help = "  per CPU: the runqueue, its CURRENT task, the RT PRIO_ARRAY and the\n"
		"  CFS RB_ROOT with each queued task's priority, next to run first (task\n"
		"  groups open a GROUP CFS RB_ROOT of their own)\n"
		"  -t   each CPU's clock (rq->clock, ns) and when each task last ran on it\n"
		"  -c   only these CPUs: 1, 0-2, 0,3\n",
	.run = run_runq,
};
