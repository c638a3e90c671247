/* repeat [-SECONDS] COMMAND: crash's repeat, for watching a live kernel
 * (`repeat -1 runq`): the command again and again, SECONDS apart (none by
 * default, as crash), until Ctrl-C, which is how it ends, not a failure.
 * Each run is a command line of its own, so a live kernel is read afresh
 * every time. A failing run stops it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "base/interrupt.h"
#include "commands/command.h"

static int run_repeat(struct kd_cmd *c)
{
	char line[4096], *end;
	long seconds = 0;
	int from = 0;

	if (c->argc > 0 && c->argv[0][0] == '-') {
		seconds = strtol(c->argv[0] + 1, &end, 10);
		if (end == c->argv[0] + 1 || *end || seconds < 0)
			return kd_cmd_usage(c, "%s: the delay is -SECONDS", c->argv[0]);
		from = 1;
	}
	if (from >= c->argc)
		return kd_cmd_usage(c, "a command is needed");
	if (kd_cmd_join(c, from, line, sizeof(line)) != 0)
		return -1;
	while (!kd_interrupted()) {
		struct timespec left = { seconds, 0 };

		if (kd_session_exec(c->s, line, c->out, c->err) != 0)
			break;
		fflush(c->out);
		while (!kd_interrupted() && nanosleep(&left, &left) != 0 && errno == EINTR)
			;
	}
	if (kd_interrupted()) {
		kd_interrupt_clear();
		return 0;
	}
	return -1;
}

const struct kd_command kd_cmd_repeat = {
	.name = "repeat",
	.complete = KD_COMPLETE_COMMAND,
	.flags = KD_CMD_RAW_ARGS | KD_CMD_STREAMS,
	.usage = "repeat [-SECONDS] COMMAND [ARGS...]",
	.summary = "run a command again and again until Ctrl-C (a live kernel's runq, ps...)",
	.help = "  -SECONDS  wait that long between runs (none by default)\n"
		"Its output goes straight to the terminal, never to the pager. A run that\n"
		"fails stops it.\n",
	.run = run_repeat,
};
