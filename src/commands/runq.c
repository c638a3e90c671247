/* runq: each CPU's runqueue as crash shows it: the current task, then the
 * tasks queued in the RT priority array and the CFS tree, with their
 * priorities. -t: each CPU's clock and the time each task last ran.
 * -c CPUS: only those CPUs. */
#include <string.h>

#include "base/err.h"
#include "commands/command.h"
#include "kernel/sched.h"
#include "kernel/tasks.h"

struct printer {
	struct kd_cmd *c;
	int queued;
	int width;           /* -t: digits of the CPU's clock */
};

static void task_line(struct kd_cmd *c, uint64_t addr)
{
	struct kd_task t;

	if (kd_task_read(c->k, addr, &t, NULL) != 0)
		fprintf(c->out, "PID: ?      TASK: %llx  COMMAND: (unreadable)\n", (unsigned long long)addr);
	else
		fprintf(c->out, "PID: %-6d TASK: %llx  COMMAND: \"%s\"\n", t.pid,
			(unsigned long long)t.addr, t.comm);
}

static int queued(enum kd_rq_event ev, uint64_t where, int prio, int depth, void *arg)
{
	struct printer *p = arg;
	int indent = 5 + 3 * depth;

	switch (ev) {
	case KD_RQ_TASK:
		p->queued++;
		fprintf(p->c->out, "%*s[%3d] ", indent, "", prio);
		task_line(p->c, where);
		break;
	case KD_RQ_GROUP:
		fprintf(p->c->out, "%*sGROUP CFS RB_ROOT: %llx\n", indent, "", (unsigned long long)where);
		break;
	case KD_RQ_GROUP_END:
		break;
	}
	return 0;
}

static int timed(enum kd_rq_event ev, uint64_t where, int prio, int depth, void *arg)
{
	struct printer *p = arg;
	uint64_t ns = 0;

	(void)prio;
	(void)depth;
	if (ev != KD_RQ_TASK)
		return 0;
	kd_task_last_arrival(p->c->k, where, &ns, NULL);
	fprintf(p->c->out, "        %0*llu  ", p->width, (unsigned long long)ns);
	task_line(p->c, where);
	return 0;
}

static int one_cpu(struct kd_cmd *c, int cpu, bool first)
{
	struct printer p = { c, 0, 0 };
	struct kd_runqueue rq;
	char clock[32];

	if (kd_cpu_runqueue(c->k, cpu, &rq, c->err) != 0)
		return -1;
	if (c->opt['t']) {
		p.width = snprintf(clock, sizeof(clock), "%llu", (unsigned long long)rq.clock);
		fprintf(c->out, " CPU %d: %s\n", cpu, clock);
		if (timed(KD_RQ_TASK, rq.curr, 0, 0, &p) != 0 ||
		    kd_rq_rt_walk(c->k, &rq, timed, &p, c->err) != 0 ||
		    kd_rq_cfs_walk(c->k, &rq, timed, &p, c->err) != 0)
			return -1;
		return 0;
	}
	fprintf(c->out, "%sCPU %d RUNQUEUE: %llx\n", first ? "" : "\n", cpu, (unsigned long long)rq.rq);
	fprintf(c->out, "  CURRENT: ");
	task_line(c, rq.curr);
	fprintf(c->out, "  RT PRIO_ARRAY: %llx\n", (unsigned long long)rq.rt_array);
	if (kd_rq_rt_walk(c->k, &rq, queued, &p, c->err) != 0)
		return -1;
	if (!p.queued)
		fprintf(c->out, "     [no tasks queued]\n");
	fprintf(c->out, "  CFS RB_ROOT: %llx\n", (unsigned long long)rq.cfs_root);
	p.queued = 0;
	if (kd_rq_cfs_walk(c->k, &rq, queued, &p, c->err) != 0)
		return -1;
	if (!p.queued)
		fprintf(c->out, "     [no tasks queued]\n");
	return 0;
}

static int run_runq(struct kd_cmd *c)
{
	int n = c->k->nr_cpus, failed = 0, shown = 0;
	bool cpus[n > 0 ? n : 1];

	if (c->argc)
		return kd_cmd_usage(c, "runq takes no operand");
	if (c->opt['c']) {
		if (kd_cmd_cpu_list(c, c->optarg['c'], cpus) != 0)
			return -1;
	} else {
		memset(cpus, 1, sizeof(cpus));
	}
	for (int cpu = 0; cpu < n; cpu++) {
		kd_err one;
		kd_err *keep = c->err;

		if (!cpus[cpu])
			continue;
		c->err = &one;
		if (one_cpu(c, cpu, shown++ == 0) != 0) {
			fprintf(c->out, "  runq: %s\n", one.msg); /* said in place; the others go on */
			failed++;
		}
		c->err = keep;
	}
	if (failed)
		return kd_fail(c->err, KD_ERR_CORRUPT, "%d of %d CPUs could not be shown in full (said "
			       "above)", failed, shown);
	return 0;
}

const struct kd_command kd_cmd_runq = {
	.name = "runq",
	.options = "tc:",
	.usage = "runq [-t] [-c CPUS]",
	.summary = "each CPU's runqueue: the current task and the tasks queued",
	.help = "  per CPU: the runqueue, its CURRENT task, the RT PRIO_ARRAY and the\n"
		"  CFS RB_ROOT with each queued task's priority, next to run first (task\n"
		"  groups open a GROUP CFS RB_ROOT of their own)\n"
		"  -t   each CPU's clock (rq->clock, ns) and when each task last ran on it\n"
		"  -c   only these CPUs: 1, 0-2, 0,3\n",
	.run = run_runq,
};
