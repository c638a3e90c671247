#include "base/json.h"

#include <math.h>
#include <string.h>

static void sep(struct kd_json *j, const char *key)
{
	if (j->depth > 0 && j->more[j->depth])
		fputc(',', j->out);
	if (j->depth > 0)
		j->more[j->depth] = true;
	if (key) {
		fputc('"', j->out);
		fputs(key, j->out); /* keys are ours: plain */
		fputs("\":", j->out);
	}
}

void kd_json_init(struct kd_json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->more[0] = false;
}

static void open(struct kd_json *j, const char *key, char c)
{
	sep(j, key);
	fputc(c, j->out);
	if (j->depth + 1 < KD_JSON_DEPTH)
		j->depth++;
	j->more[j->depth] = false;
}

void kd_json_object(struct kd_json *j, const char *key)
{
	open(j, key, '{');
}

void kd_json_array(struct kd_json *j, const char *key)
{
	open(j, key, '[');
}

void kd_json_end(struct kd_json *j, char close)
{
	fputc(close, j->out);
	if (j->depth > 0)
		j->depth--;
	if (j->depth == 0)
		fputc('\n', j->out);
}

void kd_json_null(struct kd_json *j, const char *key)
{
	sep(j, key);
	fputs("null", j->out);
}

void kd_json_str(struct kd_json *j, const char *key, const char *v)
{
	if (!v) {
		kd_json_null(j, key);
		return;
	}
	kd_json_strn(j, key, v, strlen(v));
}

void kd_json_strn(struct kd_json *j, const char *key, const char *v, size_t len)
{
	sep(j, key);
	fputc('"', j->out);
	for (const unsigned char *p = (const unsigned char *)v; p < (const unsigned char *)v + len; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(j->out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", j->out);
		else if (*p == '\t')
			fputs("\\t", j->out);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(j->out, "\\u%04x", *p); /* kernel strings are bytes: each one kept */
		else
			fputc(*p, j->out);
	}
	fputc('"', j->out);
}

void kd_json_int(struct kd_json *j, const char *key, long long v)
{
	sep(j, key);
	fprintf(j->out, "%lld", v);
}

void kd_json_uint(struct kd_json *j, const char *key, unsigned long long v)
{
	sep(j, key);
	fprintf(j->out, "%llu", v);
}

void kd_json_num(struct kd_json *j, const char *key, double v)
{
	sep(j, key);
	fprintf(j->out, "%.1f", v);
}

void kd_json_real(struct kd_json *j, const char *key, double v)
{
	sep(j, key);
	if (isfinite(v))
		fprintf(j->out, "%.17g", v);
	else
		fputs("null", j->out); /* JSON has no NaN or infinity */
}

void kd_json_bool(struct kd_json *j, const char *key, bool v)
{
	sep(j, key);
	fputs(v ? "true" : "false", j->out);
}

void kd_json_addr(struct kd_json *j, const char *key, uint64_t v)
{
	sep(j, key);
	fprintf(j->out, "\"%llx\"", (unsigned long long)v);
}
