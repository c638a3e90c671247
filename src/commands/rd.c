/* rd: kernel memory as crash shows it: "ADDR:  word word   ascii", 8-, 16-,
 * 32- or 64-bit units (64 by default), -s naming the words that point at
 * symbols, -a as strings, -p physical addresses. Stops at the first byte
 * the dump does not hold, saying where and why. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "commands/command.h"
#include "kernel/symbols.h"
#include "kernel/tasks.h"
#include "kernel/value.h"

#define MAX_UNITS (1 << 24) /* a larger count is refused, not printed */

struct rd {
	struct kd_cmd *c;
	unsigned size;        /* bytes a unit */
	bool sym, dec, phys;
	struct kd_task *user; /* -u: the context task's user memory */
	struct kd_json *j;    /* --json: {"words": [...]} or {"strings": [...]} */
};

static int read_mem(struct rd *r, uint64_t addr, void *buf, size_t len, kd_err *err)
{
	if (r->user)
		return kd_task_read_user(r->c->k, r->user, addr, buf, len, err);
	return r->phys ? kd_kernel_read_phys(r->c->k, addr, buf, len, err)
		       : kd_kernel_read(r->c->k, addr, buf, len, err);
}

static uint64_t unit_at(const unsigned char *p, unsigned size)
{
	uint64_t v = 0;

	memcpy(&v, p, size);
	return v;
}

static void put_unit(struct rd *r, uint64_t addr, uint64_t v)
{
	FILE *out = r->c->out;
	struct kd_sym s;
	char name[64];
	bool named = r->sym && r->size == 8 && kd_kernel_symbolize_data(r->c->k, v, &s) == 0;

	if (r->j) {
		kd_json_object(r->j, NULL);
		kd_json_addr(r->j, "address", addr);
		kd_json_addr(r->j, "value", v);
		if (r->sym) {
			kd_json_str(r->j, "symbol", named ? s.name : NULL);
			if (named)
				kd_json_int(r->j, "offset", (long long)s.off);
			else
				kd_json_null(r->j, "offset");
		}
		kd_json_end(r->j, '}');
		return;
	}
	if (named) {
		if (s.off)
			snprintf(name, sizeof(name), "%s+%llu", s.name, (unsigned long long)s.off);
		else
			snprintf(name, sizeof(name), "%s", s.name);
		fprintf(out, "%-16s ", name);
	} else if (r->dec) {
		fprintf(out, "%*llu ", (int)(r->size * 2 + (r->size == 8 ? 4 : 1)), (unsigned long long)v);
	} else {
		fprintf(out, "%0*llx ", (int)(r->size * 2), (unsigned long long)v);
	}
}

/* One line: up to 16 bytes, the ASCII column after (not with -s). */
static void put_line(struct rd *r, uint64_t addr, const unsigned char *p, size_t n)
{
	FILE *out = r->c->out;
	size_t per = 16 / r->size;

	if (r->j) {
		for (size_t i = 0; i < n / r->size; i++)
			put_unit(r, addr + i * r->size, unit_at(p + i * r->size, r->size));
		return;
	}
	fprintf(out, "%llx:  ", (unsigned long long)addr);
	for (size_t i = 0; i < n / r->size; i++)
		put_unit(r, addr + i * r->size, unit_at(p + i * r->size, r->size));
	if (r->sym) {
		fputc('\n', out);
		return;
	}
	for (size_t i = n / r->size; i < per; i++)
		fprintf(out, "%*s ", (int)(r->size * 2), "");
	fputs("  ", out);
	for (size_t i = 0; i < n; i++)
		fputc(isprint(p[i]) ? p[i] : '.', out);
	fputc('\n', out);
}

/* One string of -a: "ADDR:  text", or an object in JSON. */
static void put_string(struct rd *r, uint64_t at, const char *text, size_t len)
{
	if (r->j) {
		kd_json_object(r->j, NULL);
		kd_json_addr(r->j, "address", at);
		kd_json_strn(r->j, "text", text, len);
		kd_json_end(r->j, '}');
		return;
	}
	fprintf(r->c->out, "%llx:  %.*s\n", (unsigned long long)at, (int)len, text);
}

/* -a: the strings in the range, each on its line; one that runs into
 * memory the dump lacks is printed up to there, then the error. */
