#include <string.h>

#include "commands/command.h"

extern const struct kd_command kd_cmd_sys;
extern const struct kd_command kd_cmd_bt;
extern const struct kd_command kd_cmd_log;
extern const struct kd_command kd_cmd_ps;
extern const struct kd_command kd_cmd_mod;
extern const struct kd_command kd_cmd_sym;
extern const struct kd_command kd_cmd_dis;
extern const struct kd_command kd_cmd_rd;
extern const struct kd_command kd_cmd_vtop;
extern const struct kd_command kd_cmd_ptov;
extern const struct kd_command kd_cmd_p;
extern const struct kd_command kd_cmd_struct;
extern const struct kd_command kd_cmd_union;
extern const struct kd_command kd_cmd_whatis;
extern const struct kd_command kd_cmd_ptype;
extern const struct kd_command kd_cmd_task;
extern const struct kd_command kd_cmd_files;
extern const struct kd_command kd_cmd_foreach;
extern const struct kd_command kd_cmd_list;
extern const struct kd_command kd_cmd_kmem;
extern const struct kd_command kd_cmd_runq;
extern const struct kd_command kd_cmd_l;
extern const struct kd_command kd_cmd_gdb;
extern const struct kd_command kd_cmd_set;
extern const struct kd_command kd_cmd_alias;
extern const struct kd_command kd_cmd_eval;
extern const struct kd_command kd_cmd_repeat;
extern const struct kd_command kd_cmd_tree;
extern const struct kd_command kd_cmd_triage;
extern const struct kd_command kd_cmd_help;

/* One line per command; `help` lists them in this order. */
const struct kd_command *const kd_commands[] = {
	&kd_cmd_sys,
	&kd_cmd_bt,
	&kd_cmd_log,
	&kd_cmd_ps,
	&kd_cmd_mod,
	&kd_cmd_sym,
	&kd_cmd_dis,
	&kd_cmd_l,
	&kd_cmd_gdb,
	&kd_cmd_rd,
	&kd_cmd_kmem,
	&kd_cmd_vtop,
	&kd_cmd_ptov,
	&kd_cmd_p,
	&kd_cmd_struct,
	&kd_cmd_union,
	&kd_cmd_whatis,
	&kd_cmd_ptype,
	&kd_cmd_task,
	&kd_cmd_files,
	&kd_cmd_foreach,
	&kd_cmd_runq,
	&kd_cmd_list,
	&kd_cmd_tree,
	&kd_cmd_set,
	&kd_cmd_alias,
	&kd_cmd_eval,
	&kd_cmd_repeat,
	&kd_cmd_triage,
	&kd_cmd_help,
	NULL,
};

const struct kd_command *kd_line_command(const char *line)
{
	char name[64] = "";

	sscanf(line, " %63[^ \t/]", name);
	return kd_command_find(name);
}

const struct kd_command *kd_command_find(const char *name)
{
	for (size_t i = 0; kd_commands[i]; i++)
		if (strcmp(kd_commands[i]->name, name) == 0)
			return kd_commands[i];
	return NULL;
}
