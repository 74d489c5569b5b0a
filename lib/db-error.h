/*
 * db-error: errors of the database engine, as RFC 7047 reports them.
 *
 * An error has a tag, one of the RFC's error names ("constraint
 * violation", "referential integrity violation", "syntax error", ...), and
 * details for a person, naming the bad value.  On the wire it becomes
 * {"error": TAG, "details": DETAILS}.
 *
 * Functions that can fail return a struct db_error * (NULL on success)
 * that the caller owns and frees with db_error_destroy().  This is the
 * database engine's one departure from "0 or a positive errno value": its
 * errors carry what the protocol must report.
 */
#ifndef SKIFF_DB_ERROR_H
#define SKIFF_DB_ERROR_H 1

#include <json-c/json.h>

#include "util.h"

struct db_error {
    char *tag;
    char *details;      /* May be NULL. */
};

struct db_error *db_error_create(const char *tag, const char *details_fmt,
                                 ...) PRINTF_FORMAT(2, 3)
    WARN_UNUSED_RESULT;
/* A "syntax error" whose details are JSON's text (as db_json_excerpt()
 * gives it), then ": " and the formatted message if DETAILS_FMT is
 * nonnull, e.g. "{\"key\":5}: unknown atomic type".  A NULL JSON is
 * JSON's null, as in json-c.  db_error_create() takes a NULL DETAILS_FMT
 * too, for no details. */
struct db_error *db_syntax_error(const struct json_object *json,
                                 const char *details_fmt, ...)
    PRINTF_FORMAT(2, 3) WARN_UNUSED_RESULT;
void db_error_destroy(struct db_error *);  /* Accepts NULL. */
struct db_error *db_error_clone(const struct db_error *);

/* Prefixes the details with "PREFIX: " (for context, e.g. a column). */
void db_error_prefix(struct db_error *, const char *prefix_fmt, ...)
    PRINTF_FORMAT(2, 3);

/* {"error": tag, "details": details} (details left out if NULL). */
struct json_object *db_error_to_json(const struct db_error *);

/* "tag: details" (or just "tag"); the caller frees it. */
char *db_error_to_string(const struct db_error *);

/* JSON's compact text for error details, cut to 80 characters (ending in
 * "...") when longer, with any byte that is not valid UTF-8 shown as
 * "\xNN".  The caller frees it. */
char *db_json_excerpt(const struct json_object *);

#endif /* db-error.h */
