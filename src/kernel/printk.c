#include "kernel/printk.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "kernel/types.h"
#include "kernel/vmcoreinfo.h"

/* Rings larger than this are taken for corrupt layout data, not logs. */
#define MAX_RING_BYTES (1ULL << 31)

/* OFFSET(type.member) as VMCOREINFO has it, else the vmlinux's BTF. */
static int64_t offset_of(struct kd_kernel *k, const char *type, const char *member, kd_err *err)
{
	char key[128];
	int64_t v;

	snprintf(key, sizeof(key), "OFFSET(%s.%s)", type, member);
	if (kd_vmcoreinfo_dec(k->vmci, key, &v) && v >= 0)
		return v;
	return kd_kernel_offsetof(k, type, member, err);
}

static int64_t size_of(struct kd_kernel *k, const char *type, kd_err *err)
{
	char key[128];
	int64_t v;

	snprintf(key, sizeof(key), "SIZE(%s)", type);
	if (kd_vmcoreinfo_dec(k->vmci, key, &v) && v > 0)
		return v;
	return kd_kernel_sizeof(k, type, err);
}

static int symbol(struct kd_kernel *k, const char *name, uint64_t *addr, kd_err *err)
{
	char key[128];

	snprintf(key, sizeof(key), "SYMBOL(%s)", name);
	if (kd_vmcoreinfo_hex(k->vmci, key, addr))
		return 0;
	return kd_kernel_symbol(k, name, addr, err);
}

/* The level:3 bit-field only BTF describes; -1 when it does not. */
static void level_field(struct kd_kernel *k, const char *type, long *off, unsigned *shift)
{
	struct kd_member m;

	*off = -1;
	*shift = 0;
	if (kd_types_member(k->types, type, "level", &m, NULL) == 0 && m.bit_size == 3 &&
	    m.bit_offset <= 5) {
		*off = (long)m.offset;
		*shift = m.bit_offset;
	}
}

/* Little-endian field of `width` bytes at off (x86-64 dumps only). */
static uint64_t get(const unsigned char *p, size_t off, size_t width)
{
	uint64_t v = 0;

	memcpy(&v, p + off, width);
	return v;
}

/* ---- lockless ringbuffer (5.10+), kernel/printk/printk_ringbuffer.h ---- */

#define DESC_FLAGS_SHIFT 62
#define DESC_ID_MASK ((1ULL << DESC_FLAGS_SHIFT) - 1)
#define DESC_STATE(sv) ((sv) >> DESC_FLAGS_SHIFT)
#define DESC_COMMITTED 1
#define DESC_FINALIZED 2
#define LPOS_DATALESS(lpos) ((lpos) & 1)

struct prb_layout {
	int64_t desc_ring, text_data_ring, count_bits, descs, infos, head_id, tail_id,
		size_bits, data, counter, state_var, text_blk_lpos, begin, next, ts_nsec,
		text_len, caller_id, dev_info, subsystem, device;
	int64_t prb_size, desc_size, info_size, dev_info_size;
	long level;
	unsigned level_shift;
};

static const struct {
	const char *type, *member;
	size_t at;
} prb_fields[] = {
#define F(type, member, field) { type, member, offsetof(struct prb_layout, field) }
	F("printk_ringbuffer", "desc_ring", desc_ring),
	F("printk_ringbuffer", "text_data_ring", text_data_ring),
	F("prb_desc_ring", "count_bits", count_bits),
	F("prb_desc_ring", "descs", descs),
	F("prb_desc_ring", "infos", infos),
	F("prb_desc_ring", "head_id", head_id),
	F("prb_desc_ring", "tail_id", tail_id),
	F("prb_data_ring", "size_bits", size_bits),
	F("prb_data_ring", "data", data),
	F("atomic_long_t", "counter", counter),
	F("prb_desc", "state_var", state_var),
	F("prb_desc", "text_blk_lpos", text_blk_lpos),
	F("prb_data_blk_lpos", "begin", begin),
	F("prb_data_blk_lpos", "next", next),
	F("printk_info", "ts_nsec", ts_nsec),
	F("printk_info", "text_len", text_len),
	F("printk_info", "caller_id", caller_id),
	F("printk_info", "dev_info", dev_info),
	F("dev_printk_info", "subsystem", subsystem),
	F("dev_printk_info", "device", device),
#undef F
};

