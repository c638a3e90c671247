/* Probe points and their arguments from DWARF, as perf probe finds them:
 * a function's entry (every inlined instance too), FUNC+OFF on an
 * instruction boundary, FUNC%return, a line relative to the function or
 * of a source file, the lines matching a ;PTN pattern; each argument (variables by name with member chains,
 * $params, $vars, $retval, $comm, %REG, @SYM) turned into a kprobe
 * fetch argument from its DWARF location at the probe's address. */
#ifndef KD_PROBE_LOCATE_H
#define KD_PROBE_LOCATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "probe/spec.h"

struct kd_symfile;
struct kd_sources;

/* One probe for kprobe_events: "p:GROUP/EVENT POINT ARGS". */
struct kd_probe_def {
	char group[64], event[64];
	char point[256];     /* "do_sys_openat2+0", "kdive_lab:kdive_lab_poke+4" */
	bool ret;            /* r: instead of p: */
	char args[4096];     /* " name=fetch:type ..." */
	uint64_t addr;       /* file address of the probe */
	char func[128];      /* the (inlined) function it is in */
	char where[512];     /* "fs/open.c:1306", for listings */
	bool added;          /* in kprobe_events: a failed batch removes it again */
};

struct kd_probe_debug;

/* The debug file probes are resolved in: vmlinux (module NULL) or a
 * module's .ko; cache_dir keeps its DWARF name index; diag hears about
 * function copies left out. */
struct kd_probe_debug *kd_probe_debug_new(struct kd_symfile *sf, const char *module,
					  const char *cache_dir, FILE *diag, kd_err *err);
void kd_probe_debug_free(struct kd_probe_debug *d);

/* Every probe spec asks for (one per function instance; a ;PTN pattern,
 * matched against the source src finds, one per matching line-table
 * row); *defs is malloc'ed. */
int kd_probe_resolve(struct kd_probe_debug *d, const struct kd_probe_spec *spec, bool no_inlines,
		     struct kd_sources *src, struct kd_probe_def **defs, size_t *n, kd_err *err);

/* perf probe -V: the variables at each probe point, with their types. */
int kd_probe_vars(struct kd_probe_debug *d, const struct kd_probe_spec *spec, bool no_inlines,
		  struct kd_sources *src, FILE *out, kd_err *err);

/* perf probe -L: the function's lines, numbered from its first line where
 * a probe can go, with the source text when src finds the file. */
int kd_probe_lines(struct kd_probe_debug *d, const struct kd_probe_spec *spec,
		   struct kd_sources *src, FILE *out, kd_err *err);

/* The same fetch argument without debug info: %REG, $retval, $comm,
 * @SYM[+OFF], with the type given. */
int kd_probe_plain_arg(const struct kd_probe_arg *a, bool ret, char *buf, size_t len, kd_err *err);

#endif
