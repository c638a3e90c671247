/* What several commands print or parse the same way, as crash does. */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/interrupt.h"
#include "base/json.h"
#include "commands/command.h"
#include "kernel/live.h"
#include "kernel/pages.h"
#include "kernel/symbols.h"
#include "kernel/tasks.h"
#include "kernel/types.h"
#include "kernel/value.h"

/* crash's SYMBOL+OFFSET (decimal, or hex with 0x): a function's name
 * is an address here, not a value as in C. */
static bool symbol_offset(struct kd_cmd *c, const char *arg, uint64_t *addr)
{
	const char *op = strrchr(arg, '+');
	char name[256], *end;
	unsigned long long off;
	struct kd_sym s;

	if (!op && !(op = strrchr(arg, '-')))
		return false;
	if (op == arg || (size_t)(op - arg) >= sizeof(name))
		return false;
	off = strtoull(op + 1, &end, 0);
	if (!op[1] || *end)
		return false;
	snprintf(name, sizeof(name), "%.*s", (int)(op - arg), arg);
	if (kd_kernel_symbol_any(c->k, name, &s, NULL) != 0)
		return false;
	*addr = *op == '+' ? s.start + off : s.start - off;
	return true;
}

int kd_cmd_address(struct kd_cmd *c, const char *arg, uint64_t *addr, bool *symbol)
{
	struct kd_type_info ti;
	struct kd_value v;
	struct kd_sym s;
	char *end;
	bool dummy;
	kd_type r;

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
	if (symbol_offset(c, arg, addr))
		return 0;
	if (kd_expr_eval(c->k, arg, -1, &v, c->err) != 0)
		return -1;
	if (v.lvalue && v.name[0]) {
		*addr = v.addr;
		*symbol = true;
		return 0;
	}
	/* an object that is not a number (init_task.tasks): where it is */
	if (v.lvalue && kd_type_resolve(v.type, &r, NULL) == 0 && kd_type_info(r, &ti, NULL) == 0 &&
	    (ti.kind == KD_TYPE_STRUCT || ti.kind == KD_TYPE_UNION || ti.kind == KD_TYPE_ARRAY)) {
		*addr = v.addr;
		return 0;
	}
	return kd_value_int(c->k, &v, addr, c->err);
}

