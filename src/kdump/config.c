#include "kdump/config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A shell word or "double"/'single' quoted value, unquoted, into out. */
static void unquote(const char *v, char *out, size_t len)
{
	size_t n = strcspn(v, "\n");
	char q = *v == '"' || *v == '\'' ? *v : 0;

	if (q) {
		const char *end = memchr(v + 1, q, n - 1);
		n = end ? (size_t)(end - v - 1) : n - 1;
		v++;
	} else {
		n = strcspn(v, " \t\n#");
	}
	snprintf(out, len, "%.*s", (int)n, v);
}

/* makedumpfile's -d LEVEL and compression flags in a collector line. */
static void parse_collector(struct kd_kdump_config *c)
{
	char copy[512], *save = NULL;

	snprintf(copy, sizeof(copy), "%s", c->collector);
	c->compressed = false;
	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (strcmp(w, "-d") == 0 && (w = strtok_r(NULL, " \t", &save)))
			c->dump_level = atoi(w);
		else if (strncmp(w, "-d", 2) == 0 && isdigit((unsigned char)w[2]))
			c->dump_level = atoi(w + 2);
		else if (w[0] == '-' && w[1] != '-' && strpbrk(w + 1, "clpz") && strspn(w + 1, "clpzEFf") == strlen(w + 1))
			c->compressed = true;
	}
}

static void read_debian(FILE *f, struct kd_kdump_config *c)
{
	char line[1024];

	while (fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " \t"), *eq = strchr(p, '=');
		if (*p == '#' || !eq)
			continue;
		*eq = '\0';
		if (strcmp(p, "USE_KDUMP") == 0) {
			char v[16];
			unquote(eq + 1, v, sizeof(v));
			c->enabled = atoi(v) != 0;
		} else if (strcmp(p, "KDUMP_COREDIR") == 0) {
			unquote(eq + 1, c->dir, sizeof(c->dir));
		} else if (strcmp(p, "MAKEDUMP_ARGS") == 0) {
			unquote(eq + 1, c->collector, sizeof(c->collector));
		}
	}
}

static void read_rhel(FILE *f, struct kd_kdump_config *c)
{
	static const char *const targets[] = { "nfs", "ssh", "raw", "ext4", "ext3", "ext2", "xfs", "btrfs", "minix", "virtiofs" };
	char line[1024];

	while (fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " \t"), *v;
		size_t k = strcspn(p, " \t\n");
		if (*p == '#' || !k)
			continue;
		v = p + k + strspn(p + k, " \t");
		v[strcspn(v, "\n")] = '\0';
		p[k] = '\0';
		if (strcmp(p, "path") == 0)
			snprintf(c->dir, sizeof(c->dir), "%s", v);
		else if (strcmp(p, "core_collector") == 0)
			snprintf(c->collector, sizeof(c->collector), "%s", v);
		else
			for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
				if (strcmp(p, targets[i]) == 0)
					snprintf(c->target, sizeof(c->target), "%s %s", p, v);
	}
}

bool kd_kdump_config_read(struct kd_kdump_config *c)
{
	const char *file = "/etc/default/kdump-tools";
	bool found = true;
	FILE *f;

	memset(c, 0, sizeof(*c));
	c->enabled = -1;
	c->dump_level = -1;
	if ((f = fopen(file, "r"))) {
		snprintf(c->service, sizeof(c->service), "kdump-tools");
		snprintf(c->collector, sizeof(c->collector), "-c -d 31"); /* kdump-tools' default */
		read_debian(f, c);
	} else if ((f = fopen(file = "/etc/kdump.conf", "r"))) {
		snprintf(c->service, sizeof(c->service), "kdump");
		snprintf(c->collector, sizeof(c->collector), "makedumpfile -l --message-level 7 -d 31");
		read_rhel(f, c);
	} else {
		found = false;
		file = "";
		snprintf(c->collector, sizeof(c->collector), "-c -d 31");
	}
	if (f)
		fclose(f);
	snprintf(c->file, sizeof(c->file), "%s", file);
	if (!c->dir[0])
		snprintf(c->dir, sizeof(c->dir), "/var/crash");
	c->makedumpfile = strcmp(c->service, "kdump") != 0 || strstr(c->collector, "makedumpfile");
	if (c->makedumpfile) {
		parse_collector(c);
		if (c->dump_level < 0)
			c->dump_level = 0; /* makedumpfile's default: every page */
	}
	return found;
}
