#include "probe/spec.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static bool is_ident(const char *s)
{
	if (!*s || isdigit((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!ident_char(*s) && *s != '.')
			return false;
	return true;
}

static char *dup_n(const char *s, size_t n, kd_err *err)
{
	char *d = strndup(s, n);

	if (!d)
		kd_oom(err);
	return d;
}

static int number(const char *s, const char *what, uint64_t *v, kd_err *err)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	if (!*s || *end || errno || *s == '-')
		return kd_fail(err, KD_ERR_INVALID, "%s: '%s' is not a number", what, s);
	return 0;
}

/* A source file names a directory or has an extension; a function does
 * neither (perf's rule). */
static bool looks_like_file(const char *s, size_t n)
{
	return memchr(s, '/', n) || memchr(s, '.', n);
}

/* FUNC[@SRC][:RLN|+OFF|%return|;PTN] or SRC[:ALN|;PTN], in place. */
static int parse_point(char *p, struct kd_probe_spec *s, kd_err *err)
{
	char *semi = strchr(p, ';'), *pct, *plus, *colon, *at;
	uint64_t v;

	if (semi) {
		*semi = '\0';
		if (!semi[1])
			return kd_fail(err, KD_ERR_INVALID, "';' needs a line pattern after it");
		if (!(s->pattern = dup_n(semi + 1, strlen(semi + 1), err)))
			return -1;
	}
	if ((pct = strchr(p, '%'))) {
		if (strcmp(pct, "%return") != 0)
			return kd_fail(err, KD_ERR_INVALID, "'%s': only %%return may follow a function", pct);
		s->ret = true;
		*pct = '\0';
	}
	if ((plus = strchr(p, '+'))) {
		*plus = '\0';
		if (number(plus + 1, "offset", &v, err) != 0)
			return -1;
		s->has_offset = true;
		s->offset = v;
	}
	if ((colon = strchr(p, ':'))) {
		*colon = '\0';
		if (number(colon + 1, "line", &v, err) != 0)
			return -1;
		if (v == 0 || v > 10000000)
			return kd_fail(err, KD_ERR_INVALID, "line %s is out of range", colon + 1);
		s->line = (long)v;
	}
	at = strchr(p, '@');
	if (at) {
		*at = '\0';
		if (!at[1])
			return kd_fail(err, KD_ERR_INVALID, "'@' needs a source file after it");
		if (!(s->file = dup_n(at + 1, strlen(at + 1), err)))
			return -1;
	}
	if (!at && looks_like_file(p, strlen(p))) {
		if (!(s->file = dup_n(p, strlen(p), err)))
			return -1;
		if (!s->line && !s->pattern)
			return kd_fail(err, KD_ERR_INVALID, "%s: a source file needs :LINE or ;PATTERN", p);
		if (s->ret || s->has_offset)
			return kd_fail(err, KD_ERR_INVALID, "%s: +OFF and %%return need a function", p);
		return 0;
	}
	if (!is_ident(p) || strchr(p, '.'))
		return kd_fail(err, KD_ERR_INVALID, "'%s' is not a function name", p);
	if ((s->ret != 0) + s->has_offset + (s->line != 0) + (s->pattern != NULL) > 1)
		return kd_fail(err, KD_ERR_INVALID, "only one of :LINE, +OFF, %%return and ;PATTERN may follow "
			       "a function");
	return (s->func = dup_n(p, strlen(p), err)) ? 0 : -1;
}

/* A member chain: VAR then ->M, .M, [N] (no blanks). */
static bool is_chain(const char *e)
{
	if (!isalpha((unsigned char)*e) && *e != '_')
		return false;
	while (ident_char(*e))
		e++;
	while (*e) {
		if (e[0] == '-' && e[1] == '>')
			e += 2;
		else if (*e == '.')
			e++;
		else if (*e == '[') {
			e++;
			if (!isdigit((unsigned char)*e))
				return false;
			while (isdigit((unsigned char)*e))
				e++;
			if (*e++ != ']')
				return false;
			continue;
		} else
			return false;
		if (!isalpha((unsigned char)*e) && *e != '_')
			return false;
		while (ident_char(*e))
			e++;
	}
	return true;
}

static int parse_arg(const char *word, struct kd_probe_arg *a, kd_err *err)
{
	const char *eq = NULL, *colon, *e = word;

	/* NAME= only before anything that is not a name */
	for (const char *p = word; ident_char(*p) || *p == '='; p++)
		if (*p == '=') {
			eq = p;
			break;
		}
	if (eq) {
		if (eq == word)
			return kd_fail(err, KD_ERR_INVALID, "'%s': empty argument name", word);
		if (!(a->name = dup_n(word, (size_t)(eq - word), err)))
			return -1;
		e = eq + 1;
	}
	colon = strrchr(e, ':');
	if (colon) {
		if (!colon[1] || !is_ident(colon + 1))
			return kd_fail(err, KD_ERR_INVALID, "'%s': bad type after ':'", word);
		if (!(a->type = dup_n(colon + 1, strlen(colon + 1), err)))
			return -1;
	}
	if (!(a->expr = dup_n(e, colon ? (size_t)(colon - e) : strlen(e), err)))
		return -1;
	e = a->expr;
	if (!*e)
		return kd_fail(err, KD_ERR_INVALID, "'%s': empty argument", word);
	if (*e == '%' || *e == '$') {
		if (!is_ident(e + 1) || strchr(e + 1, '.'))
			return kd_fail(err, KD_ERR_INVALID, "'%s': bad register or special variable", word);
		return 0;
	}
	if (*e == '@') {
		const char *plus = strpbrk(e + 1, "+-");
		size_t n = plus ? (size_t)(plus - e - 1) : strlen(e + 1);
		char name[256];
		uint64_t v;
		if (n == 0 || n >= sizeof(name))
			return kd_fail(err, KD_ERR_INVALID, "'%s': '@' needs a symbol", word);
		memcpy(name, e + 1, n);
		name[n] = '\0';
		if (!is_ident(name) || strchr(name, '.') || (plus && number(plus + 1, "offset", &v, err) != 0))
			return kd_fail(err, KD_ERR_INVALID, "'%s': '@' needs SYMBOL[+OFF]", word);
		return 0;
	}
	if (!is_chain(e))
		return kd_fail(err, KD_ERR_INVALID, "'%s': expected a variable with ->member, .member or "
			       "[index] after it, $retval, $comm, $params, $vars, %%REG or @SYMBOL", word);
	return 0;
}

int kd_probe_spec_parse(const char *text, struct kd_probe_spec *s, kd_err *err)
{
	char *copy = strdup(text), *save = NULL, *w, *eq;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	if (!copy)
		return kd_oom(err);
	if (!(w = strtok_r(copy, " \t\n", &save))) {
		kd_fail(err, KD_ERR_INVALID, "empty probe definition");
		goto out;
	}
	/* [[GROUP:]EVENT=] before the point; an '=' after ;@+% is the
	 * point's own (perf's rule: "FUNC;fd=*" is a pattern) */
	eq = w + strcspn(w, ";@+%=");
	if (*eq == '=') {
		char *colon = memchr(w, ':', (size_t)(eq - w));
		*eq = '\0';
		if (colon) {
			*colon = '\0';
			if (!is_ident(w) || strchr(w, '.')) {
				kd_fail(err, KD_ERR_INVALID, "'%s' is not a group name", w);
				goto out;
			}
			if (!(s->group = dup_n(w, strlen(w), err)))
				goto out;
			w = colon + 1;
		}
		if (!is_ident(w) || strchr(w, '.')) {
			kd_fail(err, KD_ERR_INVALID, "'%s' is not an event name", w);
			goto out;
		}
		if (!(s->event = dup_n(w, strlen(w), err)))
			goto out;
		w = eq + 1;
	}
	if (!*w) {
		kd_fail(err, KD_ERR_INVALID, "no probe point after the event name");
		goto out;
	}
	if (parse_point(w, s, err) != 0)
		goto out;
	while ((w = strtok_r(NULL, " \t\n", &save))) {
		if (s->nargs == KD_PROBE_MAX_ARGS) {
			kd_fail(err, KD_ERR_INVALID, "more than %d arguments", KD_PROBE_MAX_ARGS);
			goto out;
		}
		if (parse_arg(w, &s->args[s->nargs++], err) != 0)
			goto out;
	}
	rc = 0;
out:
	free(copy);
	if (rc != 0 && err) {
		char why[sizeof(err->msg)], quoted[201];
		size_t i;
		snprintf(why, sizeof(why), "%s", err->msg);
		for (i = 0; text[i] && i < sizeof(quoted) - 1; i++) /* one line whatever was typed */
			quoted[i] = (unsigned char)text[i] < ' ' ? ' ' : text[i];
		quoted[i] = '\0';
		for (char *c = why; *c; c++)
			if ((unsigned char)*c < ' ')
				*c = ' ';
		kd_fail(err, KD_ERR_INVALID, "probe '%s': %s", quoted, why);
	}
	if (rc != 0)
		kd_probe_spec_free(s);
	return rc;
}

void kd_probe_spec_free(struct kd_probe_spec *s)
{
	free(s->group);
	free(s->event);
	free(s->func);
	free(s->file);
	free(s->pattern);
	for (size_t i = 0; i < s->nargs; i++) {
		free(s->args[i].name);
		free(s->args[i].expr);
		free(s->args[i].type);
	}
	memset(s, 0, sizeof(*s));
}
