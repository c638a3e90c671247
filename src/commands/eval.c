/* eval: crash's calculator. An integer expression with C's operators
 * (+ - * / % << >> & | ^ ~, parentheses), numbers in hex (0x), octal
 * (0o or a leading 0), binary (0b) or decimal, each with an optional
 * k, m or g (KiB, MiB, GiB) suffix; the value in hex (with its size when
 * it is a round one), decimal, octal and binary, crash's layout. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "commands/command.h"

struct calc {
	const char *p;
	kd_err *err;
	int depth;
};

static int expr(struct calc *c, int prec, uint64_t *v);

static void blanks(struct calc *c)
{
	while (isspace((unsigned char)*c->p))
		c->p++;
}

static int number(struct calc *c, uint64_t *v)
{
	const char *s = c->p;
	int base = 10;
	char *end;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
		base = 2, s += 2;
	else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
		base = 8, s += 2;
	else if (s[0] == '0' && isdigit((unsigned char)s[1]))
		base = 8, s += 1;
	if (!isxdigit((unsigned char)*s))
		return kd_fail(c->err, KD_ERR_INVALID, "a number is needed at \"%s\"", c->p);
	*v = strtoull(s, &end, base);
	switch (*end) {
	case 'k': case 'K': *v <<= 10; end++; break;
	case 'm': case 'M': *v <<= 20; end++; break;
	case 'g': case 'G': *v <<= 30; end++; break;
	}
	if (isalnum((unsigned char)*end))
		return kd_fail(c->err, KD_ERR_INVALID, "not a number: \"%.*s\"", (int)strcspn(c->p, " \t()"),
			       c->p);
	c->p = end;
	return 0;
}

static int unary(struct calc *c, uint64_t *v)
{
	blanks(c);
	if (++c->depth > 200)
		return kd_fail(c->err, KD_ERR_INVALID, "the expression nests too deep");
	int rc;
	char op = *c->p;
	if (op == '-' || op == '~' || op == '+') {
		c->p++;
		rc = unary(c, v);
		if (rc == 0)
			*v = op == '-' ? (uint64_t)0 - *v : op == '~' ? ~*v : *v;
	} else if (op == '(') {
		c->p++;
		rc = expr(c, 0, v);
		blanks(c);
		if (rc == 0 && *c->p++ != ')')
			rc = kd_fail(c->err, KD_ERR_INVALID, "a ')' is missing");
	} else {
		rc = number(c, v);
	}
	c->depth--;
	return rc;
}

/* The binary operator at p: its precedence (C's order), length, or 0. */
static int binop(const char *p, int *len)
{
	static const struct { const char *op; int prec; } ops[] = {
		{ "<<", 5 }, { ">>", 5 }, { "|", 1 }, { "^", 2 }, { "&", 3 },
		{ "+", 6 }, { "-", 6 }, { "*", 7 }, { "/", 7 }, { "%", 7 },
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strncmp(p, ops[i].op, strlen(ops[i].op)) == 0) {
			*len = (int)strlen(ops[i].op);
			return ops[i].prec;
		}
	return 0;
}

static int expr(struct calc *c, int prec, uint64_t *v)
{
	if (unary(c, v) != 0)
		return -1;
	for (;;) {
		int len, p;
		uint64_t r;
		const char *at;

		blanks(c);
		at = c->p;
		if (!(p = binop(at, &len)) || p <= prec)
			return 0;
		c->p += len;
		if (expr(c, p, &r) != 0)
			return -1;
		switch (*at) {
		case '+': *v += r; break;
		case '-': *v -= r; break;
		case '*': *v *= r; break;
		case '/': case '%':
			if (!r)
				return kd_fail(c->err, KD_ERR_INVALID, "division by zero");
			*v = *at == '/' ? *v / r : *v % r;
			break;
		case '<': *v = r >= 64 ? 0 : *v << r; break;
		case '>': *v = r >= 64 ? 0 : *v >> r; break;
		case '&': *v &= r; break;
		case '|': *v |= r; break;
		case '^': *v ^= r; break;
		}
	}
}

/* "(64KB)": the value as a whole number of KB, MB or GB. */
static void round_size(uint64_t v, char *buf, size_t len)
{
	static const char *const units[] = { "GB", "MB", "KB" };

	buf[0] = '\0';
	for (int i = 0; i < 3 && v; i++) {
		unsigned shift = 30 - 10 * (unsigned)i;
		if (v % (1ULL << shift) == 0) {
			snprintf(buf, len, "  (%llu%s)", (unsigned long long)(v >> shift), units[i]);
			return;
		}
	}
}

static int run_eval(struct kd_cmd *c)
{
	char text[1024], bits[65], size[32];
	struct calc calc = { text, c->err, 0 };
	uint64_t v;

	if (c->argc == 0)
		return kd_cmd_usage(c, "an expression is needed");
	if (kd_cmd_join(c, 0, text, sizeof(text)) != 0 || expr(&calc, 0, &v) != 0)
		return -1;
	blanks(&calc);
	if (*calc.p)
		return kd_fail(c->err, KD_ERR_INVALID, "unexpected \"%s\"", calc.p);
	for (int i = 0; i < 64; i++)
		bits[i] = (char)('0' + ((v >> (63 - i)) & 1));
	bits[64] = '\0';
	if (c->json) {
		struct kd_json j;
		kd_json_init(&j, c->out);
		kd_json_object(&j, NULL);
		kd_json_addr(&j, "hexadecimal", v);
		kd_json_uint(&j, "decimal", v);
		kd_json_int(&j, "signed", (long long)v);
		kd_json_end(&j, '}');
		return 0;
	}
	round_size(v, size, sizeof(size));
	fprintf(c->out, "hexadecimal: %llx%s\n", (unsigned long long)v, size);
	fprintf(c->out, "    decimal: %llu", (unsigned long long)v);
	if ((int64_t)v < 0)
		fprintf(c->out, "  (%lld)", (long long)v);
	fprintf(c->out, "\n      octal: %llo\n     binary: %s\n", (unsigned long long)v, bits);
	return 0;
}

const struct kd_command kd_cmd_eval = {
	.name = "eval",
	.complete = KD_COMPLETE_SYMBOL,
	.flags = KD_CMD_RAW_ARGS | KD_CMD_JSON,
	.usage = "eval EXPRESSION",
	.summary = "a calculator: hex, decimal, octal and binary of an integer expression",
	.help = "  numbers: 0x hex, 0b binary, 0o (or a leading 0) octal, decimal; k, m, g\n"
		"  multiply by 1024, 1024^2, 1024^3 (\"eval 0x10 * 4k\")\n"
		"  operators, in C's order: ( ) unary - ~, * / %, + -, << >>, &, ^, |\n",
	.run = run_eval,
};
