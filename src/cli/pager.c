#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/pager.h"
#include "kdive/kdive.h"

/* less: keep the page on the screen when it quits (-X), quit at the end
 * (-E), and the prompt crash users know. */
#define DEFAULT_PAGER "less -X -E -P'-- MORE --  space\\: next page, b\\: back, q\\: quit'"

struct pager {
	char *text;          /* the output until the pager starts (or cannot) */
	size_t len, cap;
	size_t lines, rows;  /* screen lines used (long lines wrap), and the screen's */
	size_t col, cols;
	FILE *pipe;          /* the pager, once the output is longer than the screen */
	bool direct;         /* no pager to start: straight to stdout */
	bool quit;           /* the pager ended before the output did */
	struct sigaction old_pipe;
};

/* What the command wrote so far, to f (text is NULL while nothing was). */
static bool put_text(struct pager *p, FILE *f)
{
	return !p->len || fwrite(p->text, 1, p->len, f) == p->len;
}

/* $NAME as a size, else fallback. */
static size_t env_size(const char *name, size_t fallback)
{
	const char *env = getenv(name);

	return env && atoi(env) > 0 ? (size_t)atoi(env) : fallback;
}

/* The terminal's size, else $LINES/$COLUMNS, else 24x80. */
static void term_size(size_t *rows, size_t *cols)
{
	struct winsize w;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_row > 0 && w.ws_col > 0) {
		*rows = w.ws_row;
		*cols = w.ws_col;
	} else {
		*rows = env_size("LINES", 24);
		*cols = env_size("COLUMNS", 80);
	}
}

static const char *pager_cmd(void)
{
	const char *cmd = getenv("PAGER");

	return cmd && *cmd ? cmd : DEFAULT_PAGER;
}

/* Whether the pager's program is there to run (the shell would only say
 * "not found" after taking the output). */
static bool executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

static bool runnable(const char *cmd)
{
	char prog[256], path[4096];
	const char *dirs = getenv("PATH");

	cmd += strspn(cmd, " \t");
	snprintf(prog, sizeof(prog), "%.*s", (int)strcspn(cmd, " \t"), cmd);
	if (!*prog)
		return false;
	if (strchr(prog, '/'))
		return executable(prog);
	for (const char *d = dirs ? dirs : "/usr/bin:/bin"; *d; d += strcspn(d, ":") + (d[strcspn(d, ":")] != 0)) {
		snprintf(path, sizeof(path), "%.*s/%s", (int)strcspn(d, ":"), d, prog);
		if (executable(path))
			return true;
	}
	return false;
}

static void not_started(const char *cmd)
{
	fprintf(stderr, "kdive: the pager (%s) did not start; printing directly (set PAGER, or set scroll "
		"off)\n", cmd);
}

/* The output is longer than the screen: the pager from here on, or
 * stdout when it cannot start. */
static void start(struct pager *p)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };
	const char *cmd = pager_cmd();

	fflush(stdout);
	if (runnable(cmd)) {
		if ((p->pipe = popen(cmd, "w"))) {
			/* a pager that quits early is EPIPE on our side, not a fatal
			 * signal (the pager itself keeps the default) */
			sigaction(SIGPIPE, &ign, &p->old_pipe);
			if (!put_text(p, p->pipe) || fflush(p->pipe) != 0) {
				p->quit = true;
				kd_session_interrupt();
			}
			return;
		}
	}
	not_started(cmd);
	p->direct = true;
	put_text(p, stdout);
}

static ssize_t pager_write(void *cookie, const char *data, size_t n)
{
	struct pager *p = cookie;

	if (p->quit)
		return (ssize_t)n;
	if (p->direct)
		return (ssize_t)fwrite(data, 1, n, stdout);
	if (p->pipe) {
		if (fwrite(data, 1, n, p->pipe) != n || fflush(p->pipe) != 0) {
			/* q in the pager: stop the command as Ctrl-C would */
			p->quit = true;
			kd_session_interrupt();
		}
		return (ssize_t)n;
	}
	/* kept until the output is known to be longer than the screen */
	if (p->len + n > p->cap) {
		size_t cap = (p->len + n) * 2;
		char *t = realloc(p->text, cap);
		if (!t)
			return -1;
		p->text = t;
		p->cap = cap;
	}
	memcpy(p->text + p->len, data, n);
	p->len += n;
	for (size_t i = 0; i < n; i++) {
		if (data[i] == '\n' || ++p->col == p->cols) {
			p->lines++;
			p->col = 0;
		}
	}
	if (p->lines >= p->rows)
		start(p);
	return (ssize_t)n;
}

FILE *pager_open(struct pager **out)
{
	struct pager *p;
	FILE *f;

	*out = NULL;
	if (!isatty(STDOUT_FILENO) || !(p = calloc(1, sizeof(*p))))
		return NULL;
	term_size(&p->rows, &p->cols);
	p->rows--; /* the pager's prompt line */
	if (!(f = fopencookie(p, "w", (cookie_io_functions_t){ .write = pager_write }))) {
		free(p);
		return NULL;
	}
	setvbuf(f, NULL, _IOLBF, 0); /* a slow command's lines as they come */
	*out = p;
	return f;
}

bool pager_close(FILE *out, struct pager *p)
{
	bool quit = false;

	fclose(out);
	if (!p->pipe && !p->direct) {
		put_text(p, stdout);
	} else if (p->pipe) {
		int status = pclose(p->pipe);
		sigaction(SIGPIPE, &p->old_pipe, NULL);
		/* there, but it could not run: the shell's 126 and 127 */
		if (status == -1 || (WIFEXITED(status) && (WEXITSTATUS(status) == 126 || WEXITSTATUS(status) == 127))) {
			fprintf(stderr, "kdive: the pager (%s) did not run: the output stopped at its first "
				"screen (set PAGER, or set scroll off)\n", pager_cmd());
			put_text(p, stdout);
		} else {
			quit = p->quit;
		}
	}
	fflush(stdout);
	free(p->text);
	free(p);
	return quit;
}
