#include "source/source.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "source/tarxz.h"

struct loaded {
	char *file, *text, *from;
	size_t len;
};

struct kd_sources {
	char **dirs;
	size_t ndirs;
	char series[32];          /* "6.1": the linux-source-X.Y package */
	char tarball[4096];
	char index[4096];
	struct kd_tarxz *tar;     /* opened on first need */
	bool tar_failed;
	kd_err tar_err;
	struct loaded *files;     /* every file read, for the session */
	size_t nfiles;
	FILE *diag;
};

struct kd_sources *kd_sources_new(const char *release, const char *sysroot, const char *cache_dir,
				  FILE *diag, kd_err *err)
{
	struct kd_sources *s = calloc(1, sizeof(*s));
	size_t n;

	if (!s) {
		kd_oom(err);
		return NULL;
	}
	/* "6.12.117+deb12-cloud-amd64" -> "6.12" */
	n = strspn(release, "0123456789");
	if (release[n] == '.')
		n += 1 + strspn(release + n + 1, "0123456789");
	snprintf(s->series, sizeof(s->series), "%.*s", (int)(n < 31 ? n : 31), release);
	if (!sysroot || strcmp(sysroot, "/") == 0)
		sysroot = "";
	snprintf(s->tarball, sizeof(s->tarball), "%s/usr/src/linux-source-%s.tar.xz", sysroot,
		 s->series);
	snprintf(s->index, sizeof(s->index), "%s/linux-source-%s.tar.xz.idx", cache_dir, s->series);
	s->diag = diag;
	return s;
}

const char *const *kd_sources_dirs(const struct kd_sources *s, size_t *n)
{
	*n = s->ndirs;
	return (const char *const *)s->dirs;
}

const char *kd_sources_package(const struct kd_sources *s)
{
	return s->tarball;
}

void kd_sources_free(struct kd_sources *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->ndirs; i++)
		free(s->dirs[i]);
	free(s->dirs);
	for (size_t i = 0; i < s->nfiles; i++) {
		free(s->files[i].file);
		free(s->files[i].text);
		free(s->files[i].from);
	}
	free(s->files);
	kd_tarxz_close(s->tar);
	free(s);
}

int kd_sources_add_dir(struct kd_sources *s, const char *dir, kd_err *err)
{
	char **v = realloc(s->dirs, (s->ndirs + 1) * sizeof(*v));
	struct stat st;

	if (!v)
		return kd_oom(err);
	s->dirs = v;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return kd_fail(err, KD_ERR_LOOKUP, "source directory %s does not exist", dir);
	if (!(s->dirs[s->ndirs] = strdup(dir)))
		return kd_oom(err);
	s->ndirs++;
	return 0;
}

static int read_file(const char *path, char **text, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || n > (64L << 20) ||
	    fseek(f, 0, SEEK_SET) != 0 || !(*text = malloc((size_t)n + 1))) {
		fclose(f);
		return -1;
	}
	if (fread(*text, 1, (size_t)n, f) != (size_t)n) {
		free(*text);
		fclose(f);
		return -1;
	}
	(*text)[n] = '\0';
	*len = (size_t)n;
	fclose(f);
	return 0;
}

/* file, then file without its first directory, and so on */
static const char *next_suffix(const char *p)
{
	const char *slash = strchr(p, '/');

	while (slash && slash[1] == '/')
		slash++;
	return slash ? slash + 1 : NULL;
}

static int find(struct kd_sources *s, const char *file, char **text, size_t *len, char *from,
		size_t fromlen)
{
	char path[8192];

	for (size_t i = 0; i < s->ndirs; i++)
		for (const char *p = file; p && *p; p = next_suffix(p)) {
			snprintf(path, sizeof(path), "%s/%s", s->dirs[i], *p == '/' ? p + 1 : p);
			if (read_file(path, text, len) == 0) {
				snprintf(from, fromlen, "%s", path);
				return 0;
			}
		}
	if (file[0] == '/' && read_file(file, text, len) == 0) {
		snprintf(from, fromlen, "%s", file);
		return 0;
	}
	if (!s->tar && !s->tar_failed) {
		struct stat st;
		if (stat(s->tarball, &st) != 0)
			s->tar_failed = true;
		else if (!(s->tar = kd_tarxz_open(s->tarball, s->index, s->diag, &s->tar_err)))
			s->tar_failed = true;
	}
	if (s->tar)
		for (const char *p = file; p && *p; p = next_suffix(p))
			if (*p != '/' && kd_tarxz_read(s->tar, p, text, len, NULL) == 0) {
				snprintf(from, fromlen, "%s:%s", s->tarball, p);
				return 0;
			}
	return -1;
}

int kd_sources_read(struct kd_sources *s, const char *file, const char **text, size_t *len,
		    const char **from, kd_err *err)
{
	struct loaded l = { 0 }, *v;
	char where[8192 + 64], dirs[1024] = "";
	size_t pos = 0;

	for (size_t i = 0; i < s->nfiles; i++)
		if (strcmp(s->files[i].file, file) == 0) {
			*text = s->files[i].text;
			*len = s->files[i].len;
			*from = s->files[i].from;
			return 0;
		}
	if (find(s, file, &l.text, &l.len, where, sizeof(where)) != 0) {
		for (size_t i = 0; i < s->ndirs && pos < sizeof(dirs); i++)
			pos += (size_t)snprintf(dirs + pos, sizeof(dirs) - pos, "%s, ", s->dirs[i]);
		return kd_fail(err, KD_ERR_LOOKUP, "no source for %s: looked in %s%s%s (%s); install "
			       "linux-source-%s (apt) or give --source DIR / set source DIR",
			       file, dirs, file[0] == '/' ? "that path, " : "", s->tarball,
			       s->tar ? "no such file in it" : s->tar_err.msg[0] ? s->tar_err.msg :
			       "not installed", s->series);
	}
	if (!(v = realloc(s->files, (s->nfiles + 1) * sizeof(*v))) || !(l.file = strdup(file)) ||
	    !(l.from = strdup(where))) {
		if (v)
			s->files = v;
		free(l.text);
		free(l.file);
		return kd_oom(err);
	}
	s->files = v;
	s->files[s->nfiles++] = l;
	*text = l.text;
	*len = l.len;
	*from = l.from;
	return 0;
}
