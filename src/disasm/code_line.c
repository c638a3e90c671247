#include "disasm/code_line.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "disasm/opcodes.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int kd_code_parse(const char *text, size_t len, struct kd_code_bytes *out, kd_err *err)
{
	size_t i = 0;

	out->n = 0;
	out->fault = -1;
	while (i < len) {
		char open = 0;
		int hi, lo;

		if (text[i] == ' ' || text[i] == '\t' || text[i] == '\r') {
			i++;
			continue;
		}
		if (text[i] == '<' || text[i] == '(')
			open = text[i++];
		if (i + 2 > len || (hi = hexval(text[i])) < 0 || (lo = hexval(text[i + 1])) < 0)
			return kd_fail(err, KD_ERR_CORRUPT, "Code: \"%.*s\" is not a list of x86 bytes", (int)(len > 40 ? 40 : len), text);
		i += 2;
		if (open) {
			char close = open == '<' ? '>' : ')';
			if (i >= len || text[i] != close)
				return kd_fail(err, KD_ERR_UNSUPPORTED, "Code: unterminated %c marker (arm64/ppc words are not decoded yet)", open);
			i++;
			out->fault = (long)out->n;
		}
		if (i < len && text[i] != ' ' && text[i] != '\t' && text[i] != '\r')
			return kd_fail(err, KD_ERR_CORRUPT, "Code: \"%.*s\" is not a list of x86 bytes", (int)(len > 40 ? 40 : len), text);
		if (out->n == KD_CODE_MAX)
			return kd_fail(err, KD_ERR_INVALID, "Code: more than %d bytes", KD_CODE_MAX);
		out->b[out->n++] = (unsigned char)(hi << 4 | lo);
	}
	if (out->n == 0)
		return kd_fail(err, KD_ERR_INVALID, "Code: no bytes");
	return 0;
}

/* objdump's layout: 7 bytes per row, the rest on continuation rows. */
enum { ROW_BYTES = 7 };

/* Where a listing goes: decodecode's text, or JSON objects. */
struct sink {
	FILE *out;
	struct kd_json *j;
	long base;                   /* JSON offsets are from this byte */
};

static void print_insn(struct sink *to, const unsigned char *b, size_t addr, int len,
		       const char *text, bool fault)
{
	FILE *out = to->out;
	int i;

	if (to->j) {
		char hex[KD_CODE_MAX * 3] = "";
		for (i = 0; i < len; i++)
			snprintf(hex + 3 * i, sizeof(hex) - 3 * (size_t)i, "%02x ", b[i]);
		if (len > 0)
			hex[3 * len - 1] = '\0';
		kd_json_object(to->j, NULL);
		kd_json_int(to->j, "offset", (long long)addr - to->base);
		kd_json_str(to->j, "bytes", hex);
		kd_json_str(to->j, "text", text);
		kd_json_bool(to->j, "trapping", fault);
		kd_json_end(to->j, '}');
		return;
	}
	fprintf(out, "%4zx:%s\t", addr, fault ? "*" : "");
	for (i = 0; i < len && i < ROW_BYTES; i++)
		fprintf(out, "%02x ", b[i]);
	fprintf(out, "%*s\t%s%s\n", (ROW_BYTES - i) * 3, "", text,
		fault ? "\t\t<-- trapping instruction" : "");
	for (int row = ROW_BYTES; row < len; row += ROW_BYTES) {
		fprintf(out, "%4zx:\t", addr + (size_t)row);
		for (i = row; i < len && i < row + ROW_BYTES; i++)
			fprintf(out, "%02x ", b[i]);
		fputc('\n', out);
	}
}

/* Lists b[from..n) with addresses relative to `base`; returns the offset
 * where decoding stopped (n when it consumed every byte). */
static size_t listing(struct sink *to, const struct kd_code_bytes *c, size_t from, size_t base,
		      enum kd_code_mode mode, long mark)
{
	size_t off = from;

	while (off < c->n) {
		struct kd_insn insn;
		int len;

		kd_insn_decode(c->b, c->n, off, off - base, mode, &insn);
		len = insn.len;
		if (len <= 0 || off + (size_t)len > c->n) {
			/* A cut-off instruction at the end: show its bytes like objdump. */
			len = (int)(c->n - off);
			snprintf(insn.text, sizeof(insn.text), "(bad)");
		}
		print_insn(to, c->b + off, off - base, len, insn.text,
			   mark >= 0 && (size_t)mark >= off && (size_t)mark < off + (size_t)len);
		off += (size_t)len;
	}
	return off;
}

/* Code: starts at an arbitrary byte, so decoding from byte 0 can run out of
 * step with the real instructions. The first start that lands exactly on
 * the faulting byte is the one the CPU was following. */
static size_t aligned_start(const struct kd_code_bytes *c, enum kd_code_mode mode)
{
	if (c->fault <= 0)
		return 0;
	for (size_t start = 0; start < (size_t)c->fault; start++) {
		size_t off = start;

		while (off < (size_t)c->fault) {
			struct kd_insn insn;

			kd_insn_decode(c->b, c->n, off, off, mode, &insn);
			if (insn.len <= 0)
				break;
			off += (size_t)insn.len;
		}
		if (off == (size_t)c->fault)
			return start;
	}
	return 0;
}

void kd_code_print(const struct kd_code_bytes *c, enum kd_code_mode mode, FILE *out)
{
	struct sink to = { out, NULL, 0 };
	size_t start = aligned_start(c, mode);

	fputs("All code\n========\n", out);
	if (start > 0)
		print_insn(&to, c->b, 0, (int)start, "(bytes before the first whole instruction)", false);
	listing(&to, c, start, 0, mode, c->fault);
	if (c->fault < 0)
		return;
	fputs("\nCode starting with the faulting instruction\n"
	      "===========================================\n", out);
	listing(&to, c, (size_t)c->fault, (size_t)c->fault, mode, -1);
}

void kd_code_json(const struct kd_code_bytes *c, enum kd_code_mode mode, struct kd_json *j)
{
	struct sink to = { NULL, j, c->fault > 0 ? c->fault : 0 };
	size_t start = aligned_start(c, mode);

	if (start > 0)
		print_insn(&to, c->b, 0, (int)start, NULL, false);
	listing(&to, c, start, 0, mode, c->fault);
}
