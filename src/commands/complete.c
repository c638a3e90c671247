/* Tab at the prompt: the words that complete the one before the cursor.
 * The first word is a command or an alias; after it, "-" offers the
 * command's options, and anything else what its operands are
 * (kd_command.complete): symbols, struct and union names, NAME.member
 * paths through the types, PIDs, command names. The candidates are
 * sorted and each given once. */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/interrupt.h"
#include "commands/command.h"
#include "kernel/symbols.h"
#include "kernel/tasks.h"

struct words {
	char **v;
	size_t n, cap;
	bool failed;
	size_t budget;   /* members still to look at: a dump's own BTF is untrusted */
};

static void add(const char *word, void *arg)
{
	struct words *w = arg;

	if (w->failed)
		return;
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		char **v = realloc(w->v, cap * sizeof(*v));
		if (!v) {
			w->failed = true;
			return;
		}
		w->v = v;
		w->cap = cap;
	}
	if (!(w->v[w->n] = strdup(word)))
		w->failed = true;
	else
		w->n++;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void commands(const char *prefix, struct words *w)
{
	for (size_t i = 0; kd_commands[i]; i++)
		if (strncmp(kd_commands[i]->name, prefix, strlen(prefix)) == 0)
			add(kd_commands[i]->name, w);
}

static void options(const struct kd_command *def, const char *prefix, struct words *w)
{
	char opt[3] = "-";

	for (const char *o = def->options ? def->options : ""; *o; o++) {
		if (*o == ':')
			continue;
		opt[1] = *o;
		if (strncmp(opt, prefix, strlen(prefix)) == 0)
			add(opt, w);
	}
	if ((def->flags & KD_CMD_JSON) && strncmp("--json", prefix, strlen(prefix)) == 0)
		add("--json", w);
}

/* t with typedefs taken off, and through one pointer when deref (a
 * variable's path, where "." follows pointers as p does; a type's path
 * does not); 0 when that is a struct or union. */
static int aggregate(kd_type t, bool deref, kd_type *out, struct kd_type_info *info)
{
	if (kd_type_resolve(t, out, NULL) != 0 || kd_type_info(*out, info, NULL) != 0)
		return -1;
	if (deref && info->kind == KD_TYPE_PTR &&
	    (kd_type_resolve(info->target, out, NULL) != 0 || kd_type_info(*out, info, NULL) != 0))
		return -1;
	return info->kind == KD_TYPE_STRUCT || info->kind == KD_TYPE_UNION ? 0 : -1;
}

/* The members of struct or union t starting with prefix, as
 * "BASE.member"; anonymous members' own. */
static void members(kd_type t, const char *base, size_t base_len, const char *prefix, struct words *w,
		    int depth)
{
	struct kd_type_info info;
	char word[512];

	if (depth > 8) /* a type inside itself, in a dump's own BTF */
		return;
	if (aggregate(t, false, &t, &info) != 0)
		return;
	for (size_t i = 0; i < info.n && w->budget; i++, w->budget--) {
		struct kd_type_member m;
		if (kd_type_member(t, i, &m, NULL) != 0)
			continue;
		if (!*m.name)
			members(m.type, base, base_len, prefix, w, depth + 1);
		else if (strncmp(m.name, prefix, strlen(prefix)) == 0 &&
			 (size_t)snprintf(word, sizeof(word), "%.*s.%s", (int)base_len, base, m.name) < sizeof(word))
			add(word, w);
	}
}

/* "NAME.a.b.pre": the members of NAME.a.b starting with "pre"; NAME a
 * type when the command takes types, else a variable. */
static void member_path(struct kd_kernel *k, unsigned what, const char *word, struct words *w)
{
	const char *dot = strchr(word, '.'), *last = strrchr(word, '.');
	char name[256], type_name[300];
	struct kd_type_info info;
	kd_type t;
	uint64_t addr;
	bool found = false, var = false;

	if ((size_t)(dot - word) >= sizeof(name))
		return;
	snprintf(name, sizeof(name), "%.*s", (int)(dot - word), word);
	if (what & (KD_COMPLETE_STRUCT | KD_COMPLETE_UNION | KD_COMPLETE_TYPEDEF)) {
		snprintf(type_name, sizeof(type_name), "%s%s",
			 (what & KD_COMPLETE_TYPE) == KD_COMPLETE_STRUCT ? "struct " :
			 (what & KD_COMPLETE_TYPE) == KD_COMPLETE_UNION ? "union " : "", name);
		found = kd_types_find(k->types, type_name, &t, NULL) == 0;
	}
	if (!found && (what & KD_COMPLETE_SYMBOL))
		found = var = kd_types_var(k->types, name, &t, &addr, NULL) == 0;
	/* each member on the way: a.b.c */
	for (const char *p = dot + 1; found && p <= last + 1; p += strcspn(p, ".") + 1) {
		char member[256];
		struct kd_member m;

		if (aggregate(t, var, &t, &info) != 0)
			return;
		if (p == last + 1)
			break;
		snprintf(member, sizeof(member), "%.*s", (int)strcspn(p, "."), p);
		if (kd_type_member_path(t, name, member, &m, NULL) != 0)
			return;
		t = m.type;
	}
	if (found)
		members(t, word, (size_t)(last - word), last + 1, w, 0);
}

