/* The dressing that loggers put before the printk text: "<4>", dmesg -x
 * "kern  :warn  : ", syslog/journal "Mon DD HH:MM:SS host kernel: " or
 * RFC 3339 times, "[ 123.456789]", "[ 2023-12-19 11:34:15 ]", caller ids
 * "[T123]"/"[  C1]", in any combination. Each piece takes one following
 * space with it, so the body keeps the message's own indentation. */
#include <string.h>

#include "oops/lex.h"
#include "oops/oops.h"

/* "<4>": a printk level, or a syslog priority as in /dev/kmsg dumps. */
static bool eat_level(struct kd_cur *c)
{
	size_t n = kd_digits(c, 1, false);

	if (kd_peek(c, 0) != '<' || n == 0 || n > 3 || kd_peek(c, n + 1) != '>')
		return false;
	c->i += n + 2;
	return true;
}

static bool word_in(const struct kd_cur *c, size_t n, const char *const *words)
{
	for (; *words; words++)
		if (strlen(*words) == n && memcmp(c->s + c->i, *words, n) == 0)
			return true;
	return false;
}

/* dmesg -x: "kern  :warn  : ", "user  :notice: ", "local3:info  : ". */
static bool eat_facility(struct kd_cur *c)
{
	static const char *const facilities[] = {
		"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp",
		"cron", "authpriv", "ftp", "local0", "local1", "local2", "local3", "local4",
		"local5", "local6", "local7", NULL
	};
	static const char *const levels[] = {
		"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug", NULL
	};
	const char *const *lists[] = { facilities, levels };
	struct kd_cur t = *c;

	for (size_t k = 0; k < 2; k++) {
		size_t n = 0;

		while (n <= 8 && (kd_is_lower(kd_peek(&t, n)) || kd_is_digit(kd_peek(&t, n))))
			n++;
		if (!word_in(&t, n, lists[k]))
			return false;
		t.i += n;
		kd_skip_spaces(&t);
		if (!kd_eat_ch(&t, ':'))
			return false;
	}
	kd_eat_ch(&t, ' ');
	*c = t;
	return true;
}

/* "dd:dd:dd" k bytes ahead. */
static bool is_hms(const struct kd_cur *c, size_t k)
{
	for (size_t j = 0; j < 8; j++) {
		int ch = kd_peek(c, k + j);

		if (j % 3 == 2 ? ch != ':' : !kd_is_digit(ch))
			return false;
	}
	return true;
}

/* "HH:MM:SS" with an optional ".123456" or ",123456". */
static bool eat_hms(struct kd_cur *c)
{
	if (!is_hms(c, 0))
		return false;
	c->i += 8;
	if ((kd_peek(c, 0) == '.' || kd_peek(c, 0) == ',') && kd_is_digit(kd_peek(c, 1)))
		c->i += 1 + kd_digits(c, 1, false);
	return true;
}

/* "Oct 11 10:57:36" (syslog, journalctl). */
static bool eat_syslog_time(struct kd_cur *c)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct kd_cur t = *c;
	size_t n;

	if (kd_peek(&t, 0) < 0 || kd_peek(&t, 1) < 0 || kd_peek(&t, 2) < 0)
		return false;
	for (n = 0; n < 36; n += 3)
		if (memcmp(t.s + t.i, months + n, 3) == 0)
			break;
	if (n == 36)
		return false;
	t.i += 3;
	if (!kd_skip_spaces(&t))
		return false;
	n = kd_digits(&t, 0, false);
	if (n == 0 || n > 2)
		return false;
	t.i += n;
	if (!kd_eat_ch(&t, ' ') || !eat_hms(&t))
		return false;
	*c = t;
	return true;
}

/* "2023-12-19T11:34:15.123456+01:00" (rsyslog, dmesg --time-format iso). */
static bool eat_iso_time(struct kd_cur *c)
{
	struct kd_cur t = *c;

	if (kd_digits(&t, 0, false) != 4 || kd_peek(&t, 4) != '-' ||
	    kd_digits(&t, 5, false) != 2 || kd_peek(&t, 7) != '-' ||
	    kd_digits(&t, 8, false) != 2 || kd_peek(&t, 10) != 'T')
		return false;
	t.i += 11;
	if (!eat_hms(&t))
		return false;
	if (!kd_eat_ch(&t, 'Z') && (kd_peek(&t, 0) == '+' || kd_peek(&t, 0) == '-')) {
		/* "+01:00", "+0100" or "+01" */
		size_t n = kd_digits(&t, 1, false);

		if (n == 2 && kd_peek(&t, 3) == ':' && kd_digits(&t, 4, false) == 2)
			t.i += 6;
		else if (n == 2 || n == 4)
			t.i += 1 + n;
	}
	*c = t;
	return true;
}

/* " host kernel: " after a syslog time. */
static bool eat_host_kernel(struct kd_cur *c)
{
	struct kd_cur t = *c;
	size_t n = 0;

	if (!kd_skip_spaces(&t))
		return false;
	while (kd_peek(&t, n) > ' ')
		n++;
	t.i += n;
	if (n == 0 || !kd_skip_spaces(&t) || !kd_eat(&t, "kernel:"))
		return false;
	kd_eat_ch(&t, ' ');
	*c = t;
	return true;
}

/* A syslog line's time and tag; an RFC 3339 time may also stand alone. */
static bool eat_clock(struct kd_cur *c)
{
	struct kd_cur t = *c;

	if (eat_syslog_time(&t)) {
		if (!eat_host_kernel(&t))
			return false;
	} else if (eat_iso_time(&t)) {
		if (!eat_host_kernel(&t) && !kd_eat_ch(&t, ' '))
			return false;
	} else {
		return false;
	}
	*c = t;
	return true;
}

/* "[ 123.456789]", "[    T1]", "[  C1]", "[ 2023-12-19 11:34:15 ]",
 * "[Tue Dec 19 11:34:15 2023]" (dmesg -T). */
static bool eat_bracket(struct kd_cur *c)
{
	struct kd_cur t = *c;
	size_t n, k;
	bool hms = false;

	if (!kd_eat_ch(&t, '['))
		return false;
	k = kd_skip_spaces(&t);
	n = kd_digits(&t, 0, false);
	if (n && kd_peek(&t, n) == '.' && kd_digits(&t, n + 1, false)) {
		t.i += n + 1 + kd_digits(&t, n + 1, false);
	} else if ((kd_peek(&t, 0) == 'T' || kd_peek(&t, 0) == 'C') && kd_digits(&t, 1, false)) {
		t.i += 1 + kd_digits(&t, 1, false);
	} else {
		/* A wall-clock time: short, plain characters, has HH:MM:SS. */
		t.i -= k;
		for (n = 0; n < 64; n++) {
			int ch = kd_peek(&t, n);

			if (!(kd_is_alnum(ch) || ch == ' ' || ch == ':' || ch == '-' ||
			      ch == '.' || ch == ',' || ch == '+' || ch == '/'))
				break;
			hms = hms || is_hms(&t, n);
		}
		if (!hms)
			return false;
		t.i += n;
	}
	if (!kd_eat_ch(&t, ']'))
		return false;
	kd_eat_ch(&t, ' ');
	*c = t;
	return true;
}

size_t kd_oops_prefix_len(const char *line, size_t len)
{
	struct kd_cur c = { line, len, 0 };

	while (eat_level(&c) || eat_facility(&c) || eat_clock(&c) || eat_bracket(&c))
		;
	return c.i;
}
