/* alias: crash's command aliases. `alias NAME COMMAND...` makes NAME run
 * COMMAND with NAME's words after it; `alias` lists them. A name that is
 * a command is refused (its habits stay), and an alias that comes back to
 * itself is refused when run. ~/.kdiverc and ./.kdiverc, read at the
 * prompt, are where they usually live. */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "commands/command.h"

#define MAX_EXPANSIONS 16

struct kd_alias {
	char *name, *text;
};

static struct kd_alias *find(struct kd_session *s, const char *name, size_t len)
{
	for (size_t i = 0; i < s->n_aliases; i++)
		if (strlen(s->aliases[i].name) == len && strncmp(s->aliases[i].name, name, len) == 0)
			return &s->aliases[i];
	return NULL;
}

void kd_alias_names(struct kd_session *s, const char *prefix, void (*cb)(const char *name, void *arg),
		    void *arg)
{
	for (size_t i = 0; i < s->n_aliases; i++)
		if (strncmp(s->aliases[i].name, prefix, strlen(prefix)) == 0)
			cb(s->aliases[i].name, arg);
}

int kd_alias_expand(struct kd_session *s, const char *line, char **out, kd_err *err)
{
	char *cur = strdup(line);

	if (!cur)
		return kd_oom(err);
	for (int n = 0;; n++) {
		const char *w = cur + strspn(cur, " \t");
		size_t len = strcspn(w, " \t");
		struct kd_alias *a = find(s, w, len);
		if (!a) {
			*out = cur;
			return 0;
		}
		if (n == MAX_EXPANSIONS) {
			kd_fail(err, KD_ERR_INVALID, "alias %s: a loop (it comes back to itself)", a->name);
			free(cur);
			return -1;
		}
		size_t need = strlen(a->text) + strlen(w + len) + 1;
		char *next = malloc(need);
		if (!next) {
			free(cur);
			return kd_oom(err);
		}
		snprintf(next, need, "%s%s", a->text, w + len);
		free(cur);
		cur = next;
	}
}

void kd_aliases_free(struct kd_session *s)
{
	for (size_t i = 0; i < s->n_aliases; i++) {
		free(s->aliases[i].name);
		free(s->aliases[i].text);
	}
	free(s->aliases);
}

static int list(struct kd_cmd *c)
{
	struct kd_json j;

	if (c->json) {
		kd_json_init(&j, c->out);
		kd_json_object(&j, NULL);
		kd_json_array(&j, "aliases");
	}
	for (size_t i = 0; i < c->s->n_aliases; i++) {
		const struct kd_alias *a = &c->s->aliases[i];
		if (c->json) {
			kd_json_object(&j, NULL);
			kd_json_str(&j, "alias", a->name);
			kd_json_str(&j, "command", a->text);
			kd_json_end(&j, '}');
		} else {
			fprintf(c->out, "%-12s %s\n", a->name, a->text);
		}
	}
	if (c->json) {
		kd_json_end(&j, ']');
		kd_json_end(&j, '}');
	}
	return 0;
}

static int run_alias(struct kd_cmd *c)
{
	struct kd_session *s = c->s;
	char text[1024];
	struct kd_alias *a;

	if (c->argc == 0)
		return list(c);
	if (c->argc == 1)
		return kd_cmd_usage(c, "a command is needed after %s", c->argv[0]);
	if (kd_command_find(c->argv[0]) || strcmp(c->argv[0], "q") == 0)
		return kd_fail(c->err, KD_ERR_INVALID, "%s is a command: choose another name", c->argv[0]);
	if (kd_cmd_join(c, 1, text, sizeof(text)) != 0)
		return -1;
	if (!(a = find(s, c->argv[0], strlen(c->argv[0])))) {
		struct kd_alias *v = realloc(s->aliases, (s->n_aliases + 1) * sizeof(*v));
		if (!v)
			return kd_oom(c->err);
		s->aliases = v;
		a = &v[s->n_aliases];
		if (!(a->name = strdup(c->argv[0])))
			return kd_oom(c->err);
		a->text = NULL;
		s->n_aliases++;
	}
	free(a->text);
	if (!(a->text = strdup(text)))
		return kd_oom(c->err);
	return c->json ? list(c) : 0;
}

const struct kd_command kd_cmd_alias = {
	.name = "alias",
	.complete = KD_COMPLETE_COMMAND,
	.flags = KD_CMD_RAW_ARGS | KD_CMD_JSON,
	.usage = "alias [NAME COMMAND...]",
	.summary = "make a short name for a command line, or list them",
	.help = "  alias ba bt -a       then `ba` runs `bt -a` (words after `ba` follow)\n"
		"  alias                the aliases made\n"
		"  ~/.kdiverc and ./.kdiverc, read at the prompt's start (as crash's .crashrc),\n"
		"  hold them, or any command, one per line.\n",
	.run = run_alias,
};
