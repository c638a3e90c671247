/* The library side of a crash-style session: opening the pair of files
 * and running one command line the same way for every command. Line
 * editing, pipes and the prompt are the CLI's. */
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/interrupt.h"
#include "commands/command.h"
#include "base/json.h"
#include "kernel/live.h"
#include "kernel/modules.h"
#include "kernel/symbols.h"
#include "unwind/backtrace.h"

/* A debug vmlinux is an ELF executable; a dump is anything else (ELF
 * core, kdump-compressed, flattened) and the dump layer tells which. */
static int is_vmlinux(const char *path)
{
	unsigned char h[18];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? pread(fd, h, sizeof(h), 0) : -1;

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)sizeof(h) && memcmp(h, "\177ELF", 4) == 0 && h[16] == 2 /* ET_EXEC */;
}

kd_session *kd_session_open(const char *file1, const char *file2,
			    const struct kd_session_opts *opts, kd_err *err)
{
	struct kd_session *s = calloc(1, sizeof(*s));
	struct kd_kernel_opts ko = { opts ? opts->sysroot : NULL, opts ? opts->diag : NULL, false,
				     opts && opts->no_debuginfod };
	const char *vmlinux = file1, *dump = file2;

	if (!s) {
		kd_oom(err);
		return NULL;
	}
	if (!file1) { /* the running kernel */
		vmlinux = NULL;
		dump = KD_LIVE_KCORE;
	} else if (!file2 && is_vmlinux(file1)) { /* the running kernel, with its vmlinux */
		dump = KD_LIVE_KCORE;
	} else if (!file2) { /* the dump alone */
		vmlinux = NULL;
		dump = file1;
	} else if (!is_vmlinux(file1) && is_vmlinux(file2)) {
		vmlinux = file2;
		dump = file1;
	}
	s->diag = ko.diag;
	s->json = opts && opts->json;
	s->scroll = true;
	s->radix = 10;
	if (!(s->k = kd_kernel_open(vmlinux, dump, &ko, err)))
		goto fail;
	for (size_t i = 0; opts && i < opts->n_source_dirs; i++)
		if (kd_kernel_add_source_dir(s->k, opts->source_dirs[i], err) != 0)
			goto fail;
	for (size_t i = 0; opts && i < opts->n_module_dirs; i++)
		if (kd_kernel_add_module_dir(s->k, opts->module_dirs[i], err) != 0)
			goto fail;
	return s;
fail:
	kd_session_close(s);
	return NULL;
}

int kd_session_scroll(const kd_session *s)
{
	return s->scroll;
}

void kd_session_set_scroll(kd_session *s, int on)
{
	s->scroll = on;
}

int kd_session_streams(kd_session *s, const char *line)
{
	const struct kd_command *def;
	char *copy;

	if (kd_alias_expand(s, line, &copy, NULL) != 0)
		return 0;
	def = kd_line_command(copy);
	free(copy);
	return def && (def->flags & KD_CMD_STREAMS);
}

long kd_session_relocation_mb(const kd_session *s)
{
	return (long)(s->k->kaslr >> 20);
}

/* Splits a command line into words: blanks separate, quotes group. With
 * argv NULL it only counts them. */
static int split(char *line, char **argv)
{
	int argc = 0;

	for (char *p = line; *p;) {
		char *w;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (*p == '"' || *p == '\'') {
			char q = *p++;
			w = p;
			while (*p && *p != q)
				p++;
		} else {
			w = p;
			while (*p && *p != ' ' && *p != '\t')
				p++;
		}
		if (argv) {
			if (*p)
				*p++ = '\0';
			argv[argc] = w;
		} else if (*p) {
			p++;
		}
		argc++;
	}
	if (argv)
		argv[argc] = NULL;
	return argc;
}

void kd_cmd_warn(struct kd_cmd *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kd_vwarn(c->diag, c->def->name, fmt, ap);
	va_end(ap);
}

int kd_cmd_join(struct kd_cmd *c, int from, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = from; i < c->argc; i++)
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s", i > from ? " " : "", c->argv[i]);
	return n < len ? 0 : kd_cmd_usage(c, "more than %zu characters", len - 1);
}

int kd_cmd_usage(struct kd_cmd *c, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return kd_fail(c->err, KD_ERR_INVALID, "%s (usage: %s)", what, c->def->usage);
}

/* The command's options, crash-style: getopt over its letters, options
 * and operands in any order. */
static int parse_options(struct kd_cmd *c, int argc, char **argv)
{
	char spec[64];
	int o;

	snprintf(spec, sizeof(spec), ":%s", c->def->options ? c->def->options : "");
	optind = 0; /* a fresh getopt scan */
	opterr = 0;
	while ((o = getopt(argc, argv, spec)) != -1) {
		if (o == '?')
			return kd_cmd_usage(c, "bad option -%c", optopt);
		if (o == ':')
			return kd_cmd_usage(c, "option -%c needs an argument", optopt);
		if (o > 0 && o < 128) {
			if (c->opt[o] < 255)
				c->opt[o]++;
			c->optarg[o] = optarg;
		}
	}
	c->argc = argc - optind;
	c->argv = argv + optind;
	return 0;
}

/* gdb's p/x: NAME/LETTER is NAME -LETTER for a command with that option;
 * c->def is set when it applies. */
