/* The scheduler's runqueues: each CPU's current task, its clock, and the
 * tasks queued on it per class, as crash's `runq` shows them: the RT
 * priority array (rt.active.queue[prio] lists of sched_rt_entity) and the
 * CFS red-black tree (cfs.tasks_timeline of sched_entity), group
 * entities (CONFIG_FAIR_GROUP_SCHED) opening their own cfs_rq. */
#ifndef KD_KERNEL_SCHED_H
#define KD_KERNEL_SCHED_H

#include <stdint.h>

#include "kernel/kernel.h"

struct kd_runqueue {
	int cpu;
	uint64_t rq;          /* struct rq */
	uint64_t curr;        /* task_struct */
	uint64_t clock;       /* rq->clock, ns */
	uint64_t rt_array;    /* &rq->rt.active */
	uint64_t cfs_root;    /* &rq->cfs.tasks_timeline */
};

int kd_cpu_runqueue(struct kd_kernel *k, int cpu, struct kd_runqueue *rq, kd_err *err);

/* What a walk of queued entities finds. */
enum kd_rq_event {
	KD_RQ_TASK,          /* a queued task: task, prio */
	KD_RQ_GROUP,         /* a group's cfs_rq opens: where is its tasks_timeline */
	KD_RQ_GROUP_END,
};
typedef int (*kd_rq_cb)(enum kd_rq_event ev, uint64_t where, int prio, int depth, void *arg);

/* The RT tasks queued, by priority. */
int kd_rq_rt_walk(struct kd_kernel *k, const struct kd_runqueue *rq, kd_rq_cb cb, void *arg,
		  kd_err *err);
/* The CFS entities queued, leftmost (next to run) first. */
int kd_rq_cfs_walk(struct kd_kernel *k, const struct kd_runqueue *rq, kd_rq_cb cb, void *arg,
		   kd_err *err);

/* The task's sched_info.last_arrival (ns of its rq clock when it last ran). */
int kd_task_last_arrival(struct kd_kernel *k, uint64_t task, uint64_t *ns, kd_err *err);

#endif
