#include "kernel/vmcoreinfo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump/dump.h"

struct entry {
	const char *key, *value;
};

struct kd_vmcoreinfo {
	char *text;
	struct entry *entries;
	size_t n;
};

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->key, ((const struct entry *)b)->key);
}

struct kd_vmcoreinfo *kd_vmcoreinfo_parse(const char *text, size_t len)
{
	struct kd_vmcoreinfo *vi = calloc(1, sizeof(*vi));
	size_t lines = 1;

	if (!vi || !(vi->text = malloc(len + 1)))
		goto fail;
	memcpy(vi->text, text, len);
	vi->text[len] = '\0';
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	if (!(vi->entries = calloc(lines, sizeof(*vi->entries))))
		goto fail;
	for (char *line = vi->text, *next; line && *line; line = next) {
		char *eq;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		eq = strchr(line, '=');
		if (!eq || eq == line)
			continue;
		*eq = '\0';
		vi->entries[vi->n++] = (struct entry){ line, eq + 1 };
	}
	qsort(vi->entries, vi->n, sizeof(*vi->entries), by_key);
	return vi;
fail:
	kd_vmcoreinfo_free(vi);
	return NULL;
}

void kd_vmcoreinfo_free(struct kd_vmcoreinfo *vi)
{
	if (!vi)
		return;
	free(vi->text);
	free(vi->entries);
	free(vi);
}

const char *kd_vmcoreinfo_get(const struct kd_vmcoreinfo *vi, const char *key)
{
	struct entry want = { key, NULL }, *e;

	if (!vi)
		return NULL;
	e = bsearch(&want, vi->entries, vi->n, sizeof(*vi->entries), by_key);
	return e ? e->value : NULL;
}

static bool number(const char *s, int base, uint64_t *u, int64_t *i)
{
	char *end;

	if (!s || !*s)
		return false;
	errno = 0;
	if (u)
		*u = strtoull(s, &end, base);
	else
		*i = strtoll(s, &end, base);
	return errno == 0 && *end == '\0';
}

bool kd_vmcoreinfo_hex(const struct kd_vmcoreinfo *vi, const char *key, uint64_t *out)
{
	return number(kd_vmcoreinfo_get(vi, key), 16, out, NULL);
}

bool kd_vmcoreinfo_dec(const struct kd_vmcoreinfo *vi, const char *key, int64_t *out)
{
	return number(kd_vmcoreinfo_get(vi, key), 10, NULL, out);
}

bool kd_vmcoreinfo_identity(const struct kd_dump *d, char *release, size_t rlen, char *build_id,
			    size_t blen)
{
	size_t n = 0;
	const char *text = kd_dump_vmcoreinfo(d, &n), *v;
	struct kd_vmcoreinfo *vi = text ? kd_vmcoreinfo_parse(text, n) : NULL;

	release[0] = build_id[0] = '\0';
	if (!vi)
		return false;
	if ((v = kd_vmcoreinfo_get(vi, "OSRELEASE")))
		snprintf(release, rlen, "%s", v);
	if ((v = kd_vmcoreinfo_get(vi, "BUILD-ID")))
		snprintf(build_id, blen, "%s", v);
	kd_vmcoreinfo_free(vi);
	return true;
}
