/* The library side of a crash-style session: opening the pair of files
 * and running one command line. Line editing, pipes and the prompt are
 * the CLI's. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "commands/command.h"

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
	const char *vmlinux = file1, *dump = file2;

	if (!s) {
		kd_fail(err, "out of memory");
		return NULL;
	}
	if (!is_vmlinux(file1) && is_vmlinux(file2)) {
		vmlinux = file2;
		dump = file1;
	}
	if (opts && opts->n_module_dirs) {
		s->module_dirs = calloc(opts->n_module_dirs, sizeof(*s->module_dirs));
		if (!s->module_dirs) {
			kd_fail(err, "out of memory");
			goto fail;
		}
		for (size_t i = 0; i < opts->n_module_dirs; i++)
			if (!(s->module_dirs[s->n_module_dirs++] = strdup(opts->module_dirs[i]))) {
				kd_fail(err, "out of memory");
				goto fail;
			}
	}
	if (!(s->k = kd_kernel_open(vmlinux, dump, err)))
		goto fail;
	return s;
fail:
	kd_session_close(s);
	return NULL;
}

long kd_session_relocation_mb(const kd_session *s)
{
	return (long)(s->k->kaslr >> 20);
}

/* Splits a command line into words: blanks separate, quotes group. */
static int split(char *line, char **argv, int max)
{
	int argc = 0;

	for (char *p = line; *p && argc < max - 1;) {
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
		if (*p)
			*p++ = '\0';
		argv[argc++] = w;
	}
	argv[argc] = NULL;
	return argc;
}

int kd_session_exec(kd_session *s, const char *line, FILE *out, kd_err *err)
{
	char *copy = strdup(line), *argv[64];
	const struct kd_command *c;
	int argc, rc;

	if (!copy)
		return kd_fail(err, "out of memory");
	argc = split(copy, argv, 64);
	if (argc == 0) {
		free(copy);
		return 0;
	}
	c = kd_command_find(argv[0]);
	if (!c) {
		rc = kd_fail(err, "%s: no such command (try `help`)", argv[0]);
	} else {
		optind = 0; /* commands parse their options with getopt */
		rc = c->run(s, argc, argv, out, err);
	}
	free(copy);
	return rc;
}

void kd_session_close(kd_session *s)
{
	if (!s)
		return;
	kd_kernel_close(s->k);
	for (size_t i = 0; i < s->n_module_dirs; i++)
		free(s->module_dirs[i]);
	free(s->module_dirs);
	free(s);
}
