/*
 * uuid: 128-bit universally unique identifiers (RFC 4122), the row ids of
 * the database.
 *
 * Text form: 36 characters, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", lower
 * case when formatted, either case when parsed.
 */
#ifndef SKIFF_UUID_H
#define SKIFF_UUID_H 1

#include <stdbool.h>
#include <stdint.h>

#define UUID_LEN 36

struct uuid {
    uint32_t parts[4];      /* parts[0] holds the first 8 hex digits. */
};

/* For printf: printf("x="UUID_FMT"\n", UUID_ARGS(&uuid)). */
#define UUID_FMT "%08x-%04x-%04x-%04x-%04x%08x"
#define UUID_ARGS(UUID)                                 \
    ((unsigned int) (UUID)->parts[0]),                  \
    ((unsigned int) ((UUID)->parts[1] >> 16)),          \
    ((unsigned int) ((UUID)->parts[1] & 0xffff)),       \
    ((unsigned int) ((UUID)->parts[2] >> 16)),          \
    ((unsigned int) ((UUID)->parts[2] & 0xffff)),       \
    ((unsigned int) (UUID)->parts[3])

/* A fresh random (version 4) UUID.  Never all zeros. */
void uuid_generate(struct uuid *);

void uuid_zero(struct uuid *);
bool uuid_is_zero(const struct uuid *);
bool uuid_equals(const struct uuid *, const struct uuid *);
int uuid_compare_3way(const struct uuid *, const struct uuid *);
uint32_t uuid_hash(const struct uuid *);

/* Parses the 36-character text form; false (and *uuid zeroed) on anything
 * else. */
bool uuid_from_string(struct uuid *, const char *);

/* Writes the text form and a NUL into S. */
void uuid_to_string(const struct uuid *, char s[UUID_LEN + 1]);

#endif /* uuid.h */
