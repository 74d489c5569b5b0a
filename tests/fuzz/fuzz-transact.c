/* fuzz-transact: libFuzzer target for the "transact" operations parser and
 * executor (db-execute and what it calls). */

/* Each input is read as JSON text (as a client would send the params of a
 * transact request, less the database name) and executed against a fresh
 * in-memory database built from Skiff's own schema and holding a bridge,
 * a port and an interface, so that conditions, mutations and references
 * have rows to act on.  The result must always be an array with at least
 * one element per operation.  Whatever the input, nothing may crash, leak
 * or read out of bounds.
 *
 * The schema file is found through $SKIFF_FUZZ_SCHEMA (make check-fuzz
 * sets it). */
#include <config.h>

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "db-error.h"
#include "db-execute.h"
#include "db-schema.h"
#include "db.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct json_object *schema_json;

static const char seed_rows[] =
    "[{\"op\":\"insert\",\"table\":\"Open_vSwitch\",\"row\":"
    "{\"bridges\":[\"named-uuid\",\"b\"]}},"
    "{\"op\":\"insert\",\"table\":\"Bridge\",\"uuid-name\":\"b\","
    "\"row\":{\"name\":\"br0\",\"ports\":[\"named-uuid\",\"p\"]}},"
    "{\"op\":\"insert\",\"table\":\"Port\",\"uuid-name\":\"p\","
    "\"row\":{\"name\":\"p0\",\"tag\":10,"
    "\"interfaces\":[\"named-uuid\",\"i\"]}},"
    "{\"op\":\"insert\",\"table\":\"Interface\",\"uuid-name\":\"i\","
    "\"row\":{\"name\":\"p0\",\"options\":[\"map\",[[\"a\",\"b\"]]]}}]";

static void
load_schema(void)
{
    const char *path = getenv("SKIFF_FUZZ_SCHEMA");
    schema_json = json_object_from_file(path ? path
                                        : "vswitchd/vswitch.schema.json");
    if (!schema_json) {
        fprintf(stderr, "fuzz-transact: cannot read the schema; set "
                "SKIFF_FUZZ_SCHEMA\n");
        abort();
    }
}

static struct db *
fresh_db(void)
{
    struct db_schema *schema;
    struct db_error *error = db_schema_from_json(schema_json, &schema);
    if (error) {
        abort();
    }
    struct db *db = db_create(schema);
    struct json_object *seed = json_tokener_parse(seed_rows);
    long long int retry;
    struct json_object *result = db_execute(db, NULL, seed, 0, &retry);
    json_object_put(result);
    json_object_put(seed);
    return db;
}

static void
run(struct db *db, const struct json_object *ops, long long int elapsed)
{
    long long int retry = 0;
    struct json_object *result = db_execute(db, NULL, ops, elapsed, &retry);
    if (result) {
        if (!json_object_is_type(result, json_type_array)
            || json_object_array_length(result)
               < json_object_array_length(ops)) {
            abort();
        }
        json_object_put(result);
    } else if (retry <= 0) {
        abort();                /* Waiting must say for how long. */
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!schema_json) {
        load_schema();
    }
    struct json_tokener *tok = json_tokener_new_ex(32);
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    struct json_object *ops = json_tokener_parse_ex(tok, (const char *) data,
                                                    (int) MIN(size,
                                                              INT_MAX));
    json_tokener_free(tok);
    if (!ops || !json_object_is_type(ops, json_type_array)) {
        json_object_put(ops);
        return 0;
    }

    struct db *db = fresh_db();
    run(db, ops, 0);
    run(db, ops, LLONG_MAX / 2);    /* Every "wait" has timed out. */
    db_destroy(db);
    json_object_put(ops);
    return 0;
}
