/* set: the session's settings, crash's way. `set` shows the task context
 * (the task bt, task and files act on by default) and the settings (`set
 * -v` the settings alone), `set PID | TASK` changes the context, `set -p`
 * goes back to the panic task, `set scroll on|off` pages long output or
 * not, `set radix 10|16` is how p and struct print integers, `set source
 * DIR` adds a source tree for l and dis -s, `set debuginfod on|off` says
 * whether missing module debug files are fetched by build-id. */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "commands/command.h"
#include "kernel/modules.h"
#include "kernel/symbols.h"
#include "kernel/tasks.h"

/* --json: every setting, {"context": {...}, "scroll": ..., "radix": ...,
 * "debuginfod": ..., "debuginfod_urls": ..., "source_dirs": [...],
 * "source_package": ...}. */
static int show_json(struct kd_cmd *c)
{
	const char *urls = getenv("DEBUGINFOD_URLS"), *package;
	const char *const *dirs;
	size_t n;
	int rc;
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
	kd_json_bool(&j, "scroll", c->s->scroll);
	kd_json_int(&j, "radix", c->s->radix);
	kd_json_bool(&j, "debuginfod", c->k->debuginfod);
	kd_json_str(&j, "debuginfod_urls", urls && *urls ? urls : NULL);
	if ((rc = kd_kernel_source_places(c->k, &dirs, &n, &package, c->err)) == 0) {
		kd_json_array(&j, "source_dirs");
		for (size_t i = 0; i < n; i++)
			kd_json_str(&j, NULL, dirs[i]);
		kd_json_end(&j, ']');
		kd_json_str(&j, "source_package", package);
	}
	kd_json_end(&j, '}');
	return rc;
}

/* crash's `set -v` block: one setting a line, names right-aligned; only
 * the one called only when it is given (after `set NAME VALUE`). */
static int show_settings(struct kd_cmd *c, const char *only)
{
	const char *urls = getenv("DEBUGINFOD_URLS"), *pager = getenv("PAGER"), *package;
	const char *const *dirs;
	size_t n;

#define SHOWN(name) (!only || strcmp(only, name) == 0)
	if (SHOWN("scroll"))
		fprintf(c->out, "        scroll: %s (%s)\n", c->s->scroll ? "on" : "off",
			pager && *pager ? pager : "less");
	if (SHOWN("radix"))
		fprintf(c->out, "         radix: %d (%s)\n", c->s->radix,
			c->s->radix == 16 ? "hex" : "decimal");
	if (SHOWN("debuginfod"))
		fprintf(c->out, "    debuginfod: %s (DEBUGINFOD_URLS: %s)\n", c->k->debuginfod ? "on" : "off",
			urls && *urls ? urls : "not set: no server to ask");
	if (SHOWN("source")) {
		if (kd_kernel_source_places(c->k, &dirs, &n, &package, c->err) != 0)
			return -1;
		fputs("        source: ", c->out);
		for (size_t i = 0; i < n; i++)
			fprintf(c->out, "%s, ", dirs[i]);
		fprintf(c->out, "%s\n", package);
	}
#undef SHOWN
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

/* `set NAME [on|off]`: *flag set, then shown. */
static int set_switch(struct kd_cmd *c, bool *flag)
{
	if (c->argc > 2 || (c->argc == 2 && strcmp(c->argv[1], "on") != 0 && strcmp(c->argv[1], "off") != 0))
		return kd_cmd_usage(c, "%s takes on or off", c->argv[0]);
	if (c->argc == 2)
		*flag = strcmp(c->argv[1], "on") == 0;
	return c->json ? show(c) : show_settings(c, c->argv[0]);
}

static int run_set(struct kd_cmd *c)
{
	struct kd_task t;

	if (c->opt['p']) {
		c->s->context = 0;
		return show(c);
	}
	if (c->opt['v'])
		return c->json ? show(c) : show_settings(c, NULL);
	if (c->argc == 0) {
		if (c->json)
			return show(c);
		/* a dump without its panic task still has settings */
		if (show(c) != 0)
			kd_cmd_warn(c, "%s", c->err->msg);
		return show_settings(c, NULL);
	}
	if (strcmp(c->argv[0], "scroll") == 0)
		return set_switch(c, &c->s->scroll);
	if (strcmp(c->argv[0], "radix") == 0) {
		if (c->argc > 2 || (c->argc == 2 && strcmp(c->argv[1], "10") != 0 && strcmp(c->argv[1], "16") != 0))
			return kd_cmd_usage(c, "radix takes 10 or 16");
		if (c->argc == 2)
			c->s->radix = atoi(c->argv[1]);
		return c->json ? show(c) : show_settings(c, "radix");
	}
	if (strcmp(c->argv[0], "source") == 0) {
		if (c->argc != 2)
			return kd_cmd_usage(c, "set source needs one directory");
		if (kd_kernel_add_source_dir(c->k, c->argv[1], c->err) != 0)
			return -1;
		return c->json ? show(c) : show_settings(c, "source");
	}
	if (strcmp(c->argv[0], "debuginfod") == 0) {
		int rc = set_switch(c, &c->k->debuginfod);
		if (rc == 0 && c->argc == 2 && c->k->debuginfod) /* modules without debug info: ask */
			kd_modules_search_again(c->k);
		return rc;
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
	.complete = KD_COMPLETE_TASK,
	.words = (const char *const[]){ "scroll", "radix", "source", "debuginfod", NULL },
	.options = "pv",
	.flags = KD_CMD_JSON,
	.usage = "set [PID | TASK | -p | -v] | set scroll [on|off] | set radix [10|16] | set source DIR | "
		 "set debuginfod [on|off]",
	.summary = "the task context and the session's settings",
	.help = "  (none)      the context (the task bt, task and files act on by default),\n"
		"              then the settings\n"
		"  PID | TASK  make that task the context\n"
		"  -p          back to the panic task\n"
		"  -v          the settings alone\n"
		"  scroll on|off  page output longer than the terminal through $PAGER (less)\n"
		"              at the prompt (kdive -s: off from the start)\n"
		"  radix 10|16 print p's, struct's and union's integers in decimal or hex\n"
		"  source DIR  look for source files under DIR first (as --source DIR)\n"
		"  debuginfod on|off  fetch the debug files of modules found without\n"
		"              them from DEBUGINFOD_URLS by build-id (off: --no-debuginfod)\n",
	.run = run_set,
};
