/* fuzz-jsonrpc: libFuzzer target for the JSON reader and JSON-RPC messages. */

/* The input is a byte stream from a peer.  It is fed to a json_reader in
 * pieces whose sizes come from the input's first and last bytes, and each
 * complete value is converted into a message.  Every valid message must
 * convert back into the same JSON, and its serialization must read back,
 * through a fresh reader, into an equal message that serializes to the
 * same text.  Any difference aborts.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "json-reader.h"
#include "jsonrpc-msg.h"
#include "util.h"

/* Small limits, so that the fuzzer reaches them. */
#define FUZZ_MAX_SIZE 2048
#define FUZZ_MAX_DEPTH 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(bool ok)
{
    if (!ok) {
        abort();
    }
}

/* Returns the next piece size, 1 to MAX, from a xorshift generator. */
static size_t
next_piece(uint32_t *state, size_t max)
{
    *state ^= *state << 13;
    *state ^= *state >> 17;
    *state ^= *state << 5;
    return 1 + *state % max;
}

/* Reads TEXT, a serialized message, back into a message. */
static struct jsonrpc_msg *
read_back(const char *text)
{
    struct json_reader *r = json_reader_create(JSON_READER_DEFAULT_MAX_SIZE,
                                               FUZZ_MAX_DEPTH);
    size_t len = strlen(text);
    struct json_object *json;
    struct jsonrpc_msg *msg;
    char *error;

    check(json_reader_feed(r, text, len) == len);
    json = json_reader_take(r);
    check(json != NULL);
    check(!json_reader_is_partial(r));
    check(!jsonrpc_msg_from_json(json, &msg, &error));
    check(error == NULL);
    json_object_put(json);
    json_reader_destroy(r);
    return msg;
}

static void
check_round_trip(const struct jsonrpc_msg *msg, struct json_object *value)
{
    struct json_object *json = jsonrpc_msg_to_json(msg);
    char *text = jsonrpc_msg_to_string(msg);
    struct jsonrpc_msg *again = read_back(text);
    struct json_object *json_again = jsonrpc_msg_to_json(again);
    char *text_again = jsonrpc_msg_to_string(again);

    check(json_object_equal(json, value));
    check(again->type == msg->type);
    check(json_object_equal(json, json_again));
    check(jsonrpc_id_equals(again->id, msg->id));
    check(!strcmp(text, text_again));

    free(text_again);
    json_object_put(json_again);
    jsonrpc_msg_destroy(again);
    free(text);
    json_object_put(json);
}

static void
handle_value(struct json_object *value)
{
    struct jsonrpc_msg *msg;
    char *error;

    if (jsonrpc_msg_from_json(value, &msg, &error)) {
        check(msg == NULL && error != NULL && error[0] != '\0');
        free(error);
    } else {
        check(error == NULL);
        check(jsonrpc_msg_type_to_string(msg->type) != NULL);
        check_round_trip(msg, value);
        jsonrpc_msg_destroy(msg);
    }
    json_object_put(value);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json_reader *r;
    const char *p = (const char *) data;
    uint32_t state;
    size_t max_piece;

    if (!size) {
        return 0;
    }
    state = 0x9e3779b9u ^ data[0];
    max_piece = 1 + data[size - 1];

    r = json_reader_create(FUZZ_MAX_SIZE, FUZZ_MAX_DEPTH);
    while (size > 0 && !json_reader_get_error(r)) {
        struct json_object *value;
        size_t piece = next_piece(&state, max_piece);
        size_t used;

        piece = MIN(piece, size);
        used = json_reader_feed(r, p, piece);
        value = json_reader_take(r);
        check(used <= piece);
        if (value) {
            handle_value(value);
        } else {
            check(used == piece || json_reader_get_error(r));
        }
        p += used;
        size -= used;
    }
    if (json_reader_get_error(r)) {
        check(!json_reader_is_partial(r));
        check(json_reader_feed(r, "[]", 2) == 0);
    }
    json_reader_destroy(r);
    return 0;
}
