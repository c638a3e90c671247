/* kdive [options] VMLINUX VMCORE: a crash-style session. Commands come from
 * the prompt (libedit: line editing, history), from -c 'cmd; cmd', from
 * -i FILE, or from stdin when it is not a terminal. `cmd | pipeline` runs
 * the pipeline with the command's output on its stdin; `cmd > file` and
 * `cmd >> file` write to a file. */
#include <editline/readline.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/pager.h"
#include "kdive/kdive.h"

static void usage(FILE *out)
{
	fputs("usage: kdive [--modules DIR]... [--source DIR]... [--sysroot DIR] [-s] [-c 'CMD; CMD'] [-i FILE]\n"
	      "             [VMLINUX] [VMCORE]\n"
	      "Opens a kdump vmcore (any makedumpfile format, or a QEMU dump) with the\n"
	      "crashed kernel's debug vmlinux, in either order, and runs crash-style\n"
	      "commands: type `help` at the prompt. Without VMCORE (or with /proc/kcore),\n"
	      "the running kernel, read afresh by each command (root). Without VMLINUX, the one of the\n"
	      "dump's build is looked for in the standard places, then fetched from\n"
	      "debuginfod by build-id; without it (Linux 6.0+), the symbols, types and\n"
	      "unwind tables come from the dump's own kallsyms, BTF and ORC: no source\n"
	      "lines, no types BTF lacks.\n"
	      "  -c 'CMD; CMD'      run these commands and leave (as lines at the prompt)\n"
	      "  -i FILE            run the commands in FILE and leave\n"
	      "  -s                 silent: no sys banner at the prompt, no pager (set scroll off)\n"
	      "  -m, --modules DIR  look for module .ko files with debug info below DIR first\n"
	      "      --json         every command's output as JSON (CMD --json; docs/json.md)\n"
	      "      --no-debuginfod  without VMLINUX, do not fetch it from debuginfod\n"
	      "                     (DEBUGINFOD_URLS) when the standard places lack it\n"
	      "      --source DIR   kernel (or module) source tree for `l` and `dis -s`,\n"
	      "                     before the distribution's package\n"
	      "                     (/usr/src/linux-source-X.Y.tar.xz)\n"
	      "  -r, --sysroot DIR  look for the standard ones (/usr/lib/debug/lib/modules/R,\n"
	      "                     /lib/modules/R, /usr/src) below DIR: another machine's files\n",
	      out);
}

/* The first '|' or '>' outside quotes splits command from destination;
 * "->" is C's member arrow, not a redirect. */
static char *find_redirect(char *line)
{
	char quote = 0;

	for (char *p = line; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '"' || *p == '\'') {
			quote = *p;
		} else if (*p == '|' || (*p == '>' && (p == line || p[-1] != '-'))) {
			return p;
		}
	}
	return NULL;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/* Runs one command line; returns false when the session should end. */
static bool run_line(kd_session *s, char *line, int *failures)
{
	char *redir, *dest = NULL;
	FILE *out = stdout;
	struct pager *pager = NULL;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_pipe;
	bool piped = false;
	kd_err err = { "" };
	int rc;

	line = trim(line);
	if (!*line || *line == '#')
		return true;
	if (strcmp(line, "q") == 0 || strcmp(line, "quit") == 0 || strcmp(line, "exit") == 0)
		return false;
	if (*line == '!') { /* crash's shell escape */
		fflush(stdout);
		if (system(line[1] ? line + 1 : "${SHELL:-/bin/sh}") != 0)
			(*failures)++;
		return true;
	}
	if ((redir = find_redirect(line))) {
		char kind = *redir;
		bool append = kind == '>' && redir[1] == '>';

		*redir = '\0';
		dest = trim(redir + 1 + append);
		if (!*dest) {
			fprintf(stderr, "kdive: nothing after '%c'\n", kind);
			(*failures)++;
			return true;
		}
		fflush(stdout);
		piped = kind == '|';
		out = piped ? popen(dest, "w") : fopen(dest, append ? "a" : "w");
		if (!out) {
			perror(dest);
			(*failures)++;
			return true;
		}
		/* `| head` that quits, or Ctrl-C that stopped the pipeline with
		 * the command: EPIPE for the command, not the session's end */
		if (piped)
			sigaction(SIGPIPE, &ign, &old_pipe);
	}
	line = trim(line);
	if (out == stdout && kd_session_scroll(s) && !kd_session_streams(s, line))
		out = pager_open(&pager);
	if (!out)
		out = stdout;
	rc = kd_session_exec(s, line, out, &err);
	if (pager) {
		/* q in the pager stopped the command: what the user asked for */
		if (pager_close(out, pager) && err.code == KD_ERR_INTERRUPTED)
			rc = 0;
	} else if (piped) {
		pclose(out);
		sigaction(SIGPIPE, &old_pipe, NULL);
	} else if (out != stdout) {
		fclose(out);
	} else {
		fflush(stdout);
	}
	if (rc != 0) {
		fprintf(stderr, "kdive: %s\n", err.msg);
		(*failures)++;
	}
	return true;
}

