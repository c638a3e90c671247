/* A small JSON writer for `--json`: compact, one document per command,
 * strings escaped, numbers as numbers, addresses as hex strings ("ffff...",
 * crash's spelling). Schemas: docs/json.md. */
#ifndef KD_BASE_JSON_H
#define KD_BASE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A C value nests up to 32 levels (kernel/value_print.c) inside a
 * command's document. */
#define KD_JSON_DEPTH 64

struct kd_json {
	FILE *out;
	int depth;
	bool more[KD_JSON_DEPTH]; /* a value was written at this level: a comma first */
};

void kd_json_init(struct kd_json *j, FILE *out);
/* key is NULL inside an array or at the top. */
void kd_json_object(struct kd_json *j, const char *key);
void kd_json_array(struct kd_json *j, const char *key);
void kd_json_end(struct kd_json *j, char close); /* '}' or ']'; a newline at the top */
void kd_json_str(struct kd_json *j, const char *key, const char *v); /* NULL: null */
void kd_json_strn(struct kd_json *j, const char *key, const char *v, size_t len);
void kd_json_int(struct kd_json *j, const char *key, long long v);
void kd_json_uint(struct kd_json *j, const char *key, unsigned long long v);
void kd_json_num(struct kd_json *j, const char *key, double v); /* one decimal: 0.2 */
void kd_json_real(struct kd_json *j, const char *key, double v); /* every digit; NaN, inf: null */
void kd_json_bool(struct kd_json *j, const char *key, bool v);
void kd_json_addr(struct kd_json *j, const char *key, uint64_t v);
void kd_json_null(struct kd_json *j, const char *key);

#endif
