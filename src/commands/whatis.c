/* whatis and ptype: what a symbol, an expression or a type is. whatis
 * declares a variable ("volatile unsigned long jiffies;") and prints a
 * struct's definition; ptype prints "type = ..." with structs expanded,
 * as gdb does. --json: docs/json.md. */
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "commands/command.h"
#include "kernel/types.h"
#include "kernel/value.h"

/* The text as a type ("struct x", "int", a typedef), else as an
 * expression's type. */
static int type_of(struct kd_cmd *c, const char *text, kd_type *t, struct kd_value *v, bool *is_type)
{
	kd_err why;

	*is_type = kd_types_find(c->k->types, text, t, NULL) == 0;
	if (*is_type)
		return 0;
	if (kd_expr_eval(c->k, text, -1, v, &why) != 0) {
		*c->err = why;
		return -1;
	}
	*t = v->type;
	return 0;
}

static bool is_aggregate(kd_type t)
{
	struct kd_type_info ti;
	kd_type r;

	return kd_type_resolve(t, &r, NULL) == 0 && kd_type_info(r, &ti, NULL) == 0 &&
	       (ti.kind == KD_TYPE_STRUCT || ti.kind == KD_TYPE_UNION || ti.kind == KD_TYPE_ENUM);
}

/* What a type is, as --json's "kind" says it: "struct", "pointer", ...,
 * "base" for integers, floats and void (qualifiers looked through). */
static const char *type_kind(kd_type t)
{
	static const char *const kinds[] = {
		[KD_TYPE_STRUCT] = "struct",   [KD_TYPE_UNION] = "union", [KD_TYPE_ENUM] = "enum",
		[KD_TYPE_TYPEDEF] = "typedef", [KD_TYPE_PTR] = "pointer", [KD_TYPE_ARRAY] = "array",
		[KD_TYPE_FUNC] = "function",
	};
	struct kd_type_info ti;

	for (int i = 0; i < 8 && kd_type_info(t, &ti, NULL) == 0; i++, t = ti.target)
		if (ti.kind < KD_TYPE_CONST)
			return kinds[ti.kind] ? kinds[ti.kind] : "base";
	return "base";
}

/* --json: {"name", "kind", "type", "size"}, and the struct's, union's or
 * enum's members where the text prints its body (body). A typedef's
 * "type" is what it names, as gdb's whatis says. */
static int json_describe(struct kd_cmd *c, const char *text, kd_type t, const struct kd_value *v,
			 bool is_type, bool body)
{
	struct kd_type_info ti, ri;
	const char *kind = type_kind(t);
	char type[1024];
	struct kd_json j;
	kd_type r;

	if (kd_type_info(t, &ti, c->err) != 0 || kd_type_resolve(t, &r, c->err) != 0 ||
	    kd_type_info(r, &ri, c->err) != 0)
		return -1;
	if (!is_type)
		kind = ri.kind == KD_TYPE_FUNC ? "function" : v->name[0] ? "variable" : "expression";
	if (kd_type_format(is_type && ti.kind == KD_TYPE_TYPEDEF ? ti.target : t, NULL, type,
			   sizeof(type), c->err) != 0)
		return -1;
	kd_json_init(&j, c->out);
	kd_json_object(&j, NULL);
	kd_json_str(&j, "name", text);
	kd_json_str(&j, "kind", kind);
	kd_json_str(&j, "type", type);
	if (ri.kind != KD_TYPE_FUNC && ri.kind != KD_TYPE_VOID && !ri.incomplete) /* an empty struct is 0 */
		kd_json_uint(&j, "size", ri.size);
	else
		kd_json_null(&j, "size");
	if (body && kd_type_json_body(&j, t, 0, c->err) != 0)
		return -1;
	kd_json_end(&j, '}');
	return 0;
}

/* whatis (ptype false) and ptype (true): the same lookup, gdb's two
 * ways of saying what was found. */
static int describe(struct kd_cmd *c, bool ptype)
{
	char text[1024], decl[1024];
	struct kd_type_info ti;
	struct kd_value v;
	bool is_type;
	kd_type t;

	if (!c->argc)
		return kd_cmd_usage(c, "a symbol, an expression or a type is needed");
	if (kd_cmd_join(c, 0, text, sizeof(text)) != 0 || type_of(c, text, &t, &v, &is_type) != 0)
		return -1;
	if (c->json)
		return json_describe(c, text, t, &v, is_type, is_aggregate(t) && (ptype || is_type));
	if (is_aggregate(t) && (ptype || is_type)) {
		if (ptype)
			fputs("type = ", c->out);
		if (kd_type_print_body(c->out, t, 0, false, 0, c->err) != 0 ||
		    kd_type_info(t, &ti, c->err) != 0)
			return -1;
		if (ptype)
			fputc('\n', c->out);
		else
			fprintf(c->out, "\nSIZE: %llu\n", (unsigned long long)ti.size);
		return 0;
	}
	if (kd_type_format(t, !ptype && !is_type ? v.name : NULL, decl, sizeof(decl), c->err) != 0)
		return -1;
	if (!ptype && !is_type && v.name[0])
		fprintf(c->out, "%s;\n", decl);
	else
		fprintf(c->out, "type = %s\n", decl);
	return 0;
}

static int run_whatis(struct kd_cmd *c)
{
	return describe(c, false);
}

static int run_ptype(struct kd_cmd *c)
{
	return describe(c, true);
}

const struct kd_command kd_cmd_whatis = {
	.name = "whatis",
	.complete = KD_COMPLETE_TYPE | KD_COMPLETE_SYMBOL,
	.flags = KD_CMD_MODULE_DEBUG | KD_CMD_JSON,
	.usage = "whatis SYMBOL | EXPRESSION | TYPE",
	.summary = "the declaration of a symbol, or the definition of a type",
	.run = run_whatis,
};

const struct kd_command kd_cmd_ptype = {
	.name = "ptype",
	.complete = KD_COMPLETE_TYPE | KD_COMPLETE_SYMBOL,
	.flags = KD_CMD_MODULE_DEBUG | KD_CMD_JSON,
	.usage = "ptype SYMBOL | EXPRESSION | TYPE",
	.summary = "the type of an expression, structures expanded (gdb's ptype)",
	.run = run_ptype,
};
