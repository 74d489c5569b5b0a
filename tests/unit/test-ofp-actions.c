/* Unit tests for lib/ofp-actions: building, checking, formatting. */
#include "unit.h"

#include <arpa/inet.h>
#include <errno.h>

#include "dynamic-string.h"
#include "ofp-actions.h"

static void
check_format(const struct ofpacts *ofpacts, const char *expected)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    ofpacts_format(&ds, ofpacts->data, ofpacts->size, NULL);
    assert_string_equal(ds_cstr(&ds), expected);
    ds_destroy(&ds);
}

/* Checks OFPACTS for TABLE_ID and expects ERROR (NULL: valid). */
static void
check(const struct ofpacts *ofpacts, uint8_t table_id, const char *error)
{
    char *msg = NULL;
    int retval = ofpacts_check(ofpacts->data, ofpacts->size, table_id,
                               &msg);
    if (!error) {
        if (retval) {
            fail_msg("unexpected error: %s", msg);
        }
        assert_null(msg);
    } else {
        assert_int_equal(retval, EINVAL);
        assert_non_null(msg);
        assert_string_equal(msg, error);
        free(msg);
    }
}

static void
test_build_and_walk(void **state)
{
    struct ofpacts ofpacts;
    (void) state;

    ofpacts_init(&ofpacts);
    check_format(&ofpacts, "drop");
    check(&ofpacts, 0, NULL);

    ofpact_put_output(&ofpacts, 1, 0);
    ofpact_put_output(&ofpacts, OFPP_CONTROLLER, 128);
    ofpact_put_output(&ofpacts, OFPP_NORMAL, 77);    /* max_len dropped. */
    ofpact_put_simple(&ofpacts, OFPACT_DEC_TTL);
    size_t ofs = ofpact_start_nested(&ofpacts, OFPACT_WRITE_ACTIONS);
    ofpact_put_output(&ofpacts, 2, 0);
    ofpact_end_nested(&ofpacts, ofs);
    ofpact_put_goto_table(&ofpacts, 4);

    int n = 0;
    OFPACT_FOR_EACH (a, ofpacts.data, ofpacts.size) {
        assert_int_equal(a->len % OFPACT_ALIGN, 0);
        assert_true((uintptr_t) a % OFPACT_ALIGN == 0);
        n++;
    }
    assert_int_equal(n, 6);
    check_format(&ofpacts, "output:1,CONTROLLER:128,NORMAL,dec_ttl,"
                 "write_actions(output:2),goto_table:4");
    check(&ofpacts, 0, NULL);
    check(&ofpacts, 3, NULL);
    check(&ofpacts, OFP_TABLE_ALL, NULL);
    check(&ofpacts, 4, "goto_table:4: must go to a later table than 4");

    assert_true(ofpacts_output_to_port(ofpacts.data, ofpacts.size, 1));
    assert_true(ofpacts_output_to_port(ofpacts.data, ofpacts.size, 2));
    assert_true(ofpacts_output_to_port(ofpacts.data, ofpacts.size,
                                       OFPP_NORMAL));
    assert_false(ofpacts_output_to_port(ofpacts.data, ofpacts.size, 3));
    assert_true(ofpacts_output_to_port(ofpacts.data, ofpacts.size,
                                       OFPP_ANY));

    size_t len;
    void *list = ofpacts_steal(&ofpacts, &len);
    assert_non_null(list);
    assert_int_equal(ofpacts.size, 0);
    assert_null(ofpacts.data);
    struct ofpacts copy;
    ofpacts_init(&copy);
    memcpy(ofpact_put(&copy, OFPACT_DEC_TTL, len), list, len);
    assert_true(ofpacts_equal(list, len, copy.data, copy.size));
    ofpact_put_simple(&copy, OFPACT_DEC_TTL);
    assert_false(ofpacts_equal(list, len, copy.data, copy.size));
    assert_false(ofpacts_equal(list, len, copy.data, len - 8));
    assert_true(ofpacts_equal(NULL, 0, NULL, 0));
    free(list);
    ofpacts_uninit(&copy);

    /* An empty list is stolen as NULL. */
    ofpacts_init(&ofpacts);
    ofpact_put_simple(&ofpacts, OFPACT_DEC_TTL);
    ofpacts_clear(&ofpacts);
    assert_null(ofpacts_steal(&ofpacts, &len));
    assert_int_equal(len, 0);
}

