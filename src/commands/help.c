/* help [COMMAND]: the command list, or one command's usage and details. */
#include "base/err.h"
#include "commands/command.h"

static int run_help(struct kd_session *s, int argc, char **argv, FILE *out, kd_err *err)
{
	(void)s;
	if (argc < 2) {
		for (size_t i = 0; kd_commands[i]; i++)
			fprintf(out, "  %-8s %s\n", kd_commands[i]->name, kd_commands[i]->summary);
		fputs("  q        leave the session\n"
		      "Commands take crash's options; `cmd | shell pipeline` and `cmd > file` work.\n",
		      out);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		const struct kd_command *c = kd_command_find(argv[i]);
		if (!c)
			return kd_fail(err, "help: no command %s (try `help`)", argv[i]);
		fprintf(out, "usage: %s\n%s\n%s", c->usage, c->summary, c->help ? c->help : "");
	}
	return 0;
}

const struct kd_command kd_cmd_help = {
	.name = "help",
	.usage = "help [COMMAND...]",
	.summary = "list the commands, or show how to use one",
	.run = run_help,
};
