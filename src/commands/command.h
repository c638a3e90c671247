/* Session commands, one file each, with crash's names, options and output
 * layout so habits and scripts carry over. The runner (session.c) splits
 * the line, parses the options the command declares, provides what its
 * flags ask for, runs it, and puts "NAME: " before its error. A command
 * parses its operands, asks the kernel model (kernel/, unwind/) and
 * prints; it writes results to `out` and warnings to `diag`, and fails
 * with -1 and err (one line), after which the session goes on. */
#ifndef KD_COMMANDS_COMMAND_H
#define KD_COMMANDS_COMMAND_H

#include <stdbool.h>
#include <stdio.h>

#include "kdive/kdive.h"
#include "kernel/kernel.h"
#include "kernel/types.h"

struct kd_unwinder;

struct kd_session {
	struct kd_kernel *k;
	FILE *diag;
	struct kd_unwinder *unwinder; /* built on first use, shared by every command */
	int values;                   /* gdb's value history: the last $N printed */
	char list_file[1024];         /* `l` without an argument goes on from here */
	int list_next;
	bool json;                    /* every command --json (kdive --json) */
	uint64_t context;             /* `set PID`: the task commands default to (0: the panic task) */
	struct kd_alias *aliases;     /* `alias` (alias.c) */
	size_t n_aliases;
	bool scroll;                  /* `set scroll`: the front end pages long output */
	int radix;                    /* `set radix`: 16 prints p's and struct's integers in hex */
	int depth;                    /* kd_session_exec calls running (repeat's are nested) */
};

/* line with a leading alias replaced by its command (again while it
 * names one), in *out (malloc'd); -1 on a loop. */
int kd_alias_expand(struct kd_session *s, const char *line, char **out, kd_err *err);
void kd_aliases_free(struct kd_session *s);
/* cb for each alias whose name starts with prefix (Tab). */
void kd_alias_names(struct kd_session *s, const char *prefix, void (*cb)(const char *name, void *arg),
		    void *arg);

/* What a command needs before it runs (kd_command.flags). */
enum {
	KD_CMD_UNWINDER = 1 << 0,   /* cmd->u: the session's unwinder */
	KD_CMD_MODULE_DEBUG = 1 << 1, /* module debug info searched for first (frames' lines) */
	KD_CMD_RAW_ARGS = 1 << 2,   /* no option parsing: argv holds every word after the name */
	KD_CMD_JSON = 1 << 3,       /* takes --json (c->json): docs/json.md */
	KD_CMD_STREAMS = 1 << 4,    /* runs until Ctrl-C: its output is never paged */
};

/* One run of a command. */
struct kd_cmd {
	struct kd_session *s;
	struct kd_kernel *k;
	struct kd_unwinder *u;        /* with KD_CMD_UNWINDER */
	const struct kd_command *def;
	FILE *out, *diag;
	kd_err *err;
	/* Options from def->options: how often each was given, and its last
	 * argument. */
	unsigned char opt[128];
	const char *optarg[128];
	/* The operands: the words after the options. */
	int argc;
	char **argv;
	bool json;                    /* --json: one JSON document on out */
	bool json_more;               /* the command's JSON array has an element already */
};

/* What a command's operands are, for Tab at the prompt (complete.c). */
enum {
	KD_COMPLETE_SYMBOL = 1 << 0,  /* kernel symbols; VARIABLE.member */
	KD_COMPLETE_STRUCT = 1 << 1,  /* struct names; NAME.member */
	KD_COMPLETE_UNION = 1 << 2,   /* union names; NAME.member */
	KD_COMPLETE_TYPEDEF = 1 << 3, /* typedef names */
	KD_COMPLETE_TASK = 1 << 4,    /* PIDs */
	KD_COMPLETE_COMMAND = 1 << 5, /* command names */
	KD_COMPLETE_TYPE_FIRST = 1 << 6, /* types for the first operand only, then symbols */
};
#define KD_COMPLETE_TYPE (KD_COMPLETE_STRUCT | KD_COMPLETE_UNION | KD_COMPLETE_TYPEDEF)

struct kd_command {
	const char *name;
	const char *options;  /* getopt letters: "aflsx", "s:S" */
	unsigned flags;       /* KD_CMD_* */
	unsigned complete;    /* KD_COMPLETE_*: what Tab offers after the name */
	const char *const *words; /* and for the first operand only (set's settings);
				   * after it, file names */
	const char *usage;    /* "bt [-a] [-l] [PID | TASK]..." */
	const char *summary;  /* one line for `help` */
	const char *help;     /* the rest of `help NAME` */
	int (*run)(struct kd_cmd *c);
};

/* NULL-terminated, in `help` order. */
extern const struct kd_command *const kd_commands[];

const struct kd_command *kd_command_find(const char *name);

/* The command a line (aliases expanded) runs: its first word's, p/x's
 * p; NULL when it names none. */
const struct kd_command *kd_line_command(const char *line);

/* Runs another command (argv[0] its name) with c's streams: how foreach
 * hands its tasks to bt, files, task or ps. Errors are the command's own,
 * without its name. */
int kd_cmd_run(struct kd_cmd *c, int argc, char **argv);