static void
test_check_values(void **state)
{
    struct ofpacts ofpacts;
    (void) state;

    ofpacts_init(&ofpacts);
    ofpact_put_output(&ofpacts, 0, 0);
    check(&ofpacts, 0, "output:0: not a valid output port");
    ofpacts_clear(&ofpacts);
    ofpact_put_output(&ofpacts, OFPP_ANY, 0);
    check(&ofpacts, 0, "output:4294967295: not a valid output port");
    ofpacts_clear(&ofpacts);

    struct ofpact_vlan_vid *vid = ofpact_put(&ofpacts, OFPACT_SET_VLAN_VID,
                                             sizeof *vid);
    vid->vid = 4096;
    check(&ofpacts, 0, "mod_vlan_vid:4096: VID must be 0 to 4095");
    ofpacts_clear(&ofpacts);

    struct ofpact_vlan_pcp *pcp = ofpact_put(&ofpacts, OFPACT_SET_VLAN_PCP,
                                             sizeof *pcp);
    pcp->pcp = 8;
    check(&ofpacts, 0, "mod_vlan_pcp:8: PCP must be 0 to 7");
    ofpacts_clear(&ofpacts);

    struct ofpact_push_vlan *push = ofpact_put(&ofpacts, OFPACT_PUSH_VLAN,
                                               sizeof *push);
    push->tpid = htons(0x0800);
    check(&ofpacts, 0, "push_vlan:0x0800: TPID must be 0x8100 or 0x88a8");
    ofpacts_clear(&ofpacts);

    struct ofpact_dscp *dscp = ofpact_put(&ofpacts, OFPACT_SET_IP_DSCP,
                                          sizeof *dscp);
    dscp->dscp = 6;
    check(&ofpacts, 0, "mod_nw_tos:6: must be a multiple of 4");
    ofpacts_clear(&ofpacts);

    struct ofpact_set_field *sf = ofpact_put(&ofpacts, OFPACT_SET_FIELD,
                                             sizeof *sf);
    sf->field = MFF_IN_PORT;
    check(&ofpacts, 0, "set_field: bad field or value");
    ofpacts_clear(&ofpacts);
    sf = ofpact_put(&ofpacts, OFPACT_SET_FIELD, sizeof *sf);
    sf->field = MFF_VLAN_PCP;
    sf->value.u8 = 9;
    sf->mask.u8 = 0xff;
    check(&ofpacts, 0, "set_field: bad field or value");
    sf->value.u8 = 5;
    sf->mask.u8 = 7;
    check(&ofpacts, 0, NULL);
    sf->mask.u8 = 3;            /* Value outside the mask. */
    check(&ofpacts, 0, "set_field: bad field or value");
    ofpacts_clear(&ofpacts);
    sf = ofpact_put(&ofpacts, OFPACT_SET_FIELD, sizeof *sf);
    sf->field = MFF_N_IDS;
    check(&ofpacts, 0, "set_field: bad field or value");
    ofpacts_clear(&ofpacts);

    struct ofpact_resubmit *r = ofpact_put(&ofpacts, OFPACT_RESUBMIT,
                                           sizeof *r);
    r->in_port = OFPP_FLOOD;
    check(&ofpacts, 0, "resubmit: bad port 4294967291");
    r->in_port = OFPP_IN_PORT;
    r->table_id = 3;
    check(&ofpacts, 0, NULL);
    ofpacts_clear(&ofpacts);

    struct ofpact_metadata *md = ofpact_put(&ofpacts, OFPACT_WRITE_METADATA,
                                            sizeof *md);
    md->metadata = 0x10;
    md->mask = 0x0f;
    check(&ofpacts, 0, "write_metadata: value has bits outside its mask");
    ofpacts_clear(&ofpacts);

    ofpact_put_goto_table(&ofpacts, 255);
    check(&ofpacts, OFP_TABLE_ALL, "goto_table:255: no such table");
    ofpacts_uninit(&ofpacts);
}