/* -c 'a; b': commands separated by ';' (outside quotes). */
static bool run_script(kd_session *s, char *cmds, int *failures)
{
	char quote = 0, *start = cmds;

	for (char *p = cmds;; p++) {
		if (quote && *p == quote)
			quote = 0;
		else if (!quote && (*p == '"' || *p == '\''))
			quote = *p;
		else if (!*p || (!quote && *p == ';')) {
			bool last = !*p;
			*p = '\0';
			if (!run_line(s, start, failures))
				return false;
			if (last)
				return true;
			start = p + 1;
		}
	}
}

static void run_stream(kd_session *s, FILE *in, int *failures)
{
	char *line = NULL;
	size_t cap = 0;

	while (getline(&line, &cap, in) >= 0)
		if (!run_line(s, line, failures))
			break;
	free(line);
}

/* Tab: the session's words (kd_session_complete), handed to libedit one
 * by one; none, and libedit completes file names (`set source DIR`, `>
 * FILE`, `!cmd`). */
static kd_session *tab_session;
static struct {
	char **v;
	size_t n, cap, next;
} tab;

static void tab_forget(void)
{
	for (size_t i = 0; i < tab.n; i++)
		free(tab.v[i]);
	free(tab.v);
	memset(&tab, 0, sizeof(tab));
}

static void tab_add(const char *word, void *arg)
{
	(void)arg;
	if (tab.n == tab.cap) {
		size_t cap = tab.cap ? tab.cap * 2 : 64;
		char **v = realloc(tab.v, cap * sizeof(*v));
		if (!v)
			return;
		tab.v = v;
		tab.cap = cap;
	}
	if ((tab.v[tab.n] = strdup(word)))
		tab.n++;
}

static char *tab_next(const char *text, int state)
{
	(void)text;
	if (state == 0)
		tab.next = 0;
	return tab.next < tab.n ? strdup(tab.v[tab.next++]) : NULL;
}

static char **tab_complete(const char *text, int start, int end)
{
	(void)start;
	tab_forget();
	if (kd_session_complete(tab_session, rl_line_buffer, (size_t)end, tab_add, NULL) == 0)
		return NULL;
	rl_attempted_completion_over = 1;
	return rl_completion_matches(text, tab_next);
}

static volatile sig_atomic_t ctrl_c;

static void on_interrupt(int sig)
{
	(void)sig;
	ctrl_c = 1;
	kd_session_interrupt();
}

