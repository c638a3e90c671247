/* Little-endian integers in bytes read from a file or another machine's
 * memory (dumps, kernel images): no alignment assumed. */
#ifndef KD_BASE_BYTES_H
#define KD_BASE_BYTES_H

#include <stdint.h>

static inline uint16_t kd_le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t kd_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t kd_le64(const unsigned char *p)
{
	return kd_le32(p) | (uint64_t)kd_le32(p + 4) << 32;
}

#endif
