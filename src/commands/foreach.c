/* foreach: one command over many tasks, crash's way:
 * foreach [PID | TASK | COMM | STATE | kernel | user | active | gleader]...
 *         bt|files|task|ps [flags]
 * The tasks selected, in ps order, are handed to the command in one run,
 * so its per-session state (the unwinder, the task index) is built once. */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "commands/command.h"
#include "kernel/tasks.h"

static const char *const sub_commands[] = { "bt", "files", "task", "ps", NULL };
static const char *const states[] = { "RU", "IN", "UN", "ST", "TR", "ZO", "DE",
				      "PA", "WA", "ID", "NE", NULL };

enum { KERNEL = 1, USER = 2, ACTIVE = 4, GLEADER = 8 };

struct selection {
	char **ids;           /* PIDs, task addresses, command names */
	int nids;
	const char *state[16];
	int nstates;
	unsigned kinds;
};

static bool in_list(const char *const *list, const char *w)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(list[i], w) == 0)
			return true;
	return false;
}

static bool id_matches(struct kd_kernel *k, const char *id, const struct kd_task *t)
{
	struct kd_task by_arg;

	if (strcmp(id, t->comm) == 0)
		return true;
	return kd_cmd_task_arg(k, id, &by_arg, NULL) == 0 && by_arg.addr == t->addr;
}

static int selected(struct kd_cmd *c, const struct selection *s, const struct kd_task *t,
		    bool *yes)
{
	bool kthread = kd_task_is_kthread(t), hit = s->nids == 0;

	*yes = false;
	for (int i = 0; i < s->nids && !hit; i++)
		hit = id_matches(c->k, s->ids[i], t);
	if (!hit)
		return 0;
	if (s->nstates) {
		hit = false;
		for (int i = 0; i < s->nstates && !hit; i++)
			hit = strcmp(s->state[i], kd_task_state_short(t)) == 0;
		if (!hit)
			return 0;
	}
	if (((s->kinds & KERNEL) && !kthread) || ((s->kinds & USER) && kthread) ||
	    ((s->kinds & GLEADER) && t->pid != t->tgid))
		return 0;
	if (s->kinds & ACTIVE) {
		bool current;
		if (kd_task_is_current(c->k, t, &current, c->err) != 0)
			return -1;
		if (!current)
			return 0;
	}
	*yes = true;
	return 0;
}

static int by_pid(const void *a, const void *b)
{
	return kd_task_order(*(const struct kd_task *const *)a, *(const struct kd_task *const *)b);
}

static int run_foreach(struct kd_cmd *c)
{
	struct selection s = { .ids = c->argv };
	const struct kd_task *tasks, **chosen = NULL;
	char **argv = NULL, (*addrs)[20] = NULL;
	int sub = -1, argc, rc = -1;
	size_t n, nchosen = 0;
	kd_err list_err;
	bool broke;

	for (int i = 0; i < c->argc && sub < 0; i++) {
		const char *w = c->argv[i];
		if (in_list(sub_commands, w))
			sub = i;
		else if (in_list(states, w) && s.nstates < 16)
			s.state[s.nstates++] = w;
		else if (strcmp(w, "kernel") == 0)
			s.kinds |= KERNEL;
		else if (strcmp(w, "user") == 0)
			s.kinds |= USER;
		else if (strcmp(w, "active") == 0)
			s.kinds |= ACTIVE;
		else if (strcmp(w, "gleader") == 0)
			s.kinds |= GLEADER;
		else if (w[0] == '-')
			return kd_cmd_usage(c, "%s: foreach's flags go after the command", w);
		else
			c->argv[s.nids++] = c->argv[i]; /* ids are kept in order at the front */
	}
	if (sub < 0)
		return kd_cmd_usage(c, "a command is needed: bt, files, task or ps");
	if ((s.kinds & KERNEL) && (s.kinds & USER))
		return kd_cmd_usage(c, "kernel and user exclude each other");
	/* a list that broke still gives the tasks read before the break */
	broke = kd_tasks(c->k, &tasks, &n, &list_err) != 0;
	if (!(chosen = calloc(n + 1, sizeof(*chosen))))
		return kd_oom(c->err);
	for (size_t i = 0; i < n; i++) {
		bool yes;
		if (selected(c, &s, &tasks[i], &yes) != 0)
			goto out;
		if (yes)
			chosen[nchosen++] = &tasks[i];
	}
	if (broke)
		kd_cmd_warn(c, "%s; the tasks it could reach are used", list_err.msg);
	if (nchosen == 0) {
		rc = kd_fail(c->err, KD_ERR_LOOKUP, "no task matches");
		goto out;
	}
	qsort(chosen, nchosen, sizeof(*chosen), by_pid);
	argc = c->argc - sub;
	if (!(argv = calloc((size_t)argc + nchosen + 2, sizeof(*argv))) ||
	    !(addrs = calloc(nchosen, sizeof(*addrs)))) {
		rc = kd_oom(c->err);
		goto out;
	}
	memcpy(argv, c->argv + sub, (size_t)argc * sizeof(*argv));
	for (size_t i = 0; i < nchosen; i++) {
		snprintf(addrs[i], sizeof(addrs[i]), "%llx", (unsigned long long)chosen[i]->addr);
		argv[argc++] = addrs[i];
	}
	if (c->json) /* the command's own JSON form (or its refusal) */
		argv[argc++] = "--json";
	rc = kd_cmd_run(c, argc, argv);
out:
	free(addrs);
	free(argv);
	free(chosen);
	return rc;
}

const struct kd_command kd_cmd_foreach = {
	.name = "foreach",
	.complete = KD_COMPLETE_TASK | KD_COMPLETE_COMMAND,
	.flags = KD_CMD_RAW_ARGS | KD_CMD_JSON,
	.usage = "foreach [PID | TASK | COMM | STATE | kernel | user | active | gleader]... "
		 "bt|files|task|ps [flags]",
	.summary = "run bt, files, task or ps on every task, or on those selected",
	.help = "  selectors: PID (decimal), TASK (hex address), COMM (a command name),\n"
		"  STATE (RU IN UN ST TR ZO DE PA WA ID NE, as ps shows it), kernel (kernel\n"
		"  threads), user, active (running on a CPU), gleader (thread group leaders).\n"
		"  Tasks matching any PID/TASK/COMM and any STATE and every other selector\n"
		"  are used, in ps order; flags after the command are the command's:\n"
		"    foreach UN bt      foreach sh files      foreach bt -l\n",
	.run = run_foreach,
};
