/* What several commands print or parse the same way, as crash does. */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "base/err.h"
#include "commands/command.h"
#include "kernel/tasks.h"

void kd_print_task_header(FILE *out, const struct kd_task *t, int indent)
{
	fprintf(out, "%*sPID: %-7d  TASK: %-16llx  CPU: %-3d  COMMAND: \"%s\"\n", indent, "",
		t->pid, (unsigned long long)t->addr, t->cpu, t->comm);
}

int kd_cmd_task_arg(struct kd_kernel *k, const char *arg, struct kd_task *t, kd_err *err)
{
	unsigned long long v;
	bool decimal = *arg != '\0';
	char *end;

	for (const char *p = arg; *p; p++)
		if (!isdigit((unsigned char)*p))
			decimal = false;
	errno = 0;
	v = strtoull(arg, &end, decimal ? 10 : 16);
	if (!*arg || *end || errno)
		return kd_fail(err, KD_ERR_INVALID, "%s is neither a PID nor a task address", arg);
	if (decimal) {
		if (v > 0x7fffffff)
			return kd_fail(err, KD_ERR_INVALID, "%s is not a PID", arg);
		return kd_task_by_pid(k, (int)v, t, err);
	}
	return kd_task_by_addr(k, v, t, err);
}