static int strings(struct rd *r, uint64_t addr, uint64_t len)
{
	char *buf = NULL;
	size_t cap = 0;
	uint64_t end = addr + len;
	int rc = 0;

	while (addr < end && rc == 0) {
		size_t n = 0;
		uint64_t at = addr;
		char ch = 1;

		while (addr < end && ch) {
			if (read_mem(r, addr, &ch, 1, r->c->err) != 0) {
				rc = -1;
				break;
			}
			addr++;
			if (!ch)
				break;
			if (n == cap) {
				char *more = realloc(buf, cap = cap ? cap * 2 : 64);
				if (!more) {
					free(buf);
					return kd_oom(r->c->err);
				}
				buf = more;
			}
			buf[n++] = isprint((unsigned char)ch) ? ch : '.';
		}
		put_string(r, at, n ? buf : "", n);
		if (n == 0 && addr - at == 1)
			break; /* an empty string ends it, as crash does */
	}
	free(buf);
	return rc;
}

/* A physical or user address is hex; a kernel one may be a symbol or (EXPR). */
static int where(struct kd_cmd *c, const char *arg, bool hex, uint64_t *addr)
{
	char *end;

	if (!hex)
		return kd_cmd_address(c, arg, addr, NULL);
	*addr = strtoull(arg, &end, 16);
	return *arg && !*end ? 0 : kd_cmd_usage(c, "%s is not a hex address", arg);
}

static int run_rd(struct kd_cmd *c)
{
	struct rd r = { c, 8, c->opt['s'], c->opt['d'], c->opt['p'], NULL, NULL };
	struct kd_json j;
	unsigned char buf[16];
	uint64_t addr, count = 1;
	struct kd_task task;
	int cpu;

	if (c->opt['8'])
		r.size = 1;
	else if (c->opt['1'])
		r.size = 2; /* -16: getopt sees 1 with argument 6 */
	else if (c->opt['3'])
		r.size = 4;
	if (c->argc < 1 || c->argc > 2)
		return kd_cmd_usage(c, "an address or a symbol is needed");
	if ((c->opt['1'] && strcmp(c->optarg['1'], "6") != 0) ||
	    (c->opt['3'] && strcmp(c->optarg['3'], "2") != 0) ||
	    (c->opt['6'] && strcmp(c->optarg['6'], "4") != 0))
		return kd_cmd_usage(c, "units are -8, -16, -32 or -64");
	if (c->opt['u'] && c->opt['p'])
		return kd_cmd_usage(c, "-u and -p exclude each other");
	if (c->opt['u']) {
		if (kd_cmd_context(c, &task, &cpu) != 0)
			return -1;
		r.user = &task;
		r.sym = false; /* user symbols are not the kernel's */
	}
	if (where(c, c->argv[0], r.phys || r.user, &addr) != 0)
		return -1;
	if (c->argc == 2) {
		char *end;
		count = strtoull(c->argv[1], &end, 0);
		if (*end || !count || count > MAX_UNITS)
			return kd_cmd_usage(c, "a count from 1 to %d, not %s", MAX_UNITS, c->argv[1]);
	}
	if (!c->opt['a'] && addr % r.size)
		return kd_fail(c->err, KD_ERR_INVALID, "0x%llx is not aligned to %u bytes",
			       (unsigned long long)addr, r.size);
	if (c->json) {
		r.j = &j;
		kd_json_init(&j, c->out);
		kd_json_object(&j, NULL);
		kd_json_int(&j, "unit", r.size);
		kd_json_array(&j, c->opt['a'] ? "strings" : "words");
	}
	if (c->opt['a']) {
		if (strings(&r, addr, count) != 0)
			return -1;
	} else {
		for (uint64_t left = count * r.size; left;) {
			size_t n = left < 16 ? (size_t)left : 16;

			if (read_mem(&r, addr, buf, n, c->err) != 0)
				return -1;
			put_line(&r, addr, buf, n);
			if (ferror(c->out))
				return kd_fail(c->err, KD_ERR_IO, "write error");
			addr += n;
			left -= n;
		}
	}
	if (c->json) {
		kd_json_end(&j, ']');
		kd_json_end(&j, '}');
	}
	return 0;
}

const struct kd_command kd_cmd_rd = {
	.name = "rd",
	.complete = KD_COMPLETE_SYMBOL,
	.options = "81:3:6:sdpaxu",
	.flags = KD_CMD_JSON,
	.usage = "rd [-8|-16|-32|-64] [-s] [-d|-x] [-a] [-p|-u] ADDR | SYMBOL | (EXPR) [COUNT]",
	.summary = "read memory: words with their ASCII, symbols or strings",
	.help = "  COUNT units (default 1) of -8, -16, -32 or -64 bits (the default)\n"
		"  -s  64-bit words that point into a symbol as symbol+offset\n"
		"  -d  decimal       -x  hex (the default)\n"
		"  -a  the NUL-terminated strings in the COUNT bytes from ADDR\n"
		"  -p  ADDR is physical\n"
		"  -u  ADDR is a user address of the context task (`set PID`; default: the\n"
		"      panic task), read through its page tables\n",
	.run = run_rd,
};
