/* fuzz-ofp-parse: libFuzzer target for the flow text parser. */

/* The input's first byte picks the command (add, modify, ...), the rest is
 * flow text, as a user or a file for add-flows could give it.  Text that
 * parses must format back into text that parses into an equal flow mod
 * (with and without port names), which must survive the JSON of
 * lib/ofp-wire.h unchanged; the same text also goes through
 * ofp_parse_match() and ofp_parse_actions().  An error must leave the
 * flow mod zeroed.  Any difference aborts.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dynamic-string.h"
#include "ofp-parse.h"
#include "ofp-wire.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(bool ok)
{
    if (!ok) {
        abort();
    }
}

static bool
flow_mods_equal(const struct ofp_flow_mod *a, const struct ofp_flow_mod *b)
{
    return a->command == b->command && a->table_id == b->table_id
           && a->priority == b->priority && a->cookie == b->cookie
           && a->cookie_mask == b->cookie_mask
           && a->idle_timeout == b->idle_timeout
           && a->hard_timeout == b->hard_timeout
           && a->out_port == b->out_port
           && match_equal(&a->match, &b->match)
           && ofpacts_equal(a->ofpacts, a->ofpacts_len, b->ofpacts,
                            b->ofpacts_len);
}

static bool
is_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        if (b[i]) {
            return false;
        }
    }
    return true;
}

/* FM, formatted with MAP, parses back into the same flow mod. */
static void
check_round_trip(const struct ofp_flow_mod *fm, struct ofp_port_map *map)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    struct ofp_flow_mod fm2;

    ofp_flow_mod_format(&ds, fm, map);
    char *error = ofp_parse_flow_mod(&fm2, ds_cstr(&ds), fm->command,
                                     ofp_port_map_resolve, map);
    check(!error);
    check(flow_mods_equal(fm, &fm2));
    ofp_flow_mod_uninit(&fm2);
    ds_destroy(&ds);
}

static void
check_wire(const struct ofp_flow_mod *fm)
{
    struct ofp_flow_mod fm2;
    char *json = ofp_wire_encode_flow_mod(fm);
    char *error = ofp_wire_decode_flow_mod(json, &fm2);
    check(!error);
    check(flow_mods_equal(fm, &fm2));
    ofp_flow_mod_uninit(&fm2);
    free(json);

    /* And as a dump-flows reply, if the actions suit a flow in that
     * table (goto_table in a mod of all tables may not suit table 0). */
    struct ofp_flow_stats fs, *out;
    size_t n;
    memset(&fs, 0, sizeof fs);
    fs.table_id = fm->table_id == OFP_TABLE_ALL ? 0 : fm->table_id;
    if (ofpacts_check(fm->ofpacts, fm->ofpacts_len, fs.table_id, &error)) {
        free(error);
        return;
    }
    fs.priority = fm->priority;
    fs.cookie = fm->cookie;
    fs.match = fm->match;
    fs.ofpacts = fm->ofpacts;
    fs.ofpacts_len = fm->ofpacts_len;
    json = ofp_wire_encode_flow_stats(&fs, 1);
    error = ofp_wire_decode_flow_stats(json, &out, &n);
    check(!error && n == 1);
    check(match_equal(&out[0].match, &fs.match));
    check(ofpacts_equal(out[0].ofpacts, out[0].ofpacts_len, fs.ofpacts,
                        fs.ofpacts_len));
    struct ds ds = DS_EMPTY_INITIALIZER;
    ofp_flow_stats_format(&ds, &out[0], NULL, true);
    ofp_wire_flow_stats_free(out, n);
    ds_destroy(&ds);
    free(json);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size || size > 4096) {
        return 0;
    }
    enum ofp_flow_mod_command cmd = data[0] % (OFP_FLOW_QUERY + 1);
    char *text = xmalloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';

    struct ofp_port_map map;
    ofp_port_map_init(&map);
    ofp_port_map_add(&map, "p1", 1);
    ofp_port_map_add(&map, "a b", 2);
    ofp_port_map_add(&map, "LOCAL", 3);
    ofp_port_map_add(&map, "q\"\\", 4);

    struct ofp_flow_mod fm;
    char *error = ofp_parse_flow_mod(&fm, text, cmd, ofp_port_map_resolve,
                                     &map);
    if (error) {
        check(is_zero(&fm, sizeof fm));
        check(strstr(error, "(column ") != NULL);
        free(error);
    } else {
        check(fm.command == cmd);
        check(match_check_prereqs(&fm.match) == NULL);
        char *check_error;
        check(!ofpacts_check(fm.ofpacts, fm.ofpacts_len, fm.table_id,
                             &check_error));
        check_round_trip(&fm, &map);
        check_round_trip(&fm, NULL);
        check_wire(&fm);
        ofp_flow_mod_uninit(&fm);
    }

    struct match match;
    error = ofp_parse_match(&match, text, ofp_port_map_resolve, &map);
    if (error) {
        check(match_is_catchall(&match));
        free(error);
    } else {
        struct ds ds = DS_EMPTY_INITIALIZER;
        struct match match2;
        match_format(&ds, &match, &map);
        error = ofp_parse_match(&match2, ds_cstr(&ds), ofp_port_map_resolve,
                                &map);
        check(!error && match_equal(&match, &match2));
        ds_destroy(&ds);
    }

    struct ofpacts ofpacts;
    ofpacts_init(&ofpacts);
    ofpact_put_output(&ofpacts, 1, 0);
    size_t before = ofpacts.size;
    error = ofp_parse_actions(&ofpacts, text, 7, ofp_port_map_resolve, &map);
    if (error) {
        check(ofpacts.size == before);
        free(error);
    } else {
        struct ds ds = DS_EMPTY_INITIALIZER;
        char *check_error;
        check(!ofpacts_check(ofpacts.data, ofpacts.size, 7, &check_error));
        ofpacts_format(&ds, ofpacts.data, ofpacts.size, &map);
        ds_destroy(&ds);
    }
    ofpacts_uninit(&ofpacts);

    ofp_port_map_destroy(&map);
    free(text);
    return 0;
}
