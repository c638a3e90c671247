/* CLI subcommands, one file each, like git's builtins. */
#ifndef KD_CLI_COMMANDS_H
#define KD_CLI_COMMANDS_H

/* --sysroot given before the subcommand, or NULL. */
extern const char *cli_sysroot;

int cmd_decode(int argc, char **argv);
int cmd_session(int argc, char **argv);
int cmd_triage(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_kdump(int argc, char **argv);
int cmd_ustack(int argc, char **argv);

#endif
