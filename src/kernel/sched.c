#include "kernel/sched.h"

#include "base/err.h"
#include "kernel/lists.h"

#define MAX_RT_PRIO 100
#define MAX_GROUP_DEPTH 32   /* cgroup nesting; deeper is a corrupt tree */

int kd_cpu_runqueue(struct kd_kernel *k, int cpu, struct kd_runqueue *rq, kd_err *err)
{
	int64_t rt, cfs;

	rq->cpu = cpu;
	if (kd_kernel_per_cpu(k, "runqueues", cpu, &rq->rq, err) != 0 ||
	    kd_kernel_member(k, rq->rq, "rq", "curr", &rq->curr, err) != 0 ||
	    kd_kernel_member(k, rq->rq, "rq", "clock", &rq->clock, err) != 0 ||
	    (rt = kd_kernel_offsetof(k, "rq", "rt.active", err)) < 0 ||
	    (cfs = kd_kernel_offsetof(k, "rq", "cfs.tasks_timeline", err)) < 0)
		return kd_wrap(err, "CPU %d's runqueue", cpu);
	rq->rt_array = rq->rq + (uint64_t)rt;
	rq->cfs_root = rq->rq + (uint64_t)cfs;
	return 0;
}

static int task_prio(struct kd_kernel *k, uint64_t task, int *prio, kd_err *err)
{
	uint64_t v;

	if (kd_kernel_member(k, task, "task_struct", "prio", &v, err) != 0)
		return -1;
	*prio = (int)(int32_t)v;
	return 0;
}

struct rt_walk {
	struct kd_kernel *k;
	int64_t run_list, rt_off;
	kd_rq_cb cb;
	void *arg;
	kd_err *err;
};

static int rt_entity(uint64_t node, void *arg)
{
	struct rt_walk *w = arg;
	uint64_t task = node - (uint64_t)w->run_list - (uint64_t)w->rt_off;
	int prio;

	if (task_prio(w->k, task, &prio, w->err) != 0)
		return -1;
	return w->cb(KD_RQ_TASK, task, prio, 0, w->arg);
}

int kd_rq_rt_walk(struct kd_kernel *k, const struct kd_runqueue *rq, kd_rq_cb cb, void *arg,
		  kd_err *err)
{
	struct rt_walk w = { k, 0, 0, cb, arg, err };
	int64_t queue;
	uint64_t bitmap[(MAX_RT_PRIO + 63) / 64 + 1];
	int rc;

	if ((queue = kd_kernel_offsetof(k, "rt_prio_array", "queue", err)) < 0 ||
	    (w.run_list = kd_kernel_offsetof(k, "sched_rt_entity", "run_list", err)) < 0 ||
	    (w.rt_off = kd_kernel_offsetof(k, "task_struct", "rt", err)) < 0 ||
	    kd_kernel_read(k, rq->rt_array, bitmap, sizeof(bitmap), err) != 0)
		return kd_wrap(err, "CPU %d's RT queue", rq->cpu);
	/* only the priorities whose bit is set have tasks */
	for (int p = 0; p < MAX_RT_PRIO; p++) {
		if (!(bitmap[p / 64] >> (p % 64) & 1))
			continue;
		rc = kd_kernel_list_walk(k, rq->rt_array + (uint64_t)queue + 16 * (uint64_t)p, 0, true,
					 rt_entity, &w, err);
		if (rc != 0)
			return rc < 0 ? kd_wrap(err, "CPU %d's RT queue %d", rq->cpu, p) : rc;
	}
	return 0;
}

struct cfs_walk {
	struct kd_kernel *k;
	int64_t run_node, se_off, my_q, timeline;
	int depth;
	kd_rq_cb cb;
	void *arg;
	kd_err *err;
};

static int cfs_tree(struct cfs_walk *w, uint64_t timeline);

static int cfs_entity(uint64_t node, void *arg)
{
	struct cfs_walk *w = arg;
	uint64_t se = node - (uint64_t)w->run_node, my_q = 0;
	int prio, rc;

	/* a group entity runs its own cfs_rq, not a task */
	if (w->my_q >= 0 && kd_kernel_read_u64(w->k, se + (uint64_t)w->my_q, &my_q, w->err) != 0)
		return -1;
	if (!my_q) {
		uint64_t task = se - (uint64_t)w->se_off;
		if (task_prio(w->k, task, &prio, w->err) != 0)
			return -1;
		return w->cb(KD_RQ_TASK, task, prio, w->depth, w->arg);
	}
	if (w->depth >= MAX_GROUP_DEPTH)
		return kd_fail(w->err, KD_ERR_CORRUPT, "task groups nested deeper than %d at 0x%llx",
			       MAX_GROUP_DEPTH, (unsigned long long)se);
	if ((rc = w->cb(KD_RQ_GROUP, my_q + (uint64_t)w->timeline, 0, w->depth, w->arg)) != 0)
		return rc;
	w->depth++;
	rc = cfs_tree(w, my_q + (uint64_t)w->timeline);
	w->depth--;
	return rc != 0 ? rc : w->cb(KD_RQ_GROUP_END, 0, 0, w->depth, w->arg);
}

/* tasks_timeline is an rb_root_cached: its rb_root's node first */
static int cfs_tree(struct cfs_walk *w, uint64_t timeline)
{
	uint64_t root;

	if (kd_kernel_read_u64(w->k, timeline, &root, w->err) != 0)
		return -1;
	return root ? kd_kernel_rbtree_walk(w->k, root, cfs_entity, w, w->err) : 0;
}

int kd_rq_cfs_walk(struct kd_kernel *k, const struct kd_runqueue *rq, kd_rq_cb cb, void *arg,
		   kd_err *err)
{
	struct cfs_walk w = { .k = k, .cb = cb, .arg = arg, .err = err };
	int rc;

	if ((w.run_node = kd_kernel_offsetof(k, "sched_entity", "run_node", err)) < 0 ||
	    (w.se_off = kd_kernel_offsetof(k, "task_struct", "se", err)) < 0 ||
	    (w.timeline = kd_kernel_offsetof(k, "cfs_rq", "tasks_timeline", err)) < 0)
		return kd_wrap(err, "CPU %d's CFS queue", rq->cpu);
	/* my_q exists only with CONFIG_FAIR_GROUP_SCHED */
	w.my_q = kd_kernel_offsetof(k, "sched_entity", "my_q", NULL);
	rc = cfs_tree(&w, rq->cfs_root);
	return rc < 0 ? kd_wrap(err, "CPU %d's CFS queue", rq->cpu) : rc;
}

int kd_task_last_arrival(struct kd_kernel *k, uint64_t task, uint64_t *ns, kd_err *err)
{
	return kd_kernel_member(k, task, "task_struct", "sched_info.last_arrival", ns, err);
}
