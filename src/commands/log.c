/* log [-tTmcd]: the kernel log from the dump's printk buffer, laid out as
 * crash prints it: "[    5.699507] text", continuation lines of a record
 * indented under its first. */
#include <ctype.h>
#include <stdbool.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "commands/command.h"
#include "base/json.h"
#include "kernel/clock.h"
#include "kernel/modules.h"
#include "kernel/printk.h"
#include "kernel/system.h"

struct log_opts {
	int no_time, wall_time, level, caller, dict;
	int64_t boot;    /* -T: wall time at boot */
	int caller_width;
	FILE *out;
	bool *json_more;  /* --json: a record was written */
};

/* Non-printing bytes become '.', as in crash, so a terminal stays sane. */
static void put_text(FILE *out, const char *s, size_t len, int indent)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			fprintf(out, "\n%*s", indent, "");
		else
			fputc(isprint(c) || isspace(c) ? c : '.', out);
	}
}

/* --json: one object per record; the text as it is, lines and all. */
static int json_record(const struct kd_printk_record *r, void *arg)
{
	const struct log_opts *o = arg;
	struct kd_json j;
	char id[16];

	kd_json_init(&j, o->out);
	j.depth = 2; /* inside {"records": [ */
	j.more[2] = *o->json_more;
	*o->json_more = true;
	kd_json_object(&j, NULL);
	kd_json_int(&j, "ts_nsec", (long long)r->ts_nsec);
	if (r->level >= 0)
		kd_json_int(&j, "level", r->level);
	else
		kd_json_str(&j, "level", NULL);
	snprintf(id, sizeof(id), "%c%u", r->caller_id & KD_PRINTK_CALLER_CPU ? 'C' : 'T',
		 r->caller_id & ~KD_PRINTK_CALLER_CPU);
	kd_json_str(&j, "caller", r->has_caller ? id : NULL);
	kd_json_strn(&j, "text", r->text, r->text_len);
	kd_json_array(&j, "dict");
	for (size_t i = 0; i < r->dict_len;) {
		size_t n = strnlen(r->dict + i, r->dict_len - i);
		kd_json_strn(&j, NULL, r->dict + i, n);
		i += n + 1;
	}
	kd_json_end(&j, ']');
	kd_json_end(&j, '}');
	return ferror(o->out) ? 1 : 0;
}

static int print_record(const struct kd_printk_record *r, void *arg)
{
	const struct log_opts *o = arg;
	int indent = 0;

	if (o->wall_time) {
		char date[64];

		kd_clock_format(o->boot + (int64_t)(r->ts_nsec / 1000000000ULL), date, sizeof(date));
		indent += fprintf(o->out, "[%s] ", date);
	} else if (!o->no_time) {
		indent += fprintf(o->out, "[%5llu.%06llu] ",
				  (unsigned long long)(r->ts_nsec / 1000000000ULL),
				  (unsigned long long)(r->ts_nsec % 1000000000ULL / 1000));
	}
	if (o->caller && r->has_caller) {
		char id[16];

		snprintf(id, sizeof(id), "%c%u", r->caller_id & KD_PRINTK_CALLER_CPU ? 'C' : 'T',
			 r->caller_id & ~KD_PRINTK_CALLER_CPU);
		indent += fprintf(o->out, "[%*s] ", o->caller_width, id);
	}
	if (o->level && r->level >= 0)
		indent += fprintf(o->out, "<%x>", r->level);
	put_text(o->out, r->text, r->text_len, indent);
	if (o->dict) {
		for (size_t i = 0; i < r->dict_len;) {
			size_t n = strnlen(r->dict + i, r->dict_len - i);

			fprintf(o->out, "\n%*s", indent, "");
			put_text(o->out, r->dict + i, n, indent);
			i += n + 1;
		}
	}
	fputc('\n', o->out);
	return ferror(o->out) ? 1 : 0;
}

/* crash sizes the caller column for the largest pid: 6 up to 99999. */
static int caller_width(struct kd_kernel *k)
{
	uint32_t pid_max = kd_kernel_pid_max(k);

	return !pid_max ? 8 : pid_max <= 99999 ? 6 : pid_max <= 999999 ? 7 : 8;
}