/* A warning on the diagnostics stream: "kdive: NAME: ...". */
void kd_cmd_warn(struct kd_cmd *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The operands from argv[from] on, joined by blanks into buf (a command
 * whose operand may hold blanks: an expression, a command line); a usage
 * error when they do not fit. */
int kd_cmd_join(struct kd_cmd *c, int from, char *buf, size_t len);

/* Integers in hex: -x, or `set radix 16` without -d (p, struct, union). */
bool kd_cmd_hex(const struct kd_cmd *c);

/* A usage error: the message, then "(usage: ...)"; returns -1. */
int kd_cmd_usage(struct kd_cmd *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* crash's task header: PID, TASK, CPU, COMMAND, indented by indent. */
struct kd_task;
void kd_print_task_header(FILE *out, const struct kd_task *t, int indent);

/* An address argument as crash takes one: a symbol (vmlinux's or a
 * module's: *symbol set), hex digits, or a C expression: the object's
 * address when it names a variable, else its value. */
int kd_cmd_address(struct kd_cmd *c, const char *arg, uint64_t *addr, bool *symbol);

/* Lines first..last of a source file as DWARF names it (gdb's "LINE\tTEXT";
 * with mark > 0, crash's dis -s: "* LINE  TEXT" on that line; with j,
 * {"line": N, "text": ...} objects into j's open array). Returns the last
 * line printed, or -1 with err naming where the file was looked for. */
struct kd_json;
int kd_cmd_print_source(struct kd_cmd *c, struct kd_json *j, const char *file, int first, int last,
			int mark);

/* crash's struct page line for the page holding paddr, after a blank
 * line and the PAGE PHYSICAL MAPPING INDEX CNT FLAGS header (vtop, kmem);
 * nothing when the page has no struct page in the dump. */
void kd_cmd_print_page(struct kd_cmd *c, uint64_t paddr);

/* --json pieces several commands share (docs/json.md). */
/* kd_cmd_print_page's struct page as an object under key ("page",
 * "physical", "mapping", "index", "cnt", "flags", "flag_names"); null
 * when the dump has no struct page for it. */
void kd_cmd_json_page(struct kd_cmd *c, struct kd_json *j, const char *key, uint64_t paddr);
/* The words of s between seps ("slab reserved", "PRESENT|RW") as an array. */
void kd_cmd_json_words(struct kd_json *j, const char *key, const char *s, char sep);
/* {"KEY": [ when key is given, else the ]} that closes it, around the
 * elements a command writes with j; nothing without --json. */
void kd_cmd_json_list(struct kd_cmd *c, struct kd_json *j, const char *key);

/* "struct NAME {...}" as crash prints an object: label, the value, a
 * newline (also after a value that could not be read in full). */
struct kd_print_opts;
int kd_cmd_print_object(struct kd_cmd *c, const char *label, kd_type type, uint64_t addr,
			const struct kd_print_opts *o, kd_err *err);

/* --json: v written under key (kd_value_json; members: only those, as
 * kd_value_json_members), then "error": null, or, when the dump does not
 * hold the value, null in its place and "error" saying why. Fails (the
 * command's document unfinished) on any other failure. */
struct kd_value;
int kd_cmd_json_value(struct kd_cmd *c, struct kd_json *j, const char *key,
		      const struct kd_value *v, const char *members, kd_err *err);

/* A writer for the next element of the array in a command's
 * {"KEY": [...]} document, whose brackets the command prints itself:
 * one element per call (a task of bt's or task's), commas between. */
void kd_cmd_json_element(struct kd_cmd *c, struct kd_json *j);

/* The next element of {"tasks": [...]} (bt's, task's) opened with the
 * task's pid, task, cpu and comm as ps names them (pid -1 and comm null
 * when its task_struct is not in the dump); the caller adds its own and
 * closes the object. */
void kd_cmd_json_task(struct kd_cmd *c, struct kd_json *j, const struct kd_task *t);

/* Fails with "no line information for ADDR" and why (kernel/symbols.h). */
int kd_cmd_no_lines(struct kd_cmd *c, uint64_t addr);

/* crash's CPU list: "1", "a" (all), "0,2-3" -> cpus[0 .. nr_cpus). */
int kd_cmd_cpu_list(struct kd_cmd *c, const char *spec, bool *cpus);

/* crash's rule for a task argument: decimal is a PID, anything else a
 * task_struct address in hex. */
int kd_cmd_task_arg(struct kd_kernel *k, const char *arg, struct kd_task *t, kd_err *err);

/* The task commands act on when none is named: the one `set PID` chose,
 * else the panic task. */
int kd_cmd_context(struct kd_cmd *c, struct kd_task *t, int *cpu);

/* Runs fn for each task the operands name (PID | TASK), or for the
 * context task (kd_cmd_context) when there are none; index counts the tasks shown, for separators.
 * A task that fails does not stop the others; the last error is returned. */
typedef int (*kd_cmd_task_fn)(struct kd_cmd *c, const struct kd_task *t, int index, kd_err *err);
int kd_cmd_each_task(struct kd_cmd *c, kd_cmd_task_fn fn);

#endif
