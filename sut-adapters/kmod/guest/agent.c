/*
 * agent.c - the guest's relay between the host's virtio-serial port and /dev/resvcheck.
 *
 * Static, the guest's only process after init: it announces itself with an empty frame, then
 * passes every run of whole frames the host sent to the device and the device's replies back.
 * Frames (wire.h) may arrive split or several at once; the module answers a whole run per write.
 * A run ends before each KW_RESET, so a case's replies are on their way to the host before the
 * next case starts: when the kernel dies, the host knows the case it died in.
 * Usage: agent PORT DEVICE
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "wire.h"

static unsigned char in[1 << 16], out[1 << 16];

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int is_reset(const unsigned char *frame)
{
	return kw_frame_len(frame) >= 1 && frame[2] == KW_RESET;
}

int main(int argc, char **argv)
{
	size_t have = 0;
	int port, dev;

	if (argc != 3) {
		fprintf(stderr, "usage: agent PORT DEVICE\n");
		return 2;
	}
	port = open(argv[1], O_RDWR);
	dev = open(argv[2], O_RDWR);
	if (port < 0 || dev < 0) {
		perror("agent: open");
		return 1;
	}
	static const unsigned char ready[2] = { 0, 0 };
	if (write_all(port, ready, sizeof ready))
		return 1;
	for (;;) {
		ssize_t r = read(port, in + have, sizeof in - have);
		size_t whole = 0, done = 0;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0;
		have += (size_t)r;
		while (whole + 2 <= have && whole + 2 + kw_frame_len(in + whole) <= have)
			whole += 2 + kw_frame_len(in + whole);
		while (done < whole) {
			size_t run = 0;
			ssize_t w, n;

			do	/* up to the next reset */
				run += 2 + kw_frame_len(in + done + run);
			while (done + run < whole && !is_reset(in + done + run));
			w = write(dev, in + done, run);
			if (w <= 0) {
				perror("agent: write to the device");
				return 1;
			}
			done += (size_t)w;
			while ((n = read(dev, out, sizeof out)) > 0)
				if (write_all(port, out, (size_t)n))
					return 1;
			if (n < 0) {
				perror("agent: read from the device");
				return 1;
			}
		}
		memmove(in, in + whole, have - whole);
		have -= whole;
	}
}
