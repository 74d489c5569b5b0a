/* uuid: random (version 4) UUIDs and their text form. */
#include <config.h>

#include "uuid.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "hash.h"
#include "util.h"

/* Fills BUF with N random bytes from the kernel, retrying when a signal
 * interrupts the call.  The kernel never returns fewer than 256 bytes once
 * its pool is ready, but a short read is checked anyway; any failure is
 * fatal, since a daemon cannot go on without unique ids. */
static void
get_random_bytes(void *buf, size_t n)
{
    ssize_t retval;

    do {
        retval = getrandom(buf, n, 0);
    } while (retval < 0 && errno == EINTR);

    if (retval < 0) {
        skiff_fatal(errno, "getrandom failed");
    } else if ((size_t) retval != n) {
        skiff_fatal(0, "getrandom returned %zd bytes instead of %zu",
                    retval, n);
    }
}

void
uuid_generate(struct uuid *uuid)
{
    get_random_bytes(uuid->parts, sizeof uuid->parts);

    /* Version 4 (random): the top 4 bits of time_hi_and_version, which are
     * bits 12 to 15 of parts[1]'s low half. */
    uuid->parts[1] = (uuid->parts[1] & 0xffff0fffu) | 0x00004000u;

    /* Variant 10x (RFC 4122): the top 2 bits of clock_seq_hi, which are
     * the top bits of parts[2]. */
    uuid->parts[2] = (uuid->parts[2] & 0x3fffffffu) | 0x80000000u;
}

void
uuid_zero(struct uuid *uuid)
{
    memset(uuid, 0, sizeof *uuid);
}

bool
uuid_is_zero(const struct uuid *uuid)
{
    return !(uuid->parts[0] | uuid->parts[1] | uuid->parts[2]
             | uuid->parts[3]);
}

bool
uuid_equals(const struct uuid *a, const struct uuid *b)
{
    return (a->parts[0] == b->parts[0] && a->parts[1] == b->parts[1]
            && a->parts[2] == b->parts[2] && a->parts[3] == b->parts[3]);
}

/* Orders as the text forms would sort, since parts[0] holds the first
 * digits. */
int
uuid_compare_3way(const struct uuid *a, const struct uuid *b)
{
    for (size_t i = 0; i < ARRAY_SIZE(a->parts); i++) {
        if (a->parts[i] != b->parts[i]) {
            return a->parts[i] < b->parts[i] ? -1 : 1;
        }
    }
    return 0;
}

uint32_t
uuid_hash(const struct uuid *uuid)
{
    uint32_t hash = 0;
    for (size_t i = 0; i < ARRAY_SIZE(uuid->parts); i++) {
        hash = hash_add(hash, uuid->parts[i]);
    }
    return hash_finish(hash, sizeof uuid->parts);
}

static int
hex_digit_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    } else if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

static bool
is_dash_position(size_t i)
{
    return i == 8 || i == 13 || i == 18 || i == 23;
}

bool
uuid_from_string(struct uuid *uuid, const char *s)
{
    uint32_t parts[4] = { 0, 0, 0, 0 };
    size_t n_digits = 0;

    uuid_zero(uuid);
    for (size_t i = 0; i < UUID_LEN; i++) {
        if (is_dash_position(i)) {
            if (s[i] != '-') {
                return false;
            }
            continue;
        }

        int value = hex_digit_value(s[i]);  /* Also stops at the NUL. */
        if (value < 0) {
            return false;
        }
        parts[n_digits / 8] = (parts[n_digits / 8] << 4) | (uint32_t) value;
        n_digits++;
    }
    if (s[UUID_LEN] != '\0') {
        return false;
    }

    memcpy(uuid->parts, parts, sizeof parts);
    return true;
}

void
uuid_to_string(const struct uuid *uuid, char s[UUID_LEN + 1])
{
    snprintf(s, UUID_LEN + 1, UUID_FMT, UUID_ARGS(uuid));
}
