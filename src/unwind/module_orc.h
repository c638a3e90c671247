/* A loaded module's ORC table, from its .ko when its debug file is known
 * (the table as built, relocated here against the module's in-memory
 * symbols), else from the copy the module loader left in memory. Both give
 * the same table; the .ko still works when the dump lacks those pages. */
#ifndef KD_UNWIND_MODULE_ORC_H
#define KD_UNWIND_MODULE_ORC_H

#include "kernel/modules.h"
#include "unwind/orc.h"

/* Fills t, whose arrays live in *buf (caller frees). 0, or -1 with err. */
int kd_module_orc_from_memory(struct kd_kernel *k, const struct kd_module *m,
			      struct kd_orc_table *t, unsigned char **buf, kd_err *err);
int kd_module_orc_from_ko(struct kd_kernel *k, struct kd_module *m, const char *path,
			  struct kd_orc_table *t, unsigned char **buf, kd_err *err);

#endif
