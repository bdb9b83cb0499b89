/*
 * wire.h - the binary protocol between resvcheck (host), the guest agent and resvcheck.ko.
 *
 * C, for the module, the agent and the host adapter alike. A message is a frame: a 16-bit
 * little-endian body length, then the body. Integers in a body are LEB128 varints, signed ones
 * zigzag-encoded, so a typical op is 4-6 bytes.
 *
 *   request: kind (u8, RESVCHECK_OP_LIST number, or KW_HELLO / KW_RESET), nargs (u8), nargs signed args
 *   reply:   status (u8, resvcheck_apply_status or KW_REFUSED), then
 *            OK:        ret (s), flags, warnings, n_fences, (fence, usage) * n, n_callbacks, cb * n,
 *                       n_released, f * n, n_deadlines, f * n, slept (jiffies)
 *            otherwise: a message (length, bytes)
 *   KW_HELLO reply: status 0, kernel release (length, bytes), features, then 32 bytes: a bitmap
 *                   of the op kinds the module implements
 * The module reads a write() of whole frames and answers each in order; the agent only splits the
 * byte stream at frame boundaries.
 */
#ifndef RESVCHECK_KMOD_WIRE_H
#define RESVCHECK_KMOD_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define KW_HELLO 0        /* request: who are you */
#define KW_RESET 255      /* request: forget every object (start a new trace) */
#define KW_REFUSED 3      /* reply status: strict mode refused an op that breaks a precondition */
#define KW_MAX_FRAME 8192 /* body bytes; an obs of RC_OBS_MAX entries in each list fits */
#define KW_KINDS 256

struct kw_buf {
	uint8_t *p;
	size_t len, pos;
	int bad;              /* read past the end, or wrote past the capacity */
};

static inline void kw_put_byte(struct kw_buf *b, uint8_t v)
{
	if (b->pos < b->len)
		b->p[b->pos++] = v;
	else
		b->bad = 1;
}

static inline void kw_put_u(struct kw_buf *b, uint64_t v)
{
	while (v >= 0x80) {
		kw_put_byte(b, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	kw_put_byte(b, (uint8_t)v);
}

static inline void kw_put_s(struct kw_buf *b, int64_t v)
{
	kw_put_u(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static inline uint8_t kw_get_byte(struct kw_buf *b)
{
	if (b->pos < b->len)
		return b->p[b->pos++];
	b->bad = 1;
	return 0;
}

static inline uint64_t kw_get_u(struct kw_buf *b)
{
	uint64_t v = 0;
	unsigned int shift = 0;
	uint8_t c;

	do {
		c = kw_get_byte(b);
		if (shift < 64)
			v |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	} while ((c & 0x80) && !b->bad);
	return v;
}

static inline int64_t kw_get_s(struct kw_buf *b)
{
	uint64_t u = kw_get_u(b);

	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

/* Frame header: the body length, little-endian. */
static inline size_t kw_frame_len(const uint8_t *hdr) { return hdr[0] | (size_t)hdr[1] << 8; }
static inline void kw_set_frame_len(uint8_t *hdr, size_t n)
{
	hdr[0] = (uint8_t)n;
	hdr[1] = (uint8_t)(n >> 8);
}

#endif /* RESVCHECK_KMOD_WIRE_H */
