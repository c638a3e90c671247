#include "symbols/debuginfo_find.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <elfutils/debuginfod.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/interrupt.h"

static const char *const vmlinux_places[] = {
	"/usr/lib/debug/boot/vmlinux-%s",
	"/usr/lib/debug/lib/modules/%s/vmlinux",
	"/usr/lib/debug/boot/vmlinux-%s.debug",
	"/lib/modules/%s/build/vmlinux",
	"/boot/vmlinux-%s",
};

void kd_cache_dir(char *buf, size_t len, const char *sub)
{
	const char *base = getenv("KDIVE_CACHE"), *xdg = getenv("XDG_CACHE_HOME"),
		   *home = getenv("HOME");

	if (base && *base)
		snprintf(buf, len, "%s/%s", base, sub);
	else if (xdg && *xdg)
		snprintf(buf, len, "%s/kdive/%s", xdg, sub);
	else if (home && *home)
		snprintf(buf, len, "%s/.cache/kdive/%s", home, sub);
	else
		buf[0] = '\0';
}

void kd_debug_package_hint(const char *release, char *buf, size_t len)
{
	snprintf(buf, len,
		 "install linux-image-%s-dbg (Debian), linux-image-%s-dbgsym (Ubuntu) or "
		 "kernel-debuginfo-%s (RHEL/CentOS)",
		 release, release, release);
}

/* "" for this system's root, else the root without a trailing '/'. */
static const char *root_prefix(const char *sysroot)
{
	return sysroot && strcmp(sysroot, "/") != 0 ? sysroot : "";
}

int kd_find_vmlinux(const char *release, const char *sysroot, char *path, size_t len, kd_err *err)
{
	const char *root = root_prefix(sysroot);
	char hint[512], sub[2048];
	struct stat st;

	for (size_t i = 0; i < sizeof(vmlinux_places) / sizeof(vmlinux_places[0]); i++) {
		snprintf(sub, sizeof(sub), vmlinux_places[i], release);
		snprintf(path, len, "%s%s", root, sub);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			return 0;
	}
	kd_debug_package_hint(release, hint, sizeof(hint));
	return kd_fail(err, KD_ERR_LOOKUP, "no debug vmlinux for %s in %s/usr/lib/debug/boot, "
		       "%s/usr/lib/debug/lib/modules/%s, %s/lib/modules/%s/build, %s/boot: %s",
		       release, root, root, release, root, release, root, hint);
}

struct module_entry {
	char *name;  /* normalized: '-' -> '_', no extension */
	char *path;
	int rank;    /* lower is better within one directory */
};

struct search_dir {
	char *path;
	bool standard;  /* a distribution's place: searched after the user's */
	struct module_entry *mods;
	size_t n, cap;
	int walked;
};

struct kd_module_finder {
	struct search_dir *dirs;
	size_t n, cap;
};

struct kd_module_finder *kd_module_finder_new(void)
{
	return calloc(1, sizeof(struct kd_module_finder));
}

void kd_module_finder_free(struct kd_module_finder *mf)
{
	if (!mf)
		return;
	for (size_t i = 0; i < mf->n; i++) {
		for (size_t j = 0; j < mf->dirs[i].n; j++) {
			free(mf->dirs[i].mods[j].name);
			free(mf->dirs[i].mods[j].path);
		}
		free(mf->dirs[i].mods);
		free(mf->dirs[i].path);
	}
	free(mf->dirs);
	free(mf);
}

static int add(struct kd_module_finder *mf, const char *dir, bool standard)
{
	size_t at = mf->n;

	for (size_t i = 0; i < mf->n; i++)
		if (strcmp(mf->dirs[i].path, dir) == 0)
			return 0;
	if (mf->n == mf->cap) {
		size_t cap = mf->cap ? mf->cap * 2 : 8;
		struct search_dir *d = realloc(mf->dirs, cap * sizeof(*d));
		if (!d)
			return -1;
		mf->dirs = d;
		mf->cap = cap;
	}
	if (!standard)
		for (at = 0; at < mf->n && !mf->dirs[at].standard; at++)
			;
	memmove(&mf->dirs[at + 1], &mf->dirs[at], (mf->n - at) * sizeof(*mf->dirs));
	mf->dirs[at] = (struct search_dir){ .path = strdup(dir), .standard = standard };
	if (!mf->dirs[at].path) {
		memmove(&mf->dirs[at], &mf->dirs[at + 1], (mf->n - at) * sizeof(*mf->dirs));
		return -1;
	}
	mf->n++;
	return 0;
}

