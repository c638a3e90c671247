#include "symbols/kernel_id.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const char *find(const char *s, size_t len, const char *needle)
{
	return memmem(s, len, needle, strlen(needle));
}

static size_t word(const char *s, const char *end, char *out, size_t cap)
{
	size_t n = 0;

	while (s + n < end && !isspace((unsigned char)s[n]))
		n++;
	if (cap) {
		size_t c = n < cap - 1 ? n : cap - 1;
		memcpy(out, s, c);
		out[c] = '\0';
	}
	return n;
}

static const char *skip_blanks(const char *p, const char *end)
{
	while (p < end && *p == ' ')
		p++;
	return p;
}

bool kd_kernel_id_from_cpu_line(const char *s, size_t len, struct kd_kernel_id *id)
{
	const char *end = s + len, *p;

	if (len < 5 || memcmp(s, "CPU:", 4) != 0 || !find(s, len, " Comm: "))
		return false;
	memset(id, 0, sizeof(*id));
	if ((p = find(s, len, "Not tainted "))) {
		p += strlen("Not tainted ");
	} else if ((p = find(s, len, "Tainted: "))) {
		/* Taint flags are single letters padded with blanks. */
		p += strlen("Tainted: ");
		while (p + 1 < end && (isupper((unsigned char)*p) || *p == ' ') &&
		       (p[1] == ' ' || isupper((unsigned char)p[1])))
			p++;
		if (p < end && isupper((unsigned char)*p) && (p + 1 == end || p[1] == ' '))
			p++;
	} else {
		return false;
	}
	p = skip_blanks(p, end);
	p += word(p, end, id->release, sizeof(id->release));
	p = skip_blanks(p, end);
	if (p < end && *p == '#') {
		p += word(p, end, id->version, sizeof(id->version));
		/* CONFIG_STACKTRACE_BUILD_ID appends the build-id as the last word. */
		const char *last = end;
		while (last > p && isspace((unsigned char)last[-1]))
			last--;
		const char *w = last;
		while (w > p && isxdigit((unsigned char)w[-1]))
			w--;
		if (last - w == 40 && (w == p || w[-1] == ' '))
			word(w, last, id->build_id, sizeof(id->build_id));
	}
	return id->release[0] != '\0';
}

bool kd_kernel_id_from_banner(const char *banner, struct kd_kernel_id *id)
{
	const char *p = strstr(banner, "Linux version ");
	const char *end = banner + strlen(banner), *hash;

	memset(id, 0, sizeof(*id));
	if (!p)
		return false;
	p += strlen("Linux version ");
	p += word(p, end, id->release, sizeof(id->release));
	/* The version follows the compiler's parenthesized blurbs. */
	hash = strstr(p, ") #");
	if (hash)
		word(hash + 2, end, id->version, sizeof(id->version));
	return id->release[0] != '\0';
}

bool kd_kernel_id_differs(const struct kd_kernel_id *log, const struct kd_kernel_id *bin,
			  char *why, size_t len)
{
	if (log->release[0] && bin->release[0] && strcmp(log->release, bin->release) != 0) {
		snprintf(why, len, "the log is from kernel %s, the vmlinux is %s", log->release,
			 bin->release);
		return true;
	}
	if (log->version[0] && bin->version[0] && strcmp(log->version, bin->version) != 0) {
		snprintf(why, len, "the log is from build %s %s, the vmlinux is build %s %s",
			 log->release, log->version, bin->release, bin->version);
		return true;
	}
	if (log->build_id[0] && bin->build_id[0] && strcmp(log->build_id, bin->build_id) != 0) {
		snprintf(why, len, "the log's build-id is %s, the vmlinux's is %s", log->build_id,
			 bin->build_id);
		return true;
	}
	return false;
}