static int prb_layout(struct kd_kernel *k, struct prb_layout *l, kd_err *err)
{
	for (size_t i = 0; i < sizeof(prb_fields) / sizeof(prb_fields[0]); i++) {
		int64_t v = offset_of(k, prb_fields[i].type, prb_fields[i].member, err);
		if (v < 0)
			return -1;
		memcpy((char *)l + prb_fields[i].at, &v, sizeof(v));
	}
	if ((l->prb_size = size_of(k, "printk_ringbuffer", err)) < 0 ||
	    (l->desc_size = size_of(k, "prb_desc", err)) < 0 ||
	    (l->info_size = size_of(k, "printk_info", err)) < 0 ||
	    (l->dev_info_size = size_of(k, "dev_printk_info", err)) < 0)
		return -1;
	level_field(k, "printk_info", &l->level, &l->level_shift);
	/* Every field read below must lie inside the struct it is read from. */
	if (l->desc_ring + l->tail_id + l->counter + 8 > l->prb_size ||
	    l->desc_ring + l->head_id + l->counter + 8 > l->prb_size ||
	    l->desc_ring + l->descs + 8 > l->prb_size || l->desc_ring + l->infos + 8 > l->prb_size ||
	    l->desc_ring + l->count_bits + 4 > l->prb_size ||
	    l->text_data_ring + l->size_bits + 4 > l->prb_size ||
	    l->text_data_ring + l->data + 8 > l->prb_size ||
	    l->state_var + l->counter + 8 > l->desc_size ||
	    l->text_blk_lpos + l->begin + 8 > l->desc_size ||
	    l->text_blk_lpos + l->next + 8 > l->desc_size ||
	    l->ts_nsec + 8 > l->info_size || l->text_len + 2 > l->info_size ||
	    l->caller_id + 4 > l->info_size || l->dev_info + l->dev_info_size > l->info_size ||
	    l->subsystem > l->device || l->device > l->dev_info_size ||
	    (l->level >= 0 && l->level >= l->info_size))
		return kd_fail(err, KD_ERR_UNSUPPORTED, "printk ringbuffer layout (VMCOREINFO/BTF) does not fit its struct sizes");
	return 0;
}

/* Copies of the rings, so records decode without further reads. */
struct prb_copy {
	unsigned char *descs, *infos, *data;
	uint64_t count, head_id, tail_id;
	unsigned size_bits;  /* the text ring holds 1 << size_bits bytes */
};

static int read_ring(struct kd_kernel *k, uint64_t addr, uint64_t len, unsigned char **out,
		     const char *what, kd_err *err)
{
	if (len == 0 || len > MAX_RING_BYTES)
		return kd_fail(err, KD_ERR_CORRUPT, "printk %s at 0x%llx: %llu bytes is not a plausible size", what,
			       (unsigned long long)addr, (unsigned long long)len);
	if (!(*out = malloc(len)))
		return kd_fail(err, KD_ERR_NOMEM, "out of memory for the printk %s (%llu bytes)", what,
			       (unsigned long long)len);
	if (kd_kernel_read(k, addr, *out, len, err) != 0)
		return kd_wrap(err, "printk %s at 0x%llx", what, (unsigned long long)addr);
	return 0;
}

