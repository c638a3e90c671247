/* What several commands print or parse the same way, as crash does. */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "base/err.h"
#include "commands/command.h"
#include "kernel/symbols.h"
#include "kernel/tasks.h"
#include "kernel/value.h"

int kd_cmd_address(struct kd_cmd *c, const char *arg, uint64_t *addr, bool *symbol)
{
	struct kd_value v;
	struct kd_sym s;
	char *end;
	bool dummy;

	if (!symbol)
		symbol = &dummy;
	*symbol = false;
	/* a name first: "add" or "bad" are symbols as well as hex */
	if (kd_kernel_symbol_any(c->k, arg, &s, NULL) == 0) {
		*addr = s.start;
		*symbol = true;
		return 0;
	}
	*addr = strtoull(arg, &end, 16);
	if (*arg && !*end)
		return 0;
	if (kd_expr_eval(c->k, arg, -1, &v, c->err) != 0)
		return -1;
	if (v.lvalue && v.name[0]) {
		*addr = v.addr;
		*symbol = true;
		return 0;
	}
	return kd_value_int(c->k, &v, addr, c->err);
}

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
