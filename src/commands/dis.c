/* dis: disassembly of the crashed kernel's own text (the bytes in the dump,
 * so ftrace's patched NOPs and alternatives are what ran), in crash's
 * layout: "0xADDR <func+off>:\tinsn", branch targets and RIP-relative
 * operands named, -l's "FILE: LINE" before each new source line. The text
 * is libopcodes', the decoder objdump, gdb and crash use. */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "commands/command.h"
#include "disasm/opcodes.h"
#include "kernel/symbols.h"
#include "kernel/tasks.h"
#include "kernel/value.h"

#define MAX_COUNT (1 << 20)   /* instructions one dis prints at most */
#define MAX_FUNCTION (1 << 20) /* bytes of a function read at once */

static void namer(void *ctx, uint64_t addr, char *buf, size_t len)
{
	struct kd_sym s;

	buf[0] = '\0';
	if (kd_kernel_symbolize_data(ctx, addr, &s) != 0)
		return;
	if (s.off)
		snprintf(buf, len, " <%s+%llu>", s.name, (unsigned long long)s.off);
	else
		snprintf(buf, len, " <%s>", s.name);
}

static void print_line_change(struct kd_cmd *c, uint64_t addr, char *last, size_t len)
{
	struct kd_srcline loc[1];
	char now[1100];

	if (kd_kernel_srclines(c->k, addr, loc, 1) == 0)
		return;
	snprintf(now, sizeof(now), "%s: %d", loc[0].file, loc[0].line);
	if (strcmp(now, last) != 0) {
		fprintf(c->out, "%s\n", now);
		snprintf(last, len, "%s", now);
	}
}

/* -s: crash's source view: FILE, LINE, then the source with that line
 * marked "*": ten lines around ADDR, or a whole function's lines. */
static int show_source(struct kd_cmd *c, uint64_t addr, const struct kd_sym *fn, bool whole)
{
	struct kd_srcline loc[1], at[1];
	int first, last;

	if (kd_kernel_srclines(c->k, addr, loc, 1) == 0)
		return kd_cmd_no_lines(c, addr);
	first = loc[0].line - 5;
	last = loc[0].line + 4;
	if (whole && fn->size <= MAX_FUNCTION) {
		/* the lines the function's own code came from, in its file */
		first = last = loc[0].line;
		for (uint64_t a = fn->start; a < fn->start + fn->size; a++)
			if (kd_kernel_srclines(c->k, a, at, 1) && strcmp(at[0].file, loc[0].file) == 0) {
				if (at[0].line < first)
					first = at[0].line;
				if (at[0].line > last)
					last = at[0].line;
			}
	}
	if (!c->json) {
		fprintf(c->out, "FILE: %s\nLINE: %d\n\n", loc[0].file, loc[0].line);
		return kd_cmd_print_source(c, NULL, loc[0].file, first, last, loc[0].line) < 0 ? -1 : 0;
	}
	struct kd_json j;
	kd_json_init(&j, c->out);
	kd_json_object(&j, NULL);
	kd_json_str(&j, "file", loc[0].file);
	kd_json_int(&j, "line", loc[0].line);
	kd_json_array(&j, "lines");
	if (kd_cmd_print_source(c, &j, loc[0].file, first, last, loc[0].line) < 0)
		return -1;
	kd_json_end(&j, ']');
	kd_json_end(&j, '}');
	return 0;
}

/* --json: an instruction as an object, its source line with -l. */
static void json_insn(struct kd_cmd *c, struct kd_json *j, uint64_t at, const struct kd_sym *s,
		      const struct kd_insn *insn, bool ftrace)
{
	struct kd_srcline loc[1];

	kd_json_object(j, NULL);
	kd_json_addr(j, "address", at);
	kd_json_str(j, "function", s ? s->name : NULL);
	if (s)
		kd_json_int(j, "offset", (long long)s->off);
	else
		kd_json_null(j, "offset");
	kd_json_str(j, "module", s ? s->module : NULL);
	kd_json_int(j, "length", insn->len);
	kd_json_str(j, "text", insn->text);
	kd_json_bool(j, "ftrace_nop", ftrace);
	if (c->opt['l']) {
		bool known = kd_kernel_srclines(c->k, at, loc, 1) > 0;
		kd_json_str(j, "file", known ? loc[0].file : NULL);
		if (known)
			kd_json_int(j, "line", loc[0].line);
		else
			kd_json_null(j, "line");
	}
	kd_json_end(j, '}');
}

/* The code bytes: kernel text, or with -u the context task's user memory. */
static int read_code(struct kd_cmd *c, const struct kd_task *user, uint64_t addr, void *buf,
		     size_t len, kd_err *err)
{
	return user ? kd_task_read_user(c->k, user, addr, buf, len, err)
		    : kd_kernel_read(c->k, addr, buf, len, err);
}