void kd_print_task_header(FILE *out, const struct kd_task *t, int indent)
{
	if (t->unreadable) /* only where it is and where it ran are known */
		fprintf(out, "%*sPID: %-7s  TASK: %-16llx  CPU: %-3d  COMMAND: \"?\"\n", indent, "", "?",
			(unsigned long long)t->addr, t->cpu);
	else
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

int kd_cmd_context(struct kd_cmd *c, struct kd_task *t, int *cpu)
{
	if (c->s->context) {
		if (kd_task_by_addr(c->k, c->s->context, t, c->err) != 0)
			return -1;
		*cpu = t->cpu;
		return 0;
	}
	if (kd_start_task(c->k, t, cpu, c->err) != 0)
		return kd_wrap(c->err, "name a task (%s PID, or set PID)", c->def->name);
	return 0;
}

bool kd_cmd_hex(const struct kd_cmd *c)
{
	return (c->opt['x'] || c->s->radix == 16) && !c->opt['d'];
}

int kd_cmd_each_task(struct kd_cmd *c, kd_cmd_task_fn fn)
{
	int rc = 0, shown = 0;

	if (c->argc == 0) {
		struct kd_task t;
		int cpu;

		if (kd_cmd_context(c, &t, &cpu) != 0)
			return -1;
		return fn(c, &t, 0, c->err);
	}
	for (int i = 0; i < c->argc; i++) {
		struct kd_task t;
		kd_err one;

		if (kd_interrupt_check(c->err) != 0)
			return -1;
		if (kd_cmd_task_arg(c->k, c->argv[i], &t, &one) != 0 || fn(c, &t, shown++, &one) != 0) {
			if (rc != 0) /* the last error is returned, the ones before said */
				kd_cmd_warn(c, "%s", c->err->msg);
			*c->err = one;
			rc = -1;
		}
	}
	return rc;
}

int kd_cmd_cpu_list(struct kd_cmd *c, const char *spec, bool *cpus)
{
	int n = c->k->nr_cpus;

	memset(cpus, 0, (size_t)n * sizeof(*cpus));
	if (strcmp(spec, "a") == 0 || strcmp(spec, "all") == 0) {
		for (int i = 0; i < n; i++)
			cpus[i] = true;
		return 0;
	}
	for (const char *p = spec; *p;) {
		char *end;
		long a = strtol(p, &end, 10), b = a;
		if (end == p)
			return kd_cmd_usage(c, "%s is not a CPU list", spec);
		if (*end == '-') {
			p = end + 1;
			b = strtol(p, &end, 10);
			if (end == p)
				return kd_cmd_usage(c, "%s is not a CPU list", spec);
		}
		if (a < 0 || b < a || b >= n)
			return kd_fail(c->err, KD_ERR_INVALID, "CPU %ld..%ld: this kernel has CPUs 0..%d", a,
				       b, n - 1);
		for (long i = a; i <= b; i++)
			cpus[i] = true;
		p = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return kd_cmd_usage(c, "%s is not a CPU list", spec);
	}
	return 0;
}

int kd_cmd_print_source(struct kd_cmd *c, struct kd_json *j, const char *file, int first, int last,
			int mark)
{
	const char *text, *from, *p;
	size_t len;
	int line = 1, shown = -1;

	if (kd_kernel_source(c->k, file, &text, &len, &from, c->err) != 0)
		return -1;
	if (first < 1)
		first = 1;
	for (p = text; p < text + len && line <= last; line++) {
		const char *nl = memchr(p, '\n', (size_t)(text + len - p));
		int n = (int)((nl ? nl : text + len) - p);

		if (line >= first) {
			if (j) {
				kd_json_object(j, NULL);
				kd_json_int(j, "line", line);
				kd_json_strn(j, "text", p, (size_t)n);
				kd_json_end(j, '}');
			} else if (mark > 0)
				fprintf(c->out, "%c %5d  %.*s\n", line == mark ? '*' : ' ', line, n, p);
			else
				fprintf(c->out, "%d\t%.*s\n", line, n, p);
			shown = line;
		}
		p = nl ? nl + 1 : text + len;
	}
	if (shown < 0)
		return kd_fail(c->err, KD_ERR_INVALID, "line %d is past the end of %s (%d lines)", first,
			       from, line - 1);
	return shown;
}

void kd_cmd_print_page(struct kd_cmd *c, uint64_t paddr)
{
	struct kd_page pg;
	char names[512];

	if (kd_kernel_page(c->k, paddr >> 12, &pg, NULL) != 0)
		return;
	kd_kernel_page_flags(c->k, &pg, names, sizeof(names));
	fprintf(c->out, "\n      PAGE       PHYSICAL      MAPPING       INDEX CNT FLAGS\n"
		"%llx %8llx %16llx %8llx %2lld %llx%s%s\n",
		(unsigned long long)pg.addr, (unsigned long long)(paddr & ~0xfffULL),
		(unsigned long long)pg.mapping, (unsigned long long)pg.index, (long long)pg.count,
		(unsigned long long)pg.flags, names[0] ? " " : "", names);
}

void kd_cmd_json_page(struct kd_cmd *c, struct kd_json *j, const char *key, uint64_t paddr)
{
	struct kd_page pg;
	char names[512];

	if (kd_kernel_page(c->k, paddr >> 12, &pg, NULL) != 0) {
		kd_json_str(j, key, NULL);
		return;
	}
	kd_kernel_page_flags(c->k, &pg, names, sizeof(names));
	kd_json_object(j, key);
	kd_json_addr(j, "page", pg.addr);
	kd_json_addr(j, "physical", paddr & ~0xfffULL);
	kd_json_addr(j, "mapping", pg.mapping);
	kd_json_addr(j, "index", pg.index);
	kd_json_int(j, "cnt", (long long)pg.count);
	kd_json_addr(j, "flags", pg.flags);
	kd_cmd_json_words(j, "flag_names", names, ' ');
	kd_json_end(j, '}');
}

void kd_cmd_json_words(struct kd_json *j, const char *key, const char *s, char sep)
{
	kd_json_array(j, key);
	while (*s) {
		const char *end = strchr(s, sep);
		size_t len = end ? (size_t)(end - s) : strlen(s);
		if (len)
			kd_json_strn(j, NULL, s, len);
		s += len + (end ? 1 : 0);
	}
	kd_json_end(j, ']');
}

void kd_cmd_json_list(struct kd_cmd *c, struct kd_json *j, const char *key)
{
	if (!c->json)
		return;
	if (key) {
		kd_json_init(j, c->out);
		kd_json_object(j, NULL);
		kd_json_array(j, key);
	} else {
		kd_json_end(j, ']');
		kd_json_end(j, '}');
	}
}

int kd_cmd_print_object(struct kd_cmd *c, const char *label, kd_type type, uint64_t addr,
			const struct kd_print_opts *o, kd_err *err)
{
	struct kd_value v = kd_value_at(type, addr);
	int rc;

	fprintf(c->out, "%s ", label);
	rc = kd_value_print(c->k, &v, o, 0, c->out, err);
	fputc('\n', c->out);
	return rc;
}

int kd_cmd_json_value(struct kd_cmd *c, struct kd_json *j, const char *key,
		      const struct kd_value *v, const char *members, kd_err *err)
{
	kd_err why;
	int rc = members ? kd_value_json_members(c->k, v, members, j, key, &why)
			 : kd_value_json(c->k, v, j, key, &why);

	if (rc != 0 && !kd_err_is_fault(&why)) {
		*err = why;
		return -1;
	}
	kd_json_str(j, "error", rc ? why.msg : NULL);
	return 0;
}

void kd_cmd_json_element(struct kd_cmd *c, struct kd_json *j)
{
	kd_json_init(j, c->out);
	j->depth = 2;
	j->more[2] = c->json_more;
	c->json_more = true;
}

void kd_cmd_json_task(struct kd_cmd *c, struct kd_json *j, const struct kd_task *t)
{
	kd_cmd_json_element(c, j);
	kd_json_object(j, NULL);
	kd_json_int(j, "pid", t->unreadable ? -1 : t->pid);
	kd_json_addr(j, "task", t->addr);
	kd_json_int(j, "cpu", t->cpu);
	kd_json_str(j, "comm", t->unreadable ? NULL : t->comm);
}

int kd_cmd_no_lines(struct kd_cmd *c, uint64_t addr)
{
	char why[700];

	kd_kernel_no_lines_hint(c->k, addr, why, sizeof(why));
	return kd_fail(c->err, KD_ERR_LOOKUP, "no line information for 0x%llx: %s",
		       (unsigned long long)addr, why);
}