/* The log as crash prints it (c->json: its records), to out. */
static int print_log(struct kd_cmd *c, FILE *out)
{
	struct log_opts o = { .no_time = c->opt['t'], .wall_time = c->opt['T'], .level = c->opt['m'],
			      .caller = c->opt['c'], .dict = c->opt['d'], .out = out };
	int rc;

	if (o.wall_time) {
		uint64_t up;

		if (kd_clock_crash_time(c->k, &o.boot, c->err) != 0 ||
		    kd_clock_uptime(c->k, &up, c->err) != 0)
			return kd_wrap(c->err, "-T");
		o.boot -= (int64_t)up;
	}
	if (o.caller)
		o.caller_width = caller_width(c->k);
	if (c->json) {
		bool more = false;
		o.json_more = &more;
		fputs("{\"records\":[", out);
		rc = kd_printk_foreach(c->k, json_record, &o, c->err);
		fputs("]}\n", out);
	} else {
		rc = kd_printk_foreach(c->k, print_record, &o, c->err);
	}
	if (rc > 0)
		return kd_fail(c->err, KD_ERR_IO, "write error");
	return rc;
}

/* log -s: the log as log prints it, through kdive decode's decoder with
 * the session's vmlinux and the modules' debug files: each Call Trace
 * frame and RIP with its file:line chain, Code: disassembled. */
static int with_sources(struct kd_cmd *c)
{
	struct kd_decode_opts o = { .release = c->k->release, .sysroot = c->k->sysroot,
				    .no_debuginfod = !c->k->debuginfod };
	kd_decoder *dec = NULL;
	FILE *log, *in = NULL;
	char *text = NULL, **files;
	size_t len = 0, n;
	int rc;

	kd_modules_find_debuginfo(c->k);
	files = kd_modules_debug_files(c->k, &n);
	o.vmlinux = *c->k->vmlinux_path ? c->k->vmlinux_path : NULL;
	o.module_files = (const char *const *)files;
	o.n_module_files = n;
	if (!(log = open_memstream(&text, &len))) {
		rc = kd_oom(c->err);
		goto out;
	}
	rc = print_log(c, log);
	fclose(log);
	if (rc != 0 || !len)
		goto out;
	if (!(in = fmemopen(text, len, "r")))
		rc = kd_fail_errno(c->err, "log -s");
	else if (!(dec = kd_decoder_new(&o, c->err)))
		rc = -1;
	else
		rc = kd_decoder_run(dec, in, c->out, c->diag, c->err);
out:
	kd_decoder_free(dec);
	if (in)
		fclose(in);
	free(text);
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
	return rc;
}

static int run_log(struct kd_cmd *c)
{
	if (c->argc)
		return kd_cmd_usage(c, "unexpected argument %s", c->argv[0]);
	if (c->opt['s'] && c->json)
		return kd_cmd_usage(c, "-s has no JSON form: kdive decode --json reads a log");
	return c->opt['s'] ? with_sources(c) : print_log(c, c->out);
}

const struct kd_command kd_cmd_log = {
	.name = "log",
	.options = "tTmcds",
	.flags = KD_CMD_JSON,
	.usage = "log [-tTmcd] [-s]",
	.summary = "the kernel log (printk buffer) of the dump",
	.help = "  Prints the kernel's message buffer oldest first, as crash does:\n"
		"  \"[seconds.micros] text\", lines after a record's first indented.\n"
		"    -t  no timestamps\n"
		"    -T  wall-clock timestamps (boot time + printk time; printk's clock\n"
		"        drifts from wall time, so treat them as approximate)\n"
		"    -m  the message level, <N>, before each message\n"
		"    -c  the caller: [Tpid] or [Ccpu]\n"
		"    -d  dev_printk()'s SUBSYSTEM= and DEVICE= under the message\n"
		"    -s  each Call Trace frame and RIP with its file:line (inlined calls\n"
		"        too) and Code: disassembled, as kdive decode does, from the\n"
		"        session's vmlinux and module debug files\n",
	.run = run_log,
};