int kd_module_finder_add_dir(struct kd_module_finder *mf, const char *dir)
{
	return add(mf, dir, false);
}

void kd_module_finder_add_release(struct kd_module_finder *mf, const char *release,
				  const char *sysroot)
{
	static const char *const places[] = { "/usr/lib/debug/lib/modules/%s", "/lib/modules/%s" };
	const char *root = root_prefix(sysroot);
	char sub[2048], dir[4096];

	for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
		snprintf(sub, sizeof(sub), places[i], release);
		snprintf(dir, sizeof(dir), "%s%s", root, sub);
		add(mf, dir, true);
	}
}

/* Debug files first: a .ko.debug or plain .ko usually carries DWARF, an
 * installed compressed .ko usually does not. */
static const char *const module_suffixes[] = { ".ko.debug", ".ko", ".ko.zst", ".ko.xz", ".ko.gz" };

static int module_rank(const char *file, size_t *stem)
{
	size_t len = strlen(file);

	for (size_t i = 0; i < sizeof(module_suffixes) / sizeof(module_suffixes[0]); i++) {
		size_t sl = strlen(module_suffixes[i]);
		if (len > sl && strcmp(file + len - sl, module_suffixes[i]) == 0) {
			*stem = len - sl;
			return (int)i;
		}
	}
	return -1;
}

static char *normalized(const char *s, size_t n)
{
	char *out = strndup(s, n);

	for (char *p = out; p && *p; p++)
		if (*p == '-')
			*p = '_';
	return out;
}

static void add_module(struct search_dir *d, const char *file, const char *path)
{
	size_t stem;
	int rank = module_rank(file, &stem);

	if (rank < 0)
		return;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		struct module_entry *m = realloc(d->mods, cap * sizeof(*m));
		if (!m)
			return;
		d->mods = m;
		d->cap = cap;
	}
	d->mods[d->n] = (struct module_entry){ normalized(file, stem), strdup(path), rank };
	if (!d->mods[d->n].name || !d->mods[d->n].path) {
		free(d->mods[d->n].name);
		free(d->mods[d->n].path);
		return;
	}
	d->n++;
}

/* Depth-limited so a cycle of bind mounts or a huge tree cannot hang us. */
static void walk(struct search_dir *d, const char *dir, int depth)
{
	DIR *dh;
	struct dirent *de;

	if (depth > 8 || !(dh = opendir(dir)))
		return;
	while ((de = readdir(dh))) {
		char path[4096];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path))
			continue;
		if (de->d_type == DT_DIR || (de->d_type == DT_UNKNOWN && stat(path, &st) == 0 &&
					     S_ISDIR(st.st_mode)))
			walk(d, path, depth + 1);
		else
			add_module(d, de->d_name, path);
	}
	closedir(dh);
}

static const char *find_in(struct search_dir *d, const char *want)
{
	const char *found = NULL;
	int best = 1 << 30;

	if (!d->walked) {
		walk(d, d->path, 0);
		d->walked = 1;
	}
	for (size_t j = 0; j < d->n; j++)
		if (d->mods[j].rank < best && strcmp(d->mods[j].name, want) == 0) {
			best = d->mods[j].rank;
			found = d->mods[j].path;
		}
	return found;
}

const char *kd_module_finder_find(struct kd_module_finder *mf, const char *name)
{
	char *want = normalized(name, strlen(name));
	const char *found = NULL;

	for (size_t i = 0; want && i < mf->n && !found; i++)
		found = find_in(&mf->dirs[i], want);
	free(want);
	return found;
}