static int run_dis(struct kd_cmd *c)
{
	struct kd_sym fn;
	uint64_t addr, from, to, count = 0;
	unsigned char *buf;
	char last[1100] = "", *end;
	bool whole = false, have_fn;
	struct kd_task task, *user = NULL;
	struct kd_json j;
	int rc = 0, cpu;

	if (c->argc < 1 || c->argc > 2)
		return kd_cmd_usage(c, "an address, a symbol or (EXPRESSION) is needed");
	if (c->opt['u']) {
		if (c->opt['r'] || c->opt['f'] || c->opt['s'] || c->opt['l'])
			return kd_cmd_usage(c, "-u takes no -r, -f, -s or -l (user code has no kernel "
					    "debug info)");
		addr = strtoull(c->argv[0], &end, 16);
		if (!*c->argv[0] || *end)
			return kd_cmd_usage(c, "-u: %s is not a hex user address", c->argv[0]);
		if (kd_cmd_context(c, &task, &cpu) != 0)
			return -1;
		user = &task;
	} else if (kd_cmd_address(c, c->argv[0], &addr, &whole) != 0) {
		return -1;
	}
	if (c->argc == 2) {
		count = strtoull(c->argv[1], &end, 0);
		if (*end || !count || count > MAX_COUNT)
			return kd_cmd_usage(c, "a count from 1 to %d, not %s", MAX_COUNT, c->argv[1]);
	}
	have_fn = !user && kd_kernel_symbolize(c->k, addr, &fn) == 0;
	if (c->opt['s'])
		return show_source(c, addr, &fn, whole && have_fn);
	if (!have_fn && (whole || c->opt['r'] || c->opt['f']))
		return kd_fail(c->err, KD_ERR_LOOKUP, "0x%llx is in no function", (unsigned long long)addr);
	from = c->opt['r'] ? fn.start : addr;
	to = have_fn && fn.size ? fn.start + fn.size : addr + 16 * 16;
	if (c->opt['r'])
		to = addr + 16; /* up to and with the instruction at addr */
	if (!count && !whole && !c->opt['r'] && !c->opt['f'])
		count = 1;
	if (count)
		to = from + 16 * count; /* x86 instructions are at most 15 bytes */
	if (to <= from || to - from > MAX_FUNCTION)
		return kd_fail(c->err, KD_ERR_INVALID, "%llu bytes from 0x%llx: too many to disassemble",
			       (unsigned long long)(to - from), (unsigned long long)from);
	if (!(buf = malloc(to - from)))
		return kd_oom(c->err);
	size_t have = (size_t)(to - from);
	if (read_code(c, user, from, buf, have, c->err) != 0) {
		/* a count may run past the last readable page: take what is there */
		uint64_t stop = (from + have - 1) & ~4095ULL;
		while (stop > from && read_code(c, user, from, buf, stop - from, NULL) != 0)
			stop -= 4096;
		if (stop <= from) {
			free(buf);
			return -1;
		}
		have = (size_t)(stop - from);
	}
	if (c->json) {
		kd_json_init(&j, c->out);
		kd_json_object(&j, NULL);
		kd_json_array(&j, "instructions");
	}
	for (uint64_t off = 0, n = 0; off < have && (!count || n < count); n++) {
		struct kd_insn insn;
		struct kd_sym s;
		uint64_t at = from + off;

		if (c->opt['r'] && at > addr)
			break;
		kd_insn_decode_named(buf, have, (size_t)off, at, KD_CODE_X86_64, namer, c->k, &insn);
		if (insn.len <= 0) {
			rc = kd_fail(c->err, KD_ERR_CORRUPT, "cannot decode the instruction at 0x%llx",
				     (unsigned long long)at);
			break;
		}
		bool named = !user && kd_kernel_symbolize(c->k, at, &s) == 0;
		/* ftrace's call site, patched to a 5-byte NOP when not traced */
		bool ftrace = have_fn && at == fn.start && insn.len == 5 &&
			      strncmp(insn.text, "nop", 3) == 0;
		if (c->json) {
			json_insn(c, &j, at, named ? &s : NULL, &insn, ftrace);
		} else {
			if (c->opt['l'])
				print_line_change(c, at, last, sizeof(last));
			fprintf(c->out, "0x%llx", (unsigned long long)at);
			if (named)
				fprintf(c->out, !s.off ? " <%s>" : c->opt['x'] ? " <%s+0x%llx>" : " <%s+%llu>",
					s.name, (unsigned long long)s.off);
			fprintf(c->out, ":\t%s%s\n", insn.text, ftrace ? " [FTRACE NOP]" : "");
		}
		off += (uint64_t)insn.len;
	}
	free(buf);
	if (c->json && rc == 0) {
		kd_json_end(&j, ']');
		kd_json_end(&j, '}');
	}
	return rc;
}

const struct kd_command kd_cmd_dis = {
	.name = "dis",
	.complete = KD_COMPLETE_SYMBOL,
	.options = "lrfsuxd",
	.flags = KD_CMD_MODULE_DEBUG | KD_CMD_JSON,
	.usage = "dis [-l] [-r | -f] [-s] [-u] [-x|-d] ADDR | SYMBOL[+OFF] | (EXPR) [COUNT]",
	.summary = "disassemble the kernel's text as it was in memory",
	.help = "  SYMBOL  the whole function; ADDR  one instruction; COUNT  that many\n"
		"  -r  from the function's start up to and with ADDR\n"
		"  -f  from ADDR to the function's end\n"
		"  -l  the source file and line before each new line of source (vmlinux, and\n"
		"      modules whose debug info is loaded)\n"
		"  -s  the source instead: FILE, LINE, and the lines around ADDR (a SYMBOL's\n"
		"      whole function) with ADDR's line marked \"*\" (sources: `help l`)\n"
		"  -u  ADDR (hex) is a user address of the context task (`set PID`)\n"
		"  -x  offsets in <symbol+offset> in hex; -d decimal (the default)\n"
		"Branch targets and RIP-relative operands are named <symbol+offset>; the\n"
		"5-byte NOP ftrace patches in at a function's start shows as [FTRACE NOP].\n",
	.run = run_dis,
};
