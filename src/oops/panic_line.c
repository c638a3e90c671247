/* The line of a kernel log that says why it panicked, by crash's rule. */
#include <ctype.h>
#include <string.h>

#include "oops/oops.h"

/* crash's panic_msg[]: the most telling kind of message first. */
static const char *const panic_kinds[] = {
	"SysRq : Crash",
	"SysRq : Trigger a crash",
	"SysRq : Netdump",
	"Kernel panic: ",
	"Kernel panic - ",
	"Kernel BUG at",
	"kernel BUG at",
	"Unable to handle kernel paging request",
	"Unable to handle kernel NULL pointer dereference",
	"BUG: unable to handle kernel ",
	"general protection fault: ",
	"double fault: ",
	"divide error: ",
	"stack segment: ",
	"[Hardware Error]: ",
	"Bad mode in ",
	"Oops: ",
};
#define N_KINDS (sizeof(panic_kinds) / sizeof(panic_kinds[0]))

void kd_panic_line_init(struct kd_panic_line *m)
{
	m->kind = N_KINDS;
	m->text[0] = '\0';
}

bool kd_panic_line_scan(struct kd_panic_line *m, const char *line, size_t len)
{
	for (size_t i = 0; i < m->kind; i++) {
		if (!memmem(line, len, panic_kinds[i], strlen(panic_kinds[i])))
			continue;
		m->kind = i;
		if (len >= sizeof(m->text))
			len = sizeof(m->text) - 1;
		for (size_t j = 0; j < len; j++)
			m->text[j] = isprint((unsigned char)line[j]) ? line[j] : '.';
		m->text[len] = '\0';
		return true;
	}
	return false;
}
