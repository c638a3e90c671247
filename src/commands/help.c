/* help [COMMAND]: the command list, or one command's usage and details. */
#include <string.h>

#include "base/err.h"
#include "commands/command.h"

static int run_help(struct kd_cmd *c)
{
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
	.usage = "help [COMMAND...]",
	.summary = "list the commands, or show how to use one",
	.run = run_help,
};
