/* p (print): a C expression's value, laid out as crash (gdb) prints it:
 * "jiffies = $1 = 4294893544", structs over several lines. A per-CPU
 * variable takes a CPU: VAR:1, VAR:a (every CPU), VAR:0,2-3, or -c CPUS;
 * without one, crash's table of its type and per-CPU addresses. --json:
 * docs/json.md. */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "commands/command.h"
#include "kernel/types.h"
#include "kernel/value.h"

/* The value is formatted whole before anything is printed: a value that
 * cannot be read prints nothing and takes no $N, as in gdb. */
static int print_one(struct kd_cmd *c, const struct kd_value *v, const struct kd_print_opts *o)
{
	struct kd_type_info ti;
	char *text = NULL;
	size_t len = 0;
	FILE *mem;
	kd_type r;
	int rc;

	if (!(mem = open_memstream(&text, &len)))
		return kd_oom(c->err);
	rc = kd_value_print(c->k, v, o, 0, mem, c->err);
	fclose(mem);
	if (rc != 0) {
		free(text);
		return -1;
	}
	if (v->name[0] && v->cpu >= 0)
		fprintf(c->out, "per_cpu(%s, %d) = ", v->name, v->cpu);
	else if (v->name[0])
		fprintf(c->out, "%s = ", v->name);
	fprintf(c->out, "$%d = ", ++c->s->values);
	/* crash starts an array of numbers on a line of its own */
	if (kd_type_resolve(v->type, &r, NULL) == 0 && kd_type_info(r, &ti, NULL) == 0 &&
	    ti.kind == KD_TYPE_ARRAY && ti.count && v->lvalue) {
		struct kd_type_info ei;
		kd_type er;
		if (kd_type_resolve(ti.target, &er, NULL) == 0 && kd_type_info(er, &ei, NULL) == 0 &&
		    !(ei.kind == KD_TYPE_INT && ei.is_char))
			fputs("\n ", c->out);
	}
	fprintf(c->out, "%s\n", text);
	free(text);
	return 0;
}

/* crash's answer for a per-CPU variable named without a CPU. */
static int percpu_table(struct kd_cmd *c, const struct kd_value *v)
{
	char decl[1024];

	if (kd_type_format(v->type, v->name, decl, sizeof(decl), c->err) != 0)
		return -1;
	fprintf(c->out, "PER-CPU DATA TYPE:\n  %s;\nPER-CPU ADDRESSES:\n", decl);
	for (int cpu = 0; cpu < c->k->nr_cpus; cpu++)
		fprintf(c->out, "  [%d]: %llx\n", cpu,
			(unsigned long long)(v->addr + c->k->per_cpu_offset[cpu]));
	return 0;
}

/* --json: the document's {"expression": ..., "type": ...; the caller
 * writes the rest. */
static int json_head(struct kd_cmd *c, struct kd_json *j, const char *expr,
		     const struct kd_value *v)
{
	char type[512];

	if (kd_type_format(v->type, NULL, type, sizeof(type), c->err) != 0)
		return -1;
	kd_json_init(j, c->out);
	kd_json_object(j, NULL);
	kd_json_str(j, "expression", expr);
	kd_json_str(j, "type", type);
	return 0;
}

/* "address" (null for a value in no object: 1+2, &x), "value", "error". */
static int json_value(struct kd_cmd *c, struct kd_json *j, const struct kd_value *v)
{
	if (v->lvalue)
		kd_json_addr(j, "address", v->addr);
	else
		kd_json_str(j, "address", NULL);
	return kd_cmd_json_value(c, j, "value", v, NULL, c->err);
}

static int json_one(struct kd_cmd *c, const char *expr, const struct kd_value *v)
{
	struct kd_json j;

	if (json_head(c, &j, expr, v) != 0 || json_value(c, &j, v) != 0)
		return -1;
	kd_json_end(&j, '}');
	return 0;
}

/* The per-CPU table's JSON: each CPU's address of the variable. */
static int json_percpu_table(struct kd_cmd *c, const char *expr, const struct kd_value *v)
{
	struct kd_json j;

	if (json_head(c, &j, expr, v) != 0)
		return -1;
	kd_json_array(&j, "cpus");
	for (int cpu = 0; cpu < c->k->nr_cpus; cpu++) {
		kd_json_object(&j, NULL);
		kd_json_int(&j, "cpu", cpu);
		kd_json_addr(&j, "address", v->addr + c->k->per_cpu_offset[cpu]);
		kd_json_end(&j, '}');
	}
	kd_json_end(&j, ']');
	kd_json_end(&j, '}');
	return 0;
}