static int prb_read(struct kd_kernel *k, const struct prb_layout *l, struct prb_copy *c, kd_err *err)
{
	unsigned char rb[1024];
	uint64_t prb, addr;
	const unsigned char *dr, *tr;
	uint32_t count_bits, size_bits;

	if ((size_t)l->prb_size > sizeof(rb))
		return kd_fail(err, KD_ERR_CORRUPT, "struct printk_ringbuffer is %lld bytes: layout data is corrupt",
			       (long long)l->prb_size);
	if (symbol(k, "prb", &addr, err) != 0 || kd_kernel_read_u64(k, addr, &prb, err) != 0 ||
	    kd_kernel_read(k, prb, rb, (size_t)l->prb_size, err) != 0)
		return kd_wrap(err, "printk ringbuffer (prb)");
	dr = rb + l->desc_ring;
	tr = rb + l->text_data_ring;
	count_bits = (uint32_t)get(dr, (size_t)l->count_bits, 4);
	size_bits = (uint32_t)get(tr, (size_t)l->size_bits, 4);
	if (count_bits > 30 || size_bits > 31)
		return kd_fail(err, KD_ERR_CORRUPT, "printk ringbuffer at 0x%llx: count_bits %u, size_bits %u are not "
			       "plausible", (unsigned long long)prb, count_bits, size_bits);
	c->count = 1ULL << count_bits;
	c->size_bits = size_bits;
	c->head_id = get(dr, (size_t)(l->head_id + l->counter), 8) & DESC_ID_MASK;
	c->tail_id = get(dr, (size_t)(l->tail_id + l->counter), 8) & DESC_ID_MASK;
	/* Never more records than descriptors: a longer span is corruption
	 * and walking it could take forever. */
	if (((c->head_id - c->tail_id) & DESC_ID_MASK) >= c->count)
		return kd_fail(err, KD_ERR_CORRUPT, "printk ringbuffer at 0x%llx: tail id %llu and head id %llu are "
			       "more than %llu records apart", (unsigned long long)prb,
			       (unsigned long long)c->tail_id, (unsigned long long)c->head_id,
			       (unsigned long long)c->count);
	if (read_ring(k, get(dr, (size_t)l->descs, 8), c->count * (uint64_t)l->desc_size, &c->descs,
		      "descriptor ring", err) != 0 ||
	    read_ring(k, get(dr, (size_t)l->infos, 8), c->count * (uint64_t)l->info_size, &c->infos,
		      "info ring", err) != 0 ||
	    read_ring(k, get(tr, (size_t)l->data, 8), 1ULL << size_bits, &c->data, "text ring", err) != 0)
		return -1;
	return 0;
}

/* Where a text block's bytes are: the kernel's get_data(). A block that
 * would cross the end of the ring is stored whole at its start. */
static const unsigned char *prb_text(const struct prb_copy *c, uint64_t begin, uint64_t next,
				     size_t *len)
{
	uint64_t size = 1ULL << c->size_bits, off, n;

	if (LPOS_DATALESS(begin) && LPOS_DATALESS(next))
		return NULL;
	if (begin >> c->size_bits == next >> c->size_bits && begin < next) {
		off = begin & (size - 1);
		n = next - begin;
	} else if ((begin + size) >> c->size_bits == next >> c->size_bits) {
		off = 0;
		n = next & (size - 1);
	} else {
		return NULL;
	}
	if ((begin | next) & 7 || n < 8 || off + n > size)
		return NULL;
	*len = n - 8; /* the block starts with its descriptor's id */
	return c->data + off + 8;
}

/* dev_printk()'s SUBSYSTEM= and DEVICE=, as the old format's dict had them.
 * out must hold 2 * (DICT_VALUE_MAX + 12) bytes. */
#define DICT_VALUE_MAX 100
static size_t prb_dict(const struct prb_layout *l, const unsigned char *info, char *out)
{
	const char *dev = (const char *)info + l->dev_info;
	size_t sub = strnlen(dev + l->subsystem, (size_t)(l->device - l->subsystem));
	size_t name = strnlen(dev + l->device, (size_t)(l->dev_info_size - l->device));
	size_t n = 0;

	if (sub)
		n += (size_t)sprintf(out + n, "SUBSYSTEM=%.*s", (int)(sub < DICT_VALUE_MAX ? sub : DICT_VALUE_MAX),
				     dev + l->subsystem) + 1;
	if (name)
		n += (size_t)sprintf(out + n, "DEVICE=%.*s", (int)(name < DICT_VALUE_MAX ? name : DICT_VALUE_MAX),
				     dev + l->device) + 1;
	return n;
}