static void run_prompt(kd_session *s, bool silent, int *failures)
{
	struct sigaction on_ctrl_c = { .sa_handler = on_interrupt, .sa_flags = SA_RESTART };

	char hist[4096];
	const char *home = getenv("HOME");
	char *line;

	snprintf(hist, sizeof(hist), "%s/.kdive_history", home ? home : ".");
	read_history(hist);
	/* at the prompt, Ctrl-C stops the command, not the session (a script
	 * run with -c or -i still ends) */
	sigaction(SIGINT, &on_ctrl_c, NULL);
	tab_session = s;
	rl_attempted_completion_function = tab_complete;
	/* words are blank-separated, as the session splits them: "task_struct.pid" is one */
	rl_basic_word_break_characters = " \t\n";
	/* crash's .crashrc: aliases and settings, ~/ then ./ (a line that
	 * fails is one line and the rest go on) */
	const char *rcs[] = { "%s/.kdiverc", "./.kdiverc" };
	for (size_t i = 0; i < 2; i++) {
		char rc[4200];
		FILE *f;
		snprintf(rc, sizeof(rc), rcs[i], home ? home : ".");
		if (i == 1 && home && strcmp(home, ".") == 0)
			break; /* the same file */
		if ((f = fopen(rc, "r"))) {
			int rc_failures = 0; /* said; not the session's */
			run_stream(s, f, &rc_failures);
			fclose(f);
		}
	}
	if (!silent) {
		kd_session_exec(s, "sys", stdout, &(kd_err){ "" });
		putchar('\n');
	}
	for (;;) {
		ctrl_c = 0;
		if (!(line = readline("kdive> "))) {
			if (!ctrl_c) /* the end of input */
				break;
			/* Ctrl-C at the prompt: the line is dropped, as in a shell */
			putchar('\n');
			continue;
		}
		if (*trim(line))
			add_history(line);
		bool go_on = run_line(s, line, failures);
		free(line);
		if (!go_on)
			break;
	}
	write_history(hist);
	tab_forget();
}

int cmd_session(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "modules", required_argument, NULL, 'm' },
		{ "sysroot", required_argument, NULL, 'r' },
		{ "source", required_argument, NULL, 'S' },
		{ "no-debuginfod", no_argument, NULL, 'N' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char **dirs = calloc((size_t)argc + 1, sizeof(*dirs));
	const char **srcs = calloc((size_t)argc + 1, sizeof(*srcs));
	struct kd_session_opts opts = { .diag = stderr, .sysroot = cli_sysroot };
	char *cmds = NULL;
	const char *script = NULL;
	bool silent = false;
	kd_session *s;
	kd_err err = { "" };
	int c, failures = 0;

	if (!dirs || !srcs) {
		free(dirs);
		free(srcs);
		return 1;
	}
	while ((c = getopt_long(argc, argv, "c:i:m:r:sh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': cmds = optarg; break;
		case 'i': script = optarg; break;
		case 'm': dirs[opts.n_module_dirs++] = optarg; break;
		case 'r': opts.sysroot = optarg; break;
		case 'S': srcs[opts.n_source_dirs++] = optarg; break;
		case 's': silent = true; break;
		case 'N': opts.no_debuginfod = 1; break;
		case 'J': opts.json = 1; break;
		case 'h': usage(stdout); free(dirs); free(srcs); return 0;
		default: usage(stderr); free(dirs); free(srcs); return 2;
		}
	}
	if (argc - optind > 2) {
		usage(stderr);
		free(dirs);
		free(srcs);
		return 2;
	}
	opts.module_dirs = dirs;
	opts.source_dirs = srcs;
	s = kd_session_open(argc > optind ? argv[optind] : NULL,
			    argc - optind == 2 ? argv[optind + 1] : NULL, &opts, &err);
	free(dirs);
	free(srcs);
	if (!s) {
		fprintf(stderr, "kdive: %s\n", err.msg);
		return 1;
	}
	if (kd_session_relocation_mb(s) && !silent)
		fprintf(stderr, "kdive: kernel relocated [%ldMB]\n", kd_session_relocation_mb(s));
	kd_session_set_scroll(s, !silent);
	if (cmds) {
		run_script(s, cmds, &failures);
	} else if (script) {
		FILE *in = fopen(script, "r");
		if (!in) {
			perror(script);
			failures++;
		} else {
			run_stream(s, in, &failures);
			fclose(in);
		}
	} else if (isatty(STDIN_FILENO)) {
		run_prompt(s, silent, &failures);
	} else {
		run_stream(s, stdin, &failures);
	}
	kd_session_close(s);
	return failures ? 1 : 0;
}