/* A per-CPU variable on the CPUs chosen: text, one value after the other;
 * JSON, one document with a "cpus" element each. */
static int print_cpus(struct kd_cmd *c, const char *expr, const bool *cpus,
		      const struct kd_print_opts *o)
{
	struct kd_json j;
	bool open = false;
	struct kd_value v;
	int rc = 0;

	for (int cpu = 0; cpu < c->k->nr_cpus && rc == 0; cpu++) {
		if (!cpus[cpu])
			continue;
		if (kd_expr_eval(c->k, expr, cpu, &v, c->err) != 0)
			return -1;
		if (v.cpu < 0) {
			kd_cmd_warn(c, "%s is not per-CPU: the CPU is ignored", expr);
			return c->json ? json_one(c, expr, &v) : print_one(c, &v, o);
		}
		if (!c->json) {
			rc = print_one(c, &v, o);
			continue;
		}
		if (!open && json_head(c, &j, expr, &v) != 0)
			return -1;
		if (!open)
			kd_json_array(&j, "cpus");
		open = true;
		kd_json_object(&j, NULL);
		kd_json_int(&j, "cpu", cpu);
		rc = json_value(c, &j, &v);
		kd_json_end(&j, '}');
	}
	if (open) {
		kd_json_end(&j, ']');
		kd_json_end(&j, '}');
	}
	return rc;
}

static int run_p(struct kd_cmd *c)
{
	struct kd_print_opts o = { .hex = kd_cmd_hex(c), .top = true };
	const char *spec = c->optarg['c'];
	char expr[4096] = "", *colon;
	struct kd_value v;
	bool *cpus;
	size_t n = 0;
	int rc = 0;

	if (!c->argc)
		return kd_cmd_usage(c, "an expression is needed");
	for (int i = 0; i < c->argc; i++)
		n += (size_t)snprintf(expr + n, n < sizeof(expr) ? sizeof(expr) - n : 0, "%s%s",
				      i ? " " : "", c->argv[i]);
	if (n >= sizeof(expr))
		return kd_cmd_usage(c, "an expression of more than %zu characters", sizeof(expr) - 1);
	/* SYMBOL:CPUSPEC */
	if ((colon = strrchr(expr, ':')) && !spec) {
		*colon = '\0';
		spec = colon + 1;
	}
	if (!spec) {
		if (kd_expr_eval(c->k, expr, -1, &v, c->err) != 0)
			return -1;
		if (v.name[0] && kd_value_is_percpu(&v))
			return c->json ? json_percpu_table(c, expr, &v) : percpu_table(c, &v);
		return c->json ? json_one(c, expr, &v) : print_one(c, &v, &o);
	}
	if (!(cpus = calloc((size_t)c->k->nr_cpus, sizeof(*cpus))))
		return kd_oom(c->err);
	rc = kd_cmd_cpu_list(c, spec, cpus) == 0 ? print_cpus(c, expr, cpus, &o) : -1;
	free(cpus);
	return rc;
}

const struct kd_command kd_cmd_p = {
	.name = "p",
	.complete = KD_COMPLETE_SYMBOL,
	.options = "xdc:",
	.flags = KD_CMD_MODULE_DEBUG | KD_CMD_JSON,
	.usage = "p [-x|-d] [-c CPUS] EXPRESSION | SYMBOL[:CPUS]",
	.summary = "print the value of an expression",
	.help = "  EXPRESSION is C: variables of vmlinux and of modules whose debug info is\n"
		"  loaded (static ones too), enum constants, numbers, . -> [i] * &, casts\n"
		"  such as (struct task_struct *)0xffff..., arithmetic and comparisons,\n"
		"  sizeof(TYPE), offsetof(TYPE, member).\n"
		"  -x  integers in hex          -d  integers in decimal (the default)\n"
		"  -c CPUS, or SYMBOL:CPUS  a per-CPU variable on those CPUs: 1, a (all),\n"
		"      0,2-3; a per-CPU variable without CPUs prints its type and addresses.\n"
		"  p/x and p/d are -x and -d. Values are numbered $1, $2, ... as gdb does.\n"
		"  --json: the value as JSON (docs/json.md); -x and -d change nothing there.\n",
	.run = run_p,
};
