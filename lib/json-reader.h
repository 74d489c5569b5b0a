/*
 * json-reader: splits a byte stream into JSON values (incremental parse).
 *
 * Bytes arrive in arbitrary pieces: a value may span many reads and one
 * read may hold several values.  json_reader_feed() consumes bytes up to
 * the end of the first complete value and stops there, so the caller
 * takes the value and feeds the rest again.
 *
 * Input is untrusted.  A value larger than max_size bytes (white space
 * between values does not count), nested deeper than max_depth (objects
 * and arrays inside one another: "[[1]]" is 2 deep), or not valid JSON
 * (RFC 8259, strictly: no comments, no trailing commas, no bare words, no
 * NaN, no leading zeros, no raw control characters in strings, UTF-8
 * only) puts the reader into an error state, which is final: the stream
 * cannot be resynchronised, so its connection should be closed.  Only
 * objects and arrays are accepted at the top level, since a bare number
 * has no end until the next byte.
 */
#ifndef SKIFF_JSON_READER_H
#define SKIFF_JSON_READER_H 1

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#define JSON_READER_DEFAULT_MAX_SIZE (64u * 1024 * 1024)
#define JSON_READER_DEFAULT_MAX_DEPTH 64

/* MAX_SIZE must be 1 to INT_MAX (json-c's own limit) and MAX_DEPTH
 * positive. */
struct json_reader *json_reader_create(size_t max_size, int max_depth);
void json_reader_destroy(struct json_reader *);

/* Consumes bytes from DATA (N of them at most) and returns how many it
 * consumed: all N, unless a value was completed (it stops just after the
 * value's last byte; take the value with json_reader_take()) or an error
 * occurred (it stops before the bad byte).  Returns 0 while a completed
 * value waits to be taken, and once in error. */
size_t json_reader_feed(struct json_reader *, const char *data, size_t n);

/* Returns the completed value (the caller puts it) and readies the reader
 * for the next one, or NULL if no value is complete. */
struct json_object *json_reader_take(struct json_reader *);

/* NULL, or what went wrong, e.g. "message exceeds 67108864 bytes" or
 * "JSON syntax error at byte 17: unexpected character" (bytes counted
 * from 0 at the start of the stream). */
const char *json_reader_get_error(const struct json_reader *);

/* True if part of a value has been fed but not completed (end of stream
 * now would cut a message short). */
bool json_reader_is_partial(const struct json_reader *);

#endif /* json-reader.h */