static int prb_walk(const struct prb_layout *l, const struct prb_copy *c, kd_printk_cb cb, void *arg)
{
	for (uint64_t id = c->tail_id;; id = (id + 1) & DESC_ID_MASK) {
		const unsigned char *desc = c->descs + (id % c->count) * (uint64_t)l->desc_size;
		const unsigned char *info = c->infos + (id % c->count) * (uint64_t)l->info_size;
		uint64_t sv = get(desc, (size_t)(l->state_var + l->counter), 8);
		struct kd_printk_record r = { 0 };
		char dict[2 * (DICT_VALUE_MAX + 12)];
		int rc;

		/* Only records the writer finished; a reused slot has another id. */
		if ((sv & DESC_ID_MASK) == id &&
		    (DESC_STATE(sv) == DESC_COMMITTED || DESC_STATE(sv) == DESC_FINALIZED) &&
		    (r.text = (const char *)prb_text(c, get(desc, (size_t)(l->text_blk_lpos + l->begin), 8),
						      get(desc, (size_t)(l->text_blk_lpos + l->next), 8),
						      &r.text_len))) {
			size_t text_len = get(info, (size_t)l->text_len, 2);
			if (text_len < r.text_len)
				r.text_len = text_len;
			r.ts_nsec = get(info, (size_t)l->ts_nsec, 8);
			r.level = l->level < 0 ? -1 : (int)((info[l->level] >> l->level_shift) & 7);
			r.has_caller = 1;
			r.caller_id = (uint32_t)get(info, (size_t)l->caller_id, 4);
			r.dict = dict;
			r.dict_len = prb_dict(l, info, dict);
			if ((rc = cb(&r, arg)) != 0)
				return rc;
		}
		if (id == c->head_id)
			return 0;
	}
}

static int prb_foreach(struct kd_kernel *k, kd_printk_cb cb, void *arg, kd_err *err)
{
	struct prb_layout l;
	struct prb_copy c = { 0 };
	int rc = -1;

	if (prb_layout(k, &l, err) == 0 && prb_read(k, &l, &c, err) == 0)
		rc = prb_walk(&l, &c, cb, arg);
	free(c.descs);
	free(c.infos);
	free(c.data);
	return rc;
}

/* ---- log_buf of struct printk_log records (3.5 to 5.9) ---- */

int kd_printk_log_parse(const unsigned char *buf, size_t buf_len, uint32_t first_idx,
			uint32_t next_idx, const struct kd_printk_log_layout *l, kd_printk_cb cb,
			void *arg, kd_err *err)
{
	/* Each step consumes at least a header, or wraps once. */
	size_t steps = 0, max_steps = 2 * (buf_len / (l->size ? l->size : 1)) + 2;
	uint32_t idx = first_idx;

	while (idx != next_idx) {
		const unsigned char *rec = buf + idx;
		struct kd_printk_record r = { 0 };
		size_t len, need;
		int rc;

		if (++steps > max_steps)
			return kd_fail(err, KD_ERR_CORRUPT, "log_buf: records from index %u never reach log_next_idx %u",
				       first_idx, next_idx);
		if (idx > buf_len || buf_len - idx < l->size)
			return kd_fail(err, KD_ERR_CORRUPT, "log_buf: record at index %u lies beyond the %zu-byte buffer",
				       idx, buf_len);
		len = get(rec, l->len, 2);
		if (len == 0) { /* the rest of the buffer was too short: wrap */
			idx = 0;
			continue;
		}
		r.text_len = get(rec, l->text_len, 2);
		r.dict_len = l->dict_len >= 0 ? get(rec, (size_t)l->dict_len, 2) : 0;
		need = l->size + r.text_len + r.dict_len;
		if (len < need || len > buf_len - idx)
			return kd_fail(err, KD_ERR_CORRUPT, "log_buf: record at index %u is %zu bytes, which does not hold "
				       "its %zu bytes or does not fit the %zu-byte buffer", idx, len, need,
				       buf_len);
		r.ts_nsec = get(rec, l->ts_nsec, 8);
		r.level = l->level < 0 ? -1 : (int)((rec[l->level] >> l->level_shift) & 7);
		r.has_caller = l->caller_id >= 0;
		r.caller_id = r.has_caller ? (uint32_t)get(rec, (size_t)l->caller_id, 4) : 0;
		r.text = (const char *)rec + l->size;
		r.dict = r.text + r.text_len;
		if ((rc = cb(&r, arg)) != 0)
			return rc;
		idx += (uint32_t)len;
	}
	return 0;
}

