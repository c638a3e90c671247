/* set: the session's settings, crash's way. `set` shows the task context
 * (the task bt, task and files act on by default), `set PID | TASK`
 * changes it, `set -p` goes back to the panic task, `set source DIR`
 * adds a source tree for l and dis -s, `set debuginfod on|off` says
 * whether missing module debug files are fetched by build-id. */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "commands/command.h"
#include "kernel/modules.h"
#include "kernel/symbols.h"
#include "kernel/tasks.h"

/* --json: every setting, {"context": {...}, "debuginfod": ..., "debuginfod_urls": ...}. */
static int show_json(struct kd_cmd *c)
{
	const char *urls = getenv("DEBUGINFOD_URLS");
	struct kd_json j;
	struct kd_task t;
	char state[160];
	int cpu;

	kd_json_init(&j, c->out);
	kd_json_object(&j, NULL);
	if (kd_cmd_context(c, &t, &cpu) != 0) { /* no panic task: the settings still stand */
		kd_json_null(&j, "context");
		goto settings;
	}
	kd_json_object(&j, "context");
	kd_json_addr(&j, "task", t.addr);
	if (t.unreadable) {
		kd_json_int(&j, "pid", -1);
		kd_json_null(&j, "command");
		kd_json_null(&j, "thread_info");
		kd_json_null(&j, "cpu");
		kd_json_null(&j, "state");
	} else {
		kd_task_state_long(&t, state, sizeof(state));
		kd_json_int(&j, "pid", t.pid);
		kd_json_str(&j, "command", t.comm);
		kd_json_addr(&j, "thread_info", kd_task_thread_info(c->k, &t));
		kd_json_int(&j, "cpu", cpu);
		kd_json_str(&j, "state", state);
	}
	kd_json_end(&j, '}');
settings:
	kd_json_bool(&j, "debuginfod", c->k->debuginfod);
	kd_json_str(&j, "debuginfod_urls", urls && *urls ? urls : NULL);
	kd_json_end(&j, '}');
	return 0;
}

static int show(struct kd_cmd *c)
{
	struct kd_task t;
	char state[160];
	int cpu;

	if (c->json)
		return show_json(c);
	if (kd_cmd_context(c, &t, &cpu) != 0)
		return -1;
	if (t.unreadable)
		return kd_fail(c->err, KD_ERR_FAULT, "the context task 0x%llx is not in the dump",
			       (unsigned long long)t.addr);
	kd_task_state_long(&t, state, sizeof(state));
	fprintf(c->out, "    PID: %d\nCOMMAND: \"%s\"\n   TASK: %llx  [THREAD_INFO: %llx]\n    CPU: %d\n"
		"  STATE: %s\n", t.pid, t.comm, (unsigned long long)t.addr,
		(unsigned long long)kd_task_thread_info(c->k, &t), cpu, state);
	return 0;
}

static int run_set(struct kd_cmd *c)
{
	struct kd_task t;

	if (c->opt['p']) {
		c->s->context = 0;
		return show(c);
	}
	if (c->argc == 0)
		return show(c);
	if (strcmp(c->argv[0], "source") == 0) {
		if (c->argc != 2)
			return kd_cmd_usage(c, "set source needs one directory");
		if (kd_kernel_add_source_dir(c->k, c->argv[1], c->err) != 0)
			return -1;
		return c->json ? show(c) : 0;
	}
	if (strcmp(c->argv[0], "debuginfod") == 0) {
		const char *urls = getenv("DEBUGINFOD_URLS");
		if (c->argc > 2 || (c->argc == 2 && strcmp(c->argv[1], "on") != 0 && strcmp(c->argv[1], "off") != 0))
			return kd_cmd_usage(c, "debuginfod takes on or off");
		if (c->argc == 2 && (c->k->debuginfod = strcmp(c->argv[1], "on") == 0))
			kd_modules_search_again(c->k);
		if (c->json)
			return show(c);
		fprintf(c->out, "debuginfod: %s (DEBUGINFOD_URLS: %s)\n", c->k->debuginfod ? "on" : "off",
			urls && *urls ? urls : "not set: no server to ask");
		return 0;
	}
	if (c->argc != 1)
		return kd_cmd_usage(c, "one PID or task address is needed");
	if (kd_cmd_task_arg(c->k, c->argv[0], &t, c->err) != 0)
		return -1;
	c->s->context = t.addr;
	return show(c);
}

const struct kd_command kd_cmd_set = {
	.name = "set",
	.options = "p",
	.flags = KD_CMD_JSON,
	.usage = "set [PID | TASK | -p] | set source DIR | set debuginfod [on|off]",
	.summary = "the task context, a source tree for l and dis -s, debuginfod",
	.help = "  (none)      the context: the task bt, task and files act on by default\n"
		"  PID | TASK  make that task the context\n"
		"  -p          back to the panic task\n"
		"  source DIR  look for source files under DIR first (as --source DIR)\n"
		"  debuginfod on|off  fetch the debug files of modules found without\n"
		"              them from DEBUGINFOD_URLS by build-id (off: --no-debuginfod)\n",
	.run = run_set,
};
