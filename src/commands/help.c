/* help [COMMAND]: the command list, or one command's usage and details. */
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "commands/command.h"

/* --json: {"commands": [{"name", "usage", "summary", "help"}]}, those
 * named or all. */
static int help_json(struct kd_cmd *c)
{
	struct kd_json j;

	for (int i = 0; i < c->argc; i++)
		if (!kd_command_find(c->argv[i]))
			return kd_fail(c->err, KD_ERR_LOOKUP, "no command %s (try `help`)", c->argv[i]);
	kd_json_init(&j, c->out);
	kd_json_object(&j, NULL);
	kd_json_array(&j, "commands");
	for (size_t i = 0; kd_commands[i]; i++) {
		const struct kd_command *d = kd_commands[i];
		bool asked = c->argc == 0;

		for (int a = 0; a < c->argc; a++)
			asked |= strcmp(c->argv[a], d->name) == 0;
		if (!asked)
			continue;
		kd_json_object(&j, NULL);
		kd_json_str(&j, "name", d->name);
		kd_json_str(&j, "usage", d->usage);
		kd_json_str(&j, "summary", d->summary);
		kd_json_str(&j, "help", d->help ? d->help : "");
		kd_json_bool(&j, "json", d->flags & KD_CMD_JSON);
		kd_json_end(&j, '}');
	}
	kd_json_end(&j, ']');
	kd_json_end(&j, '}');
	return 0;
}

static int run_help(struct kd_cmd *c)
{
	if (c->json)
		return help_json(c);
	if (c->argc == 0) {
		for (size_t i = 0; kd_commands[i]; i++)
			fprintf(c->out, "  %-8s %s\n", kd_commands[i]->name, kd_commands[i]->summary);
		fputs("  q        leave the session\n"
		      "Commands take crash's options; `cmd | shell pipeline` and `cmd > file` work.\n",
		      c->out);
		return 0;
	}
	for (int i = 0; i < c->argc; i++) {
		const struct kd_command *d = kd_command_find(c->argv[i]);
		if (strcmp(c->argv[i], "q") == 0) { /* the prompt's own: it ends the session */
			fputs("usage: q\nleave the session (also quit, exit, or the end of input)\n", c->out);
			continue;
		}
		if (!d)
			return kd_fail(c->err, KD_ERR_LOOKUP, "no command %s (try `help`)", c->argv[i]);
		fprintf(c->out, "usage: %s\n%s\n%s", d->usage, d->summary, d->help ? d->help : "");
	}
	return 0;
}

const struct kd_command kd_cmd_help = {
	.name = "help",
	.complete = KD_COMPLETE_COMMAND,
	.flags = KD_CMD_JSON,
	.usage = "help [COMMAND...]",
	.summary = "list the commands, or show how to use one",
	.run = run_help,
};

int kd_session_help(const char *const *names, size_t n, int json, FILE *out, kd_err *err)
{
	/* run_help reads only its operands and streams: no session needed */
	struct kd_cmd c = { .def = &kd_cmd_help, .out = out, .err = err, .argc = (int)n,
			    .argv = (char **)names, .json = json };

	return run_help(&c);
}
