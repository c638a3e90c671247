/* Runs every sample of the real-world oops corpus through the scanner and
 * compares the frames it finds with the sample's .expect file, one cmocka
 * test per sample. The corpus lives outside the repository: $KDIVE_CORPUS,
 * or ../shared/oops-corpus next to the repository root. */
#include <dirent.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "oops/oops.h"

struct sample {
	char name[NAME_MAX + 1];     /* "001-x86-....", without ".txt" */
	char dir[PATH_MAX];
};

struct buf {
	char *p;
	size_t len, cap;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static struct buf slurp(const char *dir, const char *name, const char *ext)
{
	char path[PATH_MAX * 2];
	struct buf b = { 0 };
	char chunk[65536];
	size_t n;
	FILE *f;

	snprintf(path, sizeof path, "%s/%s%s", dir, name, ext);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	buf_add(&b, "", 0);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return b;
}

/* One frame in the .expect format, from the parsed fields; the span must
 * show the same text, so fields and span are checked together. */
static void print_frame(struct buf *out, const char *line, const struct kd_oops_sym *s)
{
	char text[KD_OOPS_SYM_MAX + 128];
	int n = snprintf(text, sizeof text, "%s+0x%" PRIx64 "/0x%" PRIx64,
			 s->func, s->off, s->size);

	assert_int_equal(s->end - s->start, (size_t)n);
	assert_memory_equal(line + s->start, text, (size_t)n);
	buf_add(out, text, (size_t)n);
	n = snprintf(text, sizeof text, " %s %s\n", s->module[0] ? s->module : "-",
		     s->reliable ? "reliable" : "?");
	buf_add(out, text, (size_t)n);
}

static struct buf scan_sample(const struct buf *txt)
{
	struct kd_oops_scanner sc;
	struct kd_oops_line out;
	struct buf frames = { 0 };
	size_t pos = 0;

	buf_add(&frames, "", 0);
	kd_oops_scanner_init(&sc);
	while (pos < txt->len) {
		const char *line = txt->p + pos;
		const char *nl = memchr(line, '\n', txt->len - pos);
		size_t len = nl ? (size_t)(nl - line) : txt->len - pos;

		kd_oops_scan_line(&sc, line, len, &out);
		for (size_t k = 0; out.kind == KD_OOPS_FRAMES && k < out.n_frames; k++)
			print_frame(&frames, line, &out.frames[k]);
		pos += len + 1;
	}
	return frames;
}

/* Reports the first differing line so a failure says what to look at. */
static void compare(const char *name, const char *got, const char *want)
{
	size_t lineno = 1;

	if (strcmp(got, want) == 0)
		return;
	while (*got && *got == *want) {
		if (*got == '\n')
			lineno++;
		got++;
		want++;
	}
	while (lineno > 1 && got[-1] != '\n') {
		got--;
		want--;
	}
	print_error("%s.expect line %zu:\n  got:  %.*s\n  want: %.*s\n", name, lineno,
		    (int)strcspn(got, "\n"), got, (int)strcspn(want, "\n"), want);
	fail();
}

static void run_sample(void **state)
{
	const struct sample *s = *state;
	struct buf txt = slurp(s->dir, s->name, ".txt");
	struct buf want = slurp(s->dir, s->name, ".expect");
	struct buf got = scan_sample(&txt);

	compare(s->name, got.p, want.p);
	free(txt.p);
	free(want.p);
	free(got.p);
}

/* $KDIVE_CORPUS, else ../shared/oops-corpus beside the repository root,
 * found by walking up from the working directory to src/oops/oops.h. */
static int corpus_dir(char *dir, size_t size)
{
	const char *env = getenv("KDIVE_CORPUS");
	char root[PATH_MAX], probe[PATH_MAX + 32];

	if (env && *env)
		return snprintf(dir, size, "%s", env) < (int)size ? 0 : -1;
	if (!getcwd(root, sizeof root))
		return -1;
	for (;;) {
		char *slash;

		snprintf(probe, sizeof probe, "%s/src/oops/oops.h", root);
		if (access(probe, F_OK) == 0)
			return snprintf(dir, size, "%s/../shared/oops-corpus", root) < (int)size ? 0 : -1;
		slash = strrchr(root, '/');
		if (!slash || slash == root)
			return -1;
		*slash = '\0';
	}
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct sample *)a)->name, ((const struct sample *)b)->name);
}

/* The corpus sits beside the repository (../shared) in CI: its absence
 * means the parser went untested, which must not pass quietly. */
static void corpus_missing(void **state)
{
	(void)state;
	fail_msg("oops corpus not found in ../shared/oops-corpus: set KDIVE_CORPUS");
}

int main(void)
{
	struct sample *samples = NULL;
	struct CMUnitTest *tests;
	size_t n = 0, cap = 0;
	char dir[PATH_MAX];
	struct dirent *e;
	DIR *d = NULL;
	int rc;

	if (corpus_dir(dir, sizeof dir) == 0)
		d = opendir(dir);
	if (!d) {
		const struct CMUnitTest missing[] = { cmocka_unit_test(corpus_missing) };

		return cmocka_run_group_tests_name("oops_corpus", missing, NULL, NULL);
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (len < 5 || strcmp(e->d_name + len - 4, ".txt") != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			samples = realloc(samples, cap * sizeof *samples);
			if (!samples)
				return 1;
		}
		snprintf(samples[n].name, sizeof samples[n].name, "%.*s", (int)(len - 4), e->d_name);
		snprintf(samples[n].dir, sizeof samples[n].dir, "%s", dir);
		n++;
	}
	closedir(d);
	qsort(samples, n, sizeof *samples, by_name);

	tests = calloc(n ? n : 1, sizeof *tests);
	if (!tests)
		return 1;
	for (size_t k = 0; k < n; k++) {
		tests[k].name = samples[k].name;
		tests[k].test_func = run_sample;
		tests[k].initial_state = &samples[k];
	}
	rc = _cmocka_run_group_tests("oops_corpus", tests, n, NULL, NULL);
	free(tests);
	free(samples);
	return rc;
}
