/* Internal to src/oops: a cursor over one console line. Every read is
 * checked against len (lines are not NUL-terminated and may contain NULs),
 * and parsers work on a copy that they commit only on success, so a failed
 * attempt never consumes anything. */
#ifndef KD_OOPS_LEX_H
#define KD_OOPS_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kd_cur {
	const char *s;
	size_t len;
	size_t i;                    /* always <= len */
};

/* The byte k places ahead, or -1 past the end. */
static inline int kd_peek(const struct kd_cur *c, size_t k)
{
	return k < c->len - c->i ? (unsigned char)c->s[c->i + k] : -1;
}

static inline bool kd_is_digit(int ch) { return ch >= '0' && ch <= '9'; }
static inline bool kd_is_lower(int ch) { return ch >= 'a' && ch <= 'z'; }
static inline bool kd_is_upper(int ch) { return ch >= 'A' && ch <= 'Z'; }
static inline bool kd_is_space(int ch) { return ch == ' ' || ch == '\t'; }

static inline bool kd_is_alnum(int ch)
{
	return kd_is_digit(ch) || kd_is_lower(ch) || kd_is_upper(ch);
}

static inline bool kd_is_hex(int ch)
{
	return kd_is_digit(ch) || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/* Bytes of a symbol as kallsyms prints it: ".cold", ".isra.0", ppc64
 * ".func", ARM "$x" mapping symbols, Rust "_RNv..." all stay verbatim. */
static inline bool kd_is_symch(int ch)
{
	return kd_is_alnum(ch) || ch == '_' || ch == '.' || ch == '$';
}

static inline size_t kd_skip_spaces(struct kd_cur *c)
{
	size_t n = 0;

	while (kd_is_space(kd_peek(c, n)))
		n++;
	c->i += n;
	return n;
}

/* Consumes ch if it is next. */
static inline bool kd_eat_ch(struct kd_cur *c, int ch)
{
	if (kd_peek(c, 0) != ch)
		return false;
	c->i++;
	return true;
}

/* Consumes the literal if the line continues with it. */
static inline bool kd_eat(struct kd_cur *c, const char *lit)
{
	size_t n = 0;

	for (; lit[n]; n++)
		if (kd_peek(c, n) != (unsigned char)lit[n])
			return false;
	c->i += n;
	return true;
}

/* Length of the run of digits (hex or decimal) starting k bytes ahead. */
static inline size_t kd_digits(const struct kd_cur *c, size_t k, bool hex)
{
	size_t n = 0;

	while (hex ? kd_is_hex(kd_peek(c, k + n)) : kd_is_digit(kd_peek(c, k + n)))
		n++;
	return n;
}

/* One or more hex digits; refuses (consuming nothing) a value that does not
 * fit in 64 bits, so an absurd offset is text rather than a wrong frame. */
static inline bool kd_hex(struct kd_cur *c, uint64_t *v)
{
	size_t n = kd_digits(c, 0, true);
	uint64_t x = 0;

	if (n == 0)
		return false;
	for (size_t k = 0; k < n; k++) {
		int ch = kd_peek(c, k);

		if (x >> 60)
			return false;
		x = x << 4 | (uint64_t)(kd_is_digit(ch) ? ch - '0' : (ch | 0x20) - 'a' + 10);
	}
	c->i += n;
	*v = x;
	return true;
}

#endif
