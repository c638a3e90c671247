/* The kdump service's configuration, as the distributions write it:
 * Debian/Ubuntu's kdump-tools (/etc/default/kdump-tools: shell
 * assignments) and RHEL/Fedora's kdump (/etc/kdump.conf: "key value"
 * lines). Only what decides where a dump goes and how big it is. */
#ifndef KD_KDUMP_CONFIG_H
#define KD_KDUMP_CONFIG_H

#include <stdbool.h>

struct kd_kdump_config {
	char service[32];      /* "kdump-tools", "kdump", or "" (none installed) */
	char file[64];         /* the file read */
	int enabled;           /* USE_KDUMP: 1, 0, -1 not said (RHEL: by systemd) */
	char dir[1024];        /* KDUMP_COREDIR / path (RHEL's below its target) */
	char collector[512];   /* MAKEDUMP_ARGS / core_collector, as written */
	char target[256];      /* RHEL: "nfs host:/x", "ssh user@host", "ext4 /dev/..."; "" local */
	int dump_level;        /* makedumpfile's -d, -1 when not makedumpfile */
	bool compressed;       /* -c, -l, -p or -z */
	bool makedumpfile;     /* the collector is makedumpfile */
};

/* Reads the first of the two files that exists; defaults (/var/crash,
 * level 31 compressed: both services' own) where a file says nothing.
 * Returns false when neither exists (defaults set). */
bool kd_kdump_config_read(struct kd_kdump_config *c);

#endif
