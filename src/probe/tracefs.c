#include "probe/tracefs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"

#define DEBUGFS "/sys/kernel/debug"

void kd_tracefs_path(const struct kd_tracefs *t, const char *rel, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", t->root, rel);
}

static int read_text(const char *path, char **text, kd_err *err)
{
	FILE *f = fopen(path, "r");
	size_t cap = 4096, n = 0, got;
	char *buf = malloc(cap);

	if (!buf) {
		if (f)
			fclose(f);
		return kd_oom(err);
	}
	if (!f) {
		free(buf);
		return kd_fail_errno(err, "%s: cannot read", path);
	}
	while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n < 2) {
			char *g = cap < (64u << 20) ? realloc(buf, cap * 2) : NULL;
			if (!g) {
				free(buf);
				fclose(f);
				return kd_oom(err);
			}
			buf = g;
			cap *= 2;
		}
	}
	fclose(f);
	buf[n] = '\0';
	*text = buf;
	return 0;
}

int kd_tracefs_open(struct kd_tracefs *t, kd_err *err)
{
	static const char *const roots[] = { "/sys/kernel/tracing", DEBUGFS "/tracing" };
	char path[512], *on = NULL;

	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/kprobe_events", roots[i]);
		if (access(path, F_OK) == 0) {
			snprintf(t->root, sizeof(t->root), "%s", roots[i]);
			if (access(path, W_OK) != 0)
				return kd_fail(err, KD_ERR_IO, "%s: %s; kprobes need root: run kdive with sudo",
					       path, strerror(errno));
			/* kprobes switched off as a whole (debugfs knob) */
			if (read_text(DEBUGFS "/kprobes/enabled", &on, NULL) == 0) {
				bool off = on[0] == '0';
				free(on);
				if (off)
					return kd_fail(err, KD_ERR_UNSUPPORTED, "kprobes are disabled: echo 1 > "
						       DEBUGFS "/kprobes/enabled");
			}
			return 0;
		}
	}
	if (access("/sys/kernel/tracing/trace", F_OK) == 0 || access(DEBUGFS "/tracing/trace", F_OK) == 0)
		return kd_fail(err, KD_ERR_UNSUPPORTED, "this kernel has no kprobe events (CONFIG_KPROBE_EVENTS)");
	if (access("/sys/kernel/tracing", F_OK) == 0)
		return kd_fail(err, KD_ERR_UNSUPPORTED, "tracefs is not mounted: mount -t tracefs nodev "
			       "/sys/kernel/tracing");
	return kd_fail(err, KD_ERR_UNSUPPORTED, "no tracefs: this kernel has no tracing (CONFIG_FTRACE), "
		       "or /sys is not mounted");
}

int kd_tracefs_events(struct kd_tracefs *t, char **text, kd_err *err)
{
	char path[512];

	kd_tracefs_path(t, "kprobe_events", path, sizeof(path));
	return read_text(path, text, err);
}

/* The kernel's last words on a refused command: error_log's last entry. */
static void last_error(struct kd_tracefs *t, char *buf, size_t len)
{
	char path[512], *text = NULL, *last = NULL, *p;

	buf[0] = '\0';
	kd_tracefs_path(t, "error_log", path, sizeof(path));
	if (read_text(path, &text, NULL) != 0)
		return;
	for (p = text; (p = strstr(p, "error: ")); p++)
		last = p + 7;
	if (last) {
		size_t n = strcspn(last, "\n");
		snprintf(buf, len, "%.*s", (int)n, last);
	}
	free(text);
}

static int write_line(struct kd_tracefs *t, const char *rel, const char *line, bool append, kd_err *err)
{
	char path[512], why[256];
	int fd;
	size_t n = strlen(line);
	ssize_t w;

	kd_tracefs_path(t, rel, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CLOEXEC | (append ? O_APPEND : O_TRUNC));
	if (fd < 0)
		return kd_fail_errno(err, "%s: cannot open", path);
	w = write(fd, line, n);
	if (w == (ssize_t)n) {
		close(fd);
		return 0;
	}
	int e = w < 0 ? errno : EIO;
	close(fd);
	last_error(t, why, sizeof(why));
	return kd_fail(err, e == ENOENT ? KD_ERR_LOOKUP : KD_ERR_INVALID, "the kernel refused '%.300s' in %s: "
		       "%s%s%s", line, rel, strerror(e), why[0] ? ": " : "", why);
}

int kd_tracefs_add(struct kd_tracefs *t, const char *line, kd_err *err)
{
	return write_line(t, "kprobe_events", line, true, err);
}

int kd_tracefs_del(struct kd_tracefs *t, const char *group, const char *event, kd_err *err)
{
	char line[256];

	snprintf(line, sizeof(line), "-:%s/%s", group, event);
	return write_line(t, "kprobe_events", line, true, err);
}

int kd_tracefs_write(struct kd_tracefs *t, const char *rel, const char *text, kd_err *err)
{
	return write_line(t, rel, text, false, err);
}

char *kd_tracefs_blacklist(void)
{
	char *text = NULL;

	return read_text(DEBUGFS "/kprobes/blacklist", &text, NULL) == 0 ? text : NULL;
}

bool kd_tracefs_listed(const char *blacklist, const char *sym)
{
	size_t n = strlen(sym);

	/* "0xSTART-0xEND\tSYMBOL" per line */
	for (const char *p = blacklist; p && *p;) {
		const char *tab = strchr(p, '\t'), *nl = strchr(p, '\n');
		if (tab && (!nl || tab < nl) && strncmp(tab + 1, sym, n) == 0 &&
		    (tab[1 + n] == '\n' || tab[1 + n] == '\0' || tab[1 + n] == ' '))
			return true;
		p = nl ? nl + 1 : NULL;
	}
	return false;
}
