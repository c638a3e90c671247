/* crash's scrolling: at the prompt, a command's output longer than the
 * terminal goes through $PAGER (less by default) with "-- MORE --"; a
 * shorter one is printed as it is. */
#ifndef KD_CLI_PAGER_H
#define KD_CLI_PAGER_H

#include <stdbool.h>
#include <stdio.h>

struct pager;

/* A stream for one command's output that starts the pager once the
 * output has more lines than the terminal; NULL when stdout is not a
 * terminal (then print to stdout). */
FILE *pager_open(struct pager **p);

/* Ends the command's output: the pager is waited for, or the output
 * printed. True when the user quit the pager before the end (the
 * command was stopped on purpose, not interrupted). A pager that cannot
 * start is one line, and the output is printed directly. */
bool pager_close(FILE *out, struct pager *p);

#endif