static int log_layout(struct kd_kernel *k, struct kd_printk_log_layout *l, kd_err *err)
{
	int64_t size, ts, len, text_len, dict_len, caller;

	if ((size = size_of(k, "printk_log", err)) < 0 ||
	    (ts = offset_of(k, "printk_log", "ts_nsec", err)) < 0 ||
	    (len = offset_of(k, "printk_log", "len", err)) < 0 ||
	    (text_len = offset_of(k, "printk_log", "text_len", err)) < 0)
		return -1;
	/* Not in VMCOREINFO and not needed to walk: only for `log -d`/`-c`. */
	dict_len = offset_of(k, "printk_log", "dict_len", NULL);
	caller = offset_of(k, "printk_log", "caller_id", NULL);
	*l = (struct kd_printk_log_layout){
		.size = (size_t)size, .ts_nsec = (size_t)ts, .len = (size_t)len,
		.text_len = (size_t)text_len, .dict_len = dict_len,
		.caller_id = caller,
	};
	level_field(k, "printk_log", &l->level, &l->level_shift);
	if (ts + 8 > size || len + 2 > size || text_len + 2 > size || dict_len + 2 > size ||
	    caller + 4 > size || l->level >= size)
		return kd_fail(err, KD_ERR_UNSUPPORTED, "struct printk_log layout (VMCOREINFO/BTF) does not fit its %lld bytes",
			       (long long)size);
	return 0;
}

static int log_buf_foreach(struct kd_kernel *k, kd_printk_cb cb, void *arg, kd_err *err)
{
	struct kd_printk_log_layout l;
	uint64_t sym, buf_addr;
	uint32_t buf_len, first, next;
	unsigned char *buf = NULL;
	int rc;

	if (log_layout(k, &l, err) != 0)
		return -1;
	if (symbol(k, "log_buf", &sym, err) != 0 || kd_kernel_read_u64(k, sym, &buf_addr, err) != 0 ||
	    symbol(k, "log_buf_len", &sym, err) != 0 || kd_kernel_read_u32(k, sym, &buf_len, err) != 0 ||
	    symbol(k, "log_first_idx", &sym, err) != 0 || kd_kernel_read_u32(k, sym, &first, err) != 0 ||
	    symbol(k, "log_next_idx", &sym, err) != 0 || kd_kernel_read_u32(k, sym, &next, err) != 0)
		return kd_wrap(err, "log_buf");
	if (read_ring(k, buf_addr, buf_len, &buf, "log_buf", err) != 0) {
		free(buf);
		return -1;
	}
	rc = kd_printk_log_parse(buf, buf_len, first, next, &l, cb, arg, err);
	free(buf);
	return rc;
}

int kd_printk_foreach(struct kd_kernel *k, kd_printk_cb cb, void *arg, kd_err *err)
{
	uint64_t addr;

	if (symbol(k, "prb", &addr, NULL) == 0)
		return prb_foreach(k, cb, arg, err);
	if (symbol(k, "log_buf", &addr, NULL) == 0 && size_of(k, "printk_log", NULL) > 0)
		return log_buf_foreach(k, cb, arg, err);
	return kd_fail(err, KD_ERR_LOOKUP, "%s: no kernel log found: neither prb (5.10+) nor log_buf with "
		       "struct printk_log (3.5+)", k->vmlinux_path);
}
