// SPDX-License-Identifier: GPL-2.0
/*
 * kdive lab: objects with known contents for the data commands (p, struct,
 * rd, list, kmem), kernel threads for scale, and a task that hangs. On load
 * it prints where each object is and what it holds ("kdive-lab: ..." lines
 * on the console): the truth the tests compare kdive's answers with.
 *
 *   nthreads=N  N kernel threads sleeping interruptibly ("kdive_sleep/I")
 *   hang=1      one kernel thread blocked uninterruptibly ("kdive_hang"),
 *               for khungtaskd to find
 *   poke        writing N to /sys/module/kdive_lab/parameters/poke calls
 *               kdive_lab_poke() with N: a call whose argument and local
 *               the guest chooses, for the Kprobes tests
 */
#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>

enum kdive_color { KDIVE_RED = 1, KDIVE_GREEN = 2, KDIVE_BLUE = 4 };

struct kdive_item {
	int id;
	char name[16];
	struct list_head list;
	unsigned long magic;
};

struct kdive_obj {
	u32 a;
	u64 b;
	char name[24];
	struct kdive_obj *self;
	enum kdive_color color;
	int arr[4];
	unsigned int flag : 3, mode : 5;
	struct kdive_item first;
};

#define NITEMS 5

static unsigned long counter = 0x1234abcd5678UL;
static LIST_HEAD(kdive_items);
static struct kdive_obj kdive_obj_static = {
	.a = 0xdeadbeef,
	.b = 1234567890123ULL,
	.name = "kdive static object",
	.color = KDIVE_GREEN,
	.arr = { 1, -2, 3, -4 },
	.flag = 5,
	.mode = 17,
	.first = { .id = 100, .name = "embedded", .magic = 0xfeedface },
};
struct kdive_obj *kdive_obj_heap;
static long kdive_poked;
static struct task_struct **sleepers;
static int nthreads;
static bool hang;
module_param(nthreads, int, 0444);
module_param(hang, bool, 0444);

static int sleeper(void *arg)
{
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

/* Uninterruptible and never woken: what a stuck I/O looks like to
 * khungtaskd. */
static noinline void kdive_hang_wait(void)
{
	set_current_state(TASK_UNINTERRUPTIBLE);
	schedule();
}

static int hanger(void *arg)
{
	kdive_hang_wait();
	return 0;
}

/* The object depends on n so that GCC cannot specialize the function for
 * one (no .constprop copy): probes name it as it is written. */
static noinline long kdive_lab_poke(struct kdive_obj *o, long n)
{
	long scaled = n * 3 + 1;

	WRITE_ONCE(kdive_poked, scaled);
	pr_info("kdive-lab: poke %ld scaled %ld name %s\n", n, scaled, o->name);
	return scaled;
}

static int poke_set(const char *val, const struct kernel_param *kp)
{
	long n;
	int rc = kstrtol(val, 0, &n);

	if (rc)
		return rc;
	kdive_lab_poke(n & 1 ? kdive_obj_heap : &kdive_obj_static, n);
	return 0;
}

static const struct kernel_param_ops poke_ops = { .set = poke_set, .get = param_get_long };
module_param_cb(poke, &poke_ops, &kdive_poked, 0644);

static void print_obj(const char *what, struct kdive_obj *o)
{
	pr_info("kdive-lab: %s %px a=%u b=%llu name=%s self=%px color=%d arr=%d,%d,%d,%d flag=%u mode=%u first.id=%d first.name=%s first.magic=%lx\n",
		what, o, o->a, o->b, o->name, o->self, o->color, o->arr[0], o->arr[1], o->arr[2],
		o->arr[3], o->flag, o->mode, o->first.id, o->first.name, o->first.magic);
}

static int __init kdive_lab_init(void)
{
	struct kdive_item *it;
	int i;

	kdive_obj_static.self = &kdive_obj_static;
	kdive_obj_heap = kzalloc(sizeof(*kdive_obj_heap), GFP_KERNEL);
	if (!kdive_obj_heap)
		return -ENOMEM;
	*kdive_obj_heap = kdive_obj_static;
	kdive_obj_heap->self = kdive_obj_heap;
	kdive_obj_heap->a = 42;
	kdive_obj_heap->color = KDIVE_BLUE;
	strscpy(kdive_obj_heap->name, "kdive heap object", sizeof(kdive_obj_heap->name));
	for (i = 0; i < NITEMS; i++) {
		it = kzalloc(sizeof(*it), GFP_KERNEL);
		if (!it)
			return -ENOMEM;
		it->id = i + 1;
		snprintf(it->name, sizeof(it->name), "item-%d", i + 1);
		it->magic = 0xa5a5a5a500000000UL | (i + 1);
		list_add_tail(&it->list, &kdive_items);
	}
	pr_info("kdive-lab: counter %px %lu\n", &counter, counter);
	print_obj("static", &kdive_obj_static);
	print_obj("heap", kdive_obj_heap);
	pr_info("kdive-lab: heap-pointer %px\n", &kdive_obj_heap);
	pr_info("kdive-lab: list %px\n", &kdive_items);
	list_for_each_entry(it, &kdive_items, list)
		pr_info("kdive-lab: item %px id=%d name=%s magic=%lx\n", it, it->id, it->name, it->magic);
	if (nthreads > 0) {
		sleepers = kcalloc(nthreads, sizeof(*sleepers), GFP_KERNEL);
		if (!sleepers)
			return -ENOMEM;
		for (i = 0; i < nthreads; i++)
			sleepers[i] = kthread_run(sleeper, NULL, "kdive_sleep/%d", i);
		pr_info("kdive-lab: started %d sleeping threads\n", nthreads);
	}
	if (hang) {
		struct task_struct *t = kthread_run(hanger, NULL, "kdive_hang");

		if (!IS_ERR(t))
			pr_info("kdive-lab: hang task %px pid %d\n", t, t->pid);
	}
	return 0;
}

/* The lab crashes the kernel with the module loaded: nothing to undo. */
static void __exit kdive_lab_exit(void)
{
}

module_init(kdive_lab_init);
module_exit(kdive_lab_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kdive lab: known objects, threads and a hung task");