static void
test_check_order(void **state)
{
    static const char order_error[] =
        "instructions must come after the actions, each at most once, in "
        "the order clear_actions, write_actions, write_metadata, "
        "goto_table";
    struct ofpacts ofpacts;
    (void) state;

    ofpacts_init(&ofpacts);
    ofpact_put_goto_table(&ofpacts, 2);
    ofpact_put_output(&ofpacts, 1, 0);
    check(&ofpacts, 0, "actions must come before the instructions");
    ofpacts_clear(&ofpacts);

    ofpact_put_goto_table(&ofpacts, 2);
    ofpact_put_simple(&ofpacts, OFPACT_CLEAR_ACTIONS);
    check(&ofpacts, 0, order_error);
    ofpacts_clear(&ofpacts);

    ofpact_put_simple(&ofpacts, OFPACT_CLEAR_ACTIONS);
    ofpact_put_simple(&ofpacts, OFPACT_CLEAR_ACTIONS);
    check(&ofpacts, 0, order_error);
    ofpacts_clear(&ofpacts);

    size_t ofs = ofpact_start_nested(&ofpacts, OFPACT_WRITE_ACTIONS);
    ofpact_put_simple(&ofpacts, OFPACT_CLEAR_ACTIONS);
    ofpact_end_nested(&ofpacts, ofs);
    check(&ofpacts, 0, "write_actions may hold only actions");
    ofpacts_clear(&ofpacts);

    /* A bad action inside write_actions is found. */
    ofs = ofpact_start_nested(&ofpacts, OFPACT_WRITE_ACTIONS);
    ofpact_put_output(&ofpacts, 0, 0);
    ofpact_end_nested(&ofpacts, ofs);
    check(&ofpacts, 0, "output:0: not a valid output port");
    ofpacts_uninit(&ofpacts);
}

/* Malformed records, as a buggy or hostile producer could make them. */
static void
test_check_malformed(void **state)
{
    uint64_t buf[16];
    struct ofpact *a = (void *) buf;
    char *msg;
    (void) state;

    memset(buf, 0, sizeof buf);
    a->type = OFPACT_OUTPUT;
    a->len = 8;                 /* Shorter than struct ofpact_output. */
    assert_int_equal(ofpacts_check(buf, 16, 0, &msg), EINVAL);
    assert_string_equal(msg, "action type 1 has bad length 8");
    free(msg);

    a->len = 16;
    ((struct ofpact_output *) a)->port = 1;
    assert_int_equal(ofpacts_check(buf, 16, 0, &msg), 0);
    assert_int_equal(ofpacts_check(buf, 12, 0, &msg), EINVAL);
    free(msg);
    assert_int_equal(ofpacts_check(buf, 4, 0, &msg), EINVAL);
    assert_string_equal(msg, "truncated action");
    free(msg);

    a->len = 20;                /* Not a multiple of 8. */
    assert_int_equal(ofpacts_check(buf, 24, 0, &msg), EINVAL);
    free(msg);
    a->len = 64;                /* Past the end. */
    assert_int_equal(ofpacts_check(buf, 16, 0, &msg), EINVAL);
    free(msg);

    a->type = 0;
    a->len = 16;
    assert_int_equal(ofpacts_check(buf, 16, 0, &msg), EINVAL);
    assert_string_equal(msg, "unknown action type 0");
    free(msg);
    a->type = 999;
    assert_int_equal(ofpacts_check(buf, 16, 0, &msg), EINVAL);
    free(msg);

    /* Nested list that runs past its record. */
    memset(buf, 0, sizeof buf);
    a->type = OFPACT_WRITE_ACTIONS;
    a->len = 16;
    struct ofpact *inner = a + 1;
    inner->type = OFPACT_OUTPUT;
    inner->len = 16;
    assert_int_equal(ofpacts_check(buf, 32, 0, &msg), EINVAL);
    free(msg);

    /* A note longer than its record. */
    memset(buf, 0, sizeof buf);
    struct ofpact_note *note = (void *) buf;
    note->ofpact.type = OFPACT_NOTE;
    note->ofpact.len = 24;
    note->length = 9;
    assert_int_equal(ofpacts_check(buf, 24, 0, &msg), EINVAL);
    assert_string_equal(msg, "note: bad length");
    free(msg);
    note->length = 8;
    assert_int_equal(ofpacts_check(buf, 24, 0, &msg), 0);

    /* Misaligned lists are refused. */
    assert_int_equal(ofpacts_check((char *) buf + 4, 16, 0, &msg), EINVAL);
    free(msg);
}

