/* task: a task's task_struct and thread_info as crash prints them, or only
 * the members named with -R: task [-R member[,member...]] [-x|-d]
 * [PID | TASK]... (default: the panic task). --json: docs/json.md. */
#include <stdio.h>

#include "base/err.h"
#include "base/json.h"
#include "commands/command.h"
#include "kernel/tasks.h"
#include "kernel/types.h"
#include "kernel/value.h"

static int print_object(struct kd_cmd *c, const char *type, uint64_t addr,
			const struct kd_print_opts *o, kd_err *err)
{
	kd_type t;

	if (kd_types_find(c->k->types, type, &t, err) != 0)
		return -1;
	return kd_cmd_print_object(c, type, t, addr, o, err);
}

/* --json: one element of {"tasks": [...]}: ps's pid, task, cpu and comm,
 * and the task_struct (-R: those members). Its thread_info is not written
 * again: x86-64 keeps it in the task_struct (member thread_info). */
static int task_json(struct kd_cmd *c, const struct kd_task *t, kd_err *err)
{
	struct kd_value v;
	struct kd_json j;
	kd_type type;

	if (kd_types_find(c->k->types, "struct task_struct", &type, err) != 0)
		return -1;
	v = kd_value_at(type, t->addr);
	kd_cmd_json_task(c, &j, t);
	if (kd_cmd_json_value(c, &j, "task_struct", &v, c->optarg['R'], err) != 0)
		return -1;
	kd_json_end(&j, '}');
	return 0;
}

static int task_one(struct kd_cmd *c, const struct kd_task *t, int index, kd_err *err)
{
	const struct kd_print_opts po = { .hex = kd_cmd_hex(c) }, *o = &po;

	if (c->json)
		return task_json(c, t, err);
	if (index > 0 && !c->opt['R'])
		fputc('\n', c->out);
	kd_print_task_header(c->out, t, 0);
	if (c->opt['R']) {
		kd_type type;
		struct kd_value v;
		if (kd_types_find(c->k->types, "struct task_struct", &type, err) != 0)
			return -1;
		v = kd_value_at(type, t->addr);
		if (kd_value_print_members(c->k, &v, c->optarg['R'], o, c->out, err) != 0)
			return -1;
		fputc('\n', c->out);
		return 0;
	}
	if (print_object(c, "struct task_struct", t->addr, o, err) != 0)
		return -1;
	fputc('\n', c->out);
	return print_object(c, "struct thread_info", kd_task_thread_info(c->k, t), o, err);
}

static int run_task(struct kd_cmd *c)
{
	int rc;

	if (c->json)
		fputs("{\"tasks\":[", c->out);
	rc = kd_cmd_each_task(c, task_one);
	if (c->json)
		fputs("]}\n", c->out);
	return rc;
}

const struct kd_command kd_cmd_task = {
	.name = "task",
	.complete = KD_COMPLETE_TASK,
	.options = "R:xd",
	.flags = KD_CMD_MODULE_DEBUG | KD_CMD_JSON,
	.usage = "task [-R member[,member...]] [-x|-d] [PID | TASK]...",
	.summary = "a task's task_struct and thread_info (default: the panic task)",
	.help = "  -R   only these members of the task_struct (a.b reaches into one)\n"
		"  -x/-d  integers in hex/decimal\n"
		"PID is decimal; TASK is a task_struct address in hex.\n"
		"  --json: each task's task_struct as JSON (docs/json.md).\n",
	.run = run_task,
};