static void slash_form(struct kd_cmd *c, char *word)
{
	char *slash = strchr(word, '/');
	const struct kd_command *d;

	if (!slash || !slash[1] || slash[2] || slash[1] == ':')
		return;
	*slash = '\0';
	d = kd_command_find(word);
	*slash = '/';
	if (!d || !d->options || !strchr(d->options, slash[1]))
		return;
	c->def = d;
	c->opt[(unsigned char)slash[1]] = 1;
}

/* What the command's flags ask for, made once per session. */
static int provide(struct kd_cmd *c)
{
	struct kd_session *s = c->s;

	if (c->def->flags & KD_CMD_UNWINDER) {
		if (!s->unwinder && !(s->unwinder = kd_unwinder_new(s->k, c->err)))
			return -1;
		c->u = s->unwinder;
	}
	if (c->def->flags & KD_CMD_MODULE_DEBUG)
		kd_modules_find_debuginfo(s->k);
	return 0;
}

/* {"error": {"command": NAME, "message": ...}}: what --json prints when a
 * command fails, so that the output is always JSON. */
static void json_error(struct kd_json *j, const struct kd_cmd *c)
{
	kd_json_object(j, NULL);
	kd_json_object(j, "error");
	kd_json_str(j, "command", c->def->name);
	kd_json_str(j, "message", c->err->msg);
	kd_json_end(j, '}');
	kd_json_end(j, '}');
}

/* --json anywhere among the words: taken out, c->json set. */
static int take_json(struct kd_cmd *c, int *argc, char **argv)
{
	int n = 0;

	for (int i = 0; i < *argc; i++)
		if (i > 0 && strcmp(argv[i], "--json") == 0)
			c->json = true;
		else
			argv[n++] = argv[i];
	argv[n] = NULL;
	*argc = n;
	c->json |= c->s->json;
	if (c->json && !(c->def->flags & KD_CMD_JSON)) {
		struct kd_json j;
		kd_fail(c->err, KD_ERR_UNSUPPORTED, "--json: %s has no JSON form yet (see docs/json.md)",
			c->def->name);
		kd_json_init(&j, c->out);
		json_error(&j, c);
		return -1;
	}
	return 0;
}

/* In JSON the output is one document, or on failure {"error": {...}}:
 * the command writes to a buffer first. */
static int run_json(struct kd_cmd *c)
{
	FILE *real = c->out;
	char *text = NULL;
	size_t len = 0;
	struct kd_json j;
	int rc;

	if (!(c->out = open_memstream(&text, &len)))
		return kd_oom(c->err);
	rc = c->def->run(c);
	fclose(c->out);
	c->out = real;
	if (rc == 0) {
		fwrite(text, 1, len, real);
	} else {
		kd_json_init(&j, real);
		json_error(&j, c);
	}
	free(text);
	return rc;
}

/* Parses argv for its command (c->def) and runs it. */
static int run_argv(struct kd_cmd *c, int argc, char **argv)
{
	if (take_json(c, &argc, argv) != 0)
		return -1;
	if (c->def->flags & KD_CMD_RAW_ARGS) {
		c->argc = argc - 1;
		c->argv = argv + 1;
	} else if (parse_options(c, argc, argv) != 0) {
		return -1;
	}
	if (provide(c) != 0)
		return -1;
	return c->json ? run_json(c) : c->def->run(c);
}

int kd_cmd_run(struct kd_cmd *parent, int argc, char **argv)
{
	struct kd_cmd c = { .s = parent->s, .k = parent->k, .out = parent->out,
			    .diag = parent->diag, .err = parent->err };

	if (!(c.def = kd_command_find(argv[0])))
		return kd_fail(c.err, KD_ERR_LOOKUP, "%s: no such command", argv[0]);
	return run_argv(&c, argc, argv);
}

int kd_session_exec(kd_session *s, const char *line, FILE *out, kd_err *err)
{
	char *copy, **argv = NULL;
	struct kd_cmd c = { .s = s, .k = s->k, .out = out, .diag = s->diag, .err = err };
	int argc, rc = -1;

	if (kd_alias_expand(s, line, &copy, err) != 0)
		return -1;
	if ((argc = split(copy, NULL)) == 0) {
		free(copy);
		return 0;
	}
	if (!(argv = calloc((size_t)argc + 1, sizeof(*argv)))) {
		kd_oom(err);
		goto out;
	}
	split(copy, argv);
	/* a live kernel moved on since the last command */
	if (kd_kernel_live(s->k)) {
		kd_kernel_refresh(s->k);
		kd_unwinder_free(s->unwinder);
		s->unwinder = NULL;
	}
	if (!(c.def = kd_command_find(argv[0])))
		slash_form(&c, argv[0]);
	if (!c.def) {
		kd_fail(err, KD_ERR_LOOKUP, "%s: no such command (try `help`)", argv[0]);
		goto out;
	}
	if (s->depth++ == 0) /* repeat's runs keep a Ctrl-C that came between them */
		kd_interrupt_clear();
	rc = run_argv(&c, argc, argv);
	s->depth--;
	if (kd_interrupted()) {
		if (rc != 0) /* whatever failed after Ctrl-C failed because of it */
			rc = kd_interrupt_check(err);
		/* and what was being read first is not kept half-read */
		kd_kernel_forget_walks(s->k);
		kd_unwinder_free(s->unwinder);
		s->unwinder = NULL;
	}
	if (rc != 0)
		kd_wrap(err, "%s", c.def->name);
out:
	free(argv);
	free(copy);
	return rc;
}

void kd_session_close(kd_session *s)
{
	if (!s)
		return;
	kd_unwinder_free(s->unwinder);
	kd_kernel_close(s->k);
	kd_aliases_free(s);
	free(s);
}
