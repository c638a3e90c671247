#include "unwind/orc.h"

#include <string.h>

static int32_t rd_s32(const unsigned char *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			 (uint32_t)p[3] << 24);
}

static uint16_t rd_u16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

uint64_t kd_orc_ip_at(const struct kd_orc_table *t, size_t i)
{
	return t->ip_addr + 4 * (uint64_t)i + (uint64_t)(int64_t)rd_s32(t->ip + 4 * i);
}

void kd_orc_entry_at(const struct kd_orc_table *t, size_t i, struct kd_orc_entry *out)
{
	const unsigned char *e = t->orc + 6 * i;
	uint16_t f = rd_u16(e + 4);

	out->sp_offset = (int16_t)rd_u16(e);
	out->bp_offset = (int16_t)rd_u16(e + 2);
	out->sp_reg = f & 0xf;
	out->bp_reg = (f >> 4) & 0xf;
	if (t->version == KD_ORC_V3) {
		out->type = (enum kd_orc_type)((f >> 8) & 7);
		out->signal = (f >> 11) & 1;
		return;
	}
	/* v1/v2: CALL=0 REGS=1 REGS_PARTIAL=2, and "end" marks the outermost
	 * frame; an undefined sp_reg without it is a gap (section end). */
	bool end = t->version == KD_ORC_V2 ? (f >> 11) & 1 : (f >> 10) & 1;
	unsigned type = (f >> 8) & 3;

	if (out->sp_reg == KD_ORC_REG_UNDEFINED)
		out->type = end ? KD_ORC_TYPE_END_OF_STACK : KD_ORC_TYPE_UNDEFINED;
	else
		out->type = type == 0 ? KD_ORC_TYPE_CALL :
			    type == 1 ? KD_ORC_TYPE_REGS :
			    type == 2 ? KD_ORC_TYPE_REGS_PARTIAL : KD_ORC_TYPE_UNDEFINED;
	if (t->version == KD_ORC_V2)
		out->signal = (f >> 10) & 1;
	else
		out->signal = out->type == KD_ORC_TYPE_REGS || out->type == KD_ORC_TYPE_REGS_PARTIAL;
}

int kd_orc_find(const struct kd_orc_table *t, uint64_t ip, struct kd_orc_entry *out)
{
	size_t lo = 0, hi = t->n;

	/* The last entry starting at or below ip; among duplicates the last
	 * one, since section terminators sort first. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (kd_orc_ip_at(t, mid) <= ip)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return -1;
	kd_orc_entry_at(t, lo - 1, out);
	return 0;
}