static void operands(struct kd_kernel *k, unsigned what, const char *word, struct words *w)
{
	static const struct {
		unsigned flag;
		enum kd_type_kind kind;
	} types[] = {
		{ KD_COMPLETE_STRUCT, KD_TYPE_STRUCT },
		{ KD_COMPLETE_UNION, KD_TYPE_UNION },
		{ KD_COMPLETE_TYPEDEF, KD_TYPE_TYPEDEF },
	};

	if (strchr(word, '.')) {
		member_path(k, what, word, w);
		if (what & KD_COMPLETE_SYMBOL) /* foo.isra.0, foo.cold: as bt names them */
			kd_kernel_symbol_names(k, word, add, w);
		return;
	}
	if (what & KD_COMPLETE_COMMAND)
		commands(word, w);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (what & types[i].flag)
			kd_types_names(k->types, types[i].kind, word, add, w, NULL);
	if (what & KD_COMPLETE_SYMBOL)
		kd_kernel_symbol_names(k, word, add, w);
	if (what & KD_COMPLETE_TASK) {
		const struct kd_task *tasks = NULL;
		size_t n = 0;
		char pid[16];
		kd_tasks(k, &tasks, &n, NULL); /* a list that broke still has the tasks before */
		for (size_t i = 0; i < n; i++) {
			snprintf(pid, sizeof(pid), "%d", tasks[i].pid);
			if (strncmp(pid, word, strlen(word)) == 0)
				add(pid, w);
		}
	}
}

/* How many operands line (the command, its words, the one being
 * completed last) has before the last word: an option's argument is
 * not one ("-c 1"). */
static int operands_before(const struct kd_command *def, const char *line)
{
	const char *p = line + strspn(line, " \t");
	int n = 0;
	bool takes_arg = false;

	p += strcspn(p, " \t"); /* the command */
	for (;;) {
		size_t len;
		p += strspn(p, " \t");
		len = strcspn(p, " \t");
		if (!p[len]) /* the word being completed */
			return n;
		if (takes_arg) {
			takes_arg = false;
		} else if (*p == '-' && len == 2) {
			const char *o = def->options ? strchr(def->options, p[1]) : NULL;
			takes_arg = o && o[1] == ':';
		} else if (*p != '-') {
			n++;
		}
		p += len;
	}
}

size_t kd_session_complete(kd_session *s, const char *line, size_t point, kd_complete_fn cb, void *arg)
{
	struct words w = { .budget = 100000 };
	char *head = strndup(line, point), *expanded = NULL;
	const char *word;
	size_t n = 0;

	if (!head)
		return 0;
	kd_interrupt_clear(); /* a Ctrl-C at the prompt before this Tab */
	word = head + strlen(head);
	while (word > head && word[-1] != ' ' && word[-1] != '\t')
		word--;
	if (word == head + strspn(head, " \t")) { /* the first word */
		commands(word, &w);
		kd_alias_names(s, word, add, &w);
	} else if (kd_alias_expand(s, head, &expanded, NULL) == 0) {
		const struct kd_command *def = kd_line_command(expanded);
		if (def) {
			unsigned what = def->complete;
			int before = operands_before(def, expanded);
			if (what & KD_COMPLETE_TYPE_FIRST) /* struct NAME [ADDR|SYMBOL] */
				what = before > 0 ? KD_COMPLETE_SYMBOL : what & KD_COMPLETE_TYPE;
			if (def->words && before > 0) /* set source DIR */
				what = 0;
			for (size_t i = 0; def->words && before == 0 && def->words[i]; i++)
				if (strncmp(def->words[i], word, strlen(word)) == 0)
					add(def->words[i], &w);
			if (*word == '-')
				options(def, word, &w);
			else
				operands(s->k, what, word, &w);
		}
	}
	if (kd_interrupted()) /* Ctrl-C during a first task walk: not kept */
		kd_kernel_forget_walks(s->k);
	if (!w.failed && w.n) {
		qsort(w.v, w.n, sizeof(*w.v), by_name);
		for (size_t i = 0; i < w.n; i++)
			if (i == 0 || strcmp(w.v[i], w.v[i - 1]) != 0) {
				cb(w.v[i], arg);
				n++;
			}
	}
	for (size_t i = 0; i < w.n; i++)
		free(w.v[i]);
	free(w.v);
	free(expanded);
	free(head);
	return n;
}