static void
test_format_each(void **state)
{
    struct ofpacts ofpacts;
    (void) state;

    ofpacts_init(&ofpacts);
    ofpact_put_output(&ofpacts, OFPP_IN_PORT, 0);
    ofpact_put_output(&ofpacts, OFPP_FLOOD, 0);
    ofpact_put_output(&ofpacts, OFPP_ALL, 0);
    ofpact_put_output(&ofpacts, OFPP_LOCAL, 0);
    struct ofpact_strip_vlan *sv = ofpact_put(&ofpacts, OFPACT_STRIP_VLAN,
                                              sizeof *sv);
    sv->pop_vlan = true;
    struct ofpact_mac *mac = ofpact_put(&ofpacts, OFPACT_SET_ETH_SRC,
                                        sizeof *mac);
    mac->mac.ea[5] = 1;
    struct ofpact_ipv4 *ip = ofpact_put(&ofpacts, OFPACT_SET_IPV4_DST,
                                        sizeof *ip);
    ip->ipv4 = htonl(0xc0a80001);
    struct ofpact_l4_port *l4 = ofpact_put(&ofpacts, OFPACT_SET_L4_SRC_PORT,
                                           sizeof *l4);
    l4->port = htons(8080);
    struct ofpact_queue *q = ofpact_put(&ofpacts, OFPACT_SET_QUEUE,
                                        sizeof *q);
    q->queue_id = 3;
    struct ofpact_resubmit *r = ofpact_put(&ofpacts, OFPACT_RESUBMIT,
                                           sizeof *r);
    r->in_port = OFPP_IN_PORT;
    r->table_id = 7;
    struct ofpact_note *note = ofpact_put(&ofpacts, OFPACT_NOTE,
                                          sizeof *note + 3);
    note->length = 3;
    memcpy(note->data, "\x01\xab\xff", 3);
    struct ofpact_set_field *sf = ofpact_put(&ofpacts, OFPACT_SET_FIELD,
                                             sizeof *sf);
    sf->field = MFF_NW_TTL;
    sf->value.u8 = 9;
    sf->mask.u8 = 0xff;
    struct ofpact_metadata *md = ofpact_put(&ofpacts, OFPACT_WRITE_METADATA,
                                            sizeof *md);
    md->metadata = 5;
    md->mask = UINT64_MAX;
    check(&ofpacts, 0, NULL);
    check_format(&ofpacts, "IN_PORT,FLOOD,ALL,LOCAL,pop_vlan,"
                 "mod_dl_src:00:00:00:00:00:01,mod_nw_dst:192.168.0.1,"
                 "mod_tp_src:8080,set_queue:3,resubmit(,7),note:01.ab.ff,"
                 "set_field:9->nw_ttl,write_metadata:0x5");
    ofpacts_uninit(&ofpacts);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_and_walk),
        cmocka_unit_test(test_check_values),
        cmocka_unit_test(test_check_order),
        cmocka_unit_test(test_check_malformed),
        cmocka_unit_test(test_format_each),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