const char *kd_module_finder_find_in(struct kd_module_finder *mf, const char *dir,
				     const char *name)
{
	char *want = normalized(name, strlen(name));
	const char *found = NULL;

	for (size_t i = 0; want && i < mf->n && !found; i++)
		if (strcmp(mf->dirs[i].path, dir) == 0)
			found = find_in(&mf->dirs[i], want);
	free(want);
	return found;
}

void kd_module_finder_describe(const struct kd_module_finder *mf, char *buf, size_t len)
{
	size_t pos = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < mf->n && pos < len; i++) {
		int n = snprintf(buf + pos, len - pos, "%s%s", i ? ", " : "", mf->dirs[i].path);
		if (n < 0)
			break;
		pos += (size_t)n;
	}
}

void kd_running_build_id(const char *module, char *hex, size_t len)
{
	unsigned char buf[4096];
	char path[512];
	int fd;
	ssize_t n;
	size_t off = 0;

	hex[0] = '\0';
	if (module)
		snprintf(path, sizeof(path), "/sys/module/%s/notes/.note.gnu.build-id", module);
	else
		snprintf(path, sizeof(path), "/sys/kernel/notes");
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	/* ELF notes in the running kernel's byte order: namesz, descsz, type,
	 * then name and desc, each 4-byte aligned */
	while (n > 0 && off + 12 <= (size_t)n) {
		uint32_t h[3];
		memcpy(h, buf + off, sizeof(h));
		size_t nsz = h[0], dsz = h[1], type = h[2];
		size_t name = off + 12, desc = name + ((nsz + 3) & ~(size_t)3), next = desc + ((dsz + 3) & ~(size_t)3);
		if (next > (size_t)n || next <= off)
			break;
		if (type == 3 && nsz == 4 && memcmp(buf + name, "GNU", 4) == 0) { /* NT_GNU_BUILD_ID */
			for (size_t i = 0; i < dsz && 2 * i + 2 < len; i++)
				snprintf(hex + 2 * i, 3, "%02x", buf[desc + i]);
			return;
		}
		off = next;
	}
}

/* Called while a download waits or runs: its size on a terminal, and
 * Ctrl-C (kd_session_interrupt) cancels it. */
static int progress(debuginfod_client *c, long done, long total)
{
	FILE *out = debuginfod_get_user_data(c);

	if (out && total > 0)
		fprintf(out, "\rkdive: debuginfod: %ld of %ld MiB", done >> 20, total >> 20);
	return kd_interrupted();
}

int kd_debuginfod_find(const char *build_id, const char *what, FILE *out, char *path, size_t len,
		       kd_err *err)
{
	const char *urls = getenv("DEBUGINFOD_URLS");
	debuginfod_client *c;
	char *found = NULL;
	int fd;

	if (!urls || !*urls)
		return kd_fail(err, KD_ERR_LOOKUP, "no debuginfod server (DEBUGINFOD_URLS is not set)");
	if (what && out)
		fprintf(out, "kdive: looking up the debug %s (build-id %s) with debuginfod "
			"(--no-debuginfod to skip)\n", what, build_id);
	if (!(c = debuginfod_begin()))
		return kd_fail(err, KD_ERR_NOMEM, "debuginfod: cannot start a client");
	if (out && isatty(fileno(out)))
		debuginfod_set_user_data(c, out);
	debuginfod_set_progressfn(c, progress);
	fd = debuginfod_find_debuginfo(c, (const unsigned char *)build_id, 0, &found);
	debuginfod_end(c);
	if (out && isatty(fileno(out)))
		fputs("\r\033[K", out);
	if (fd == -ECANCELED && kd_interrupted())
		return kd_interrupt_check(err);
	if (fd == -ENOENT) /* a 404 is an answer */
		return kd_fail(err, KD_ERR_LOOKUP, "debuginfod (%s) has no debug file for build-id %s", urls,
			       build_id);
	if (fd < 0) /* anything else: the server cannot be asked (DEBUGINFOD_TIMEOUT) */
		return kd_fail(err, KD_ERR_IO, "debuginfod (%s) did not answer for build-id %s: %s", urls,
			       build_id, strerror(-fd));
	close(fd);
	snprintf(path, len, "%s", found);
	free(found);
	return 0;
}
