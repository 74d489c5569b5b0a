/* Unit tests for ofproto/vlan and NORMAL's VLAN handling: the VLAN matrix,
 * every vlan_mode x ingress tagging x kind of output port, checked by
 * running the datapath actions on a model of the packet's tag stack. */
#include "unit.h"

#include <arpa/inet.h>

#include "dp-actions.h"
#include "dynamic-string.h"
#include "ofproto/ofproto-private.h"
#include "ofproto/rcu.h"
#include "ofproto/vlan.h"
#include "ofproto/xlate.h"

/* A tag stack, outermost first. */
struct stack {
    struct flow_vlan tags[8];
    int n;
};

static void
stack_format(struct ds *s, const struct stack *st)
{
    for (int i = 0; i < st->n; i++) {
        uint16_t tci = ntohs(st->tags[i].tci);
        ds_put_format(s, "%s%04x:%u", i ? "," : "", ntohs(st->tags[i].tpid),
                      tci & VLAN_VID_MASK);
        if (tci & VLAN_PCP_MASK) {
            ds_put_format(s, "p%u", tci >> VLAN_PCP_SHIFT);
        }
    }
}

/* Runs ACTIONS on ST the way the datapath would, and writes for each
 * output "NAME=TAGS " to OUT (NAME from the datapath port number). */
static void
run_actions(const struct dp_actions *acts, struct stack st,
            const char *const names[], struct ds *out)
{
    DP_ACTIONS_FOR_EACH (a, acts->data, acts->size) {
        const struct dp_action_vlan *v = dp_action_payload(a);
        switch (a->type) {
        case DP_ACTION_OUTPUT:
            ds_put_format(out, "%s=", names[a->arg]);
            stack_format(out, &st);
            ds_put_char(out, ' ');
            break;
        case DP_ACTION_PUSH_VLAN:
            assert_true(v->tci & htons(VLAN_CFI));
            memmove(st.tags + 1, st.tags, st.n * sizeof st.tags[0]);
            st.tags[0].tpid = v->tpid;
            st.tags[0].tci = v->tci & ~htons(VLAN_CFI);
            st.n++;
            break;
        case DP_ACTION_POP_VLAN:
            assert_true(st.n > 0);
            memmove(st.tags, st.tags + 1, --st.n * sizeof st.tags[0]);
            break;
        case DP_ACTION_SET_VLAN:
            assert_true(st.n > 0);
            st.tags[0].tci = (st.tags[0].tci & ~v->mask) | (v->tci & v->mask);
            break;
        default:
            fail_msg("unexpected action type %u", a->type);
        }
    }
    ds_strip_trailing_space(out);
}

/* The output ports every case floods to (datapath port = index). */
static const char *const port_names[] = {
    "-", "in", "A", "T", "T20", "NT", "NU", "NU20", "Q",
};

static void
add_port(struct ofproto *p, uint32_t no, const char *cfg)
{
    struct ofproto_port_settings s;
    char *error;

    memset(&s, 0, sizeof s);
    s.name = port_names[no];
    s.ofp_port = no;
    s.dp_port = no;
    vlan_port_config_init(&s.vlan);
    char *copy = xstrdup(cfg);
    char *save = NULL;
    for (char *w = strtok_r(copy, " ", &save); w;
         w = strtok_r(NULL, " ", &save)) {
        if (str_starts_with(w, "mode=")) {
            assert_true(vlan_mode_from_string(w + 5, &s.vlan.mode));
        } else if (str_starts_with(w, "tag=")) {
            s.vlan.tag = atoi(w + 4);
        } else if (str_starts_with(w, "trunks=")) {
            s.vlan.has_trunks = true;
            assert_null(vlan_bitmap_parse(w + 7, &s.vlan.trunks));
        } else if (str_starts_with(w, "cvlans=")) {
            s.vlan.has_cvlans = true;
            assert_null(vlan_bitmap_parse(w + 7, &s.vlan.cvlans));
        } else {
            fail_msg("bad port config word %s", w);
        }
    }
    free(copy);
    assert_int_equal(ofproto_port_set(p, &s, &error), 0);
}

enum ingress { UNTAGGED, TAGGED, DOUBLE, PRIORITY, QINQ };

static struct stack
ingress_stack(enum ingress kind)
{
    struct stack st = { .n = 0 };
    be16 q = htons(ETH_TYPE_VLAN_8021Q);
    switch (kind) {
    case UNTAGGED:
        break;
    case TAGGED:
        st.tags[st.n++] = (struct flow_vlan) { q, htons(10) };
        break;
    case DOUBLE:
        st.tags[st.n++] = (struct flow_vlan) { q, htons(10) };
        st.tags[st.n++] = (struct flow_vlan) { q, htons(20) };
        break;
    case PRIORITY:
        st.tags[st.n++] = (struct flow_vlan) { q, htons(3 << 13) };
        break;
    case QINQ:                  /* 802.1ad VLAN 10 over 802.1Q 20. */
        st.tags[st.n++] = (struct flow_vlan) {
            htons(ETH_TYPE_VLAN_8021AD), htons(10) };
        st.tags[st.n++] = (struct flow_vlan) { q, htons(20) };
        break;
    }
    return st;
}

/* Floods a broadcast from port "in" (configured IN_CFG) with tags KIND and
 * checks where it goes, with which tags. */
static void
check_case(const char *in_cfg, enum ingress kind, const char *expected)
{
    struct ofproto *p;
    struct stack st = ingress_stack(kind);

    assert_int_equal(ofproto_create("br-vlan", &p), 0);
    add_port(p, 1, in_cfg);
    add_port(p, 2, "mode=access tag=10");
    add_port(p, 3, "mode=trunk");
    add_port(p, 4, "mode=trunk trunks=20");
    add_port(p, 5, "mode=native-tagged tag=10");
    add_port(p, 6, "mode=native-untagged tag=10");
    add_port(p, 7, "mode=native-untagged tag=20");
    add_port(p, 8, "mode=dot1q-tunnel tag=10");

    struct xlate_in xin = { .ofproto = p };
    memset(&xin.flow.dl_dst, 0xff, sizeof xin.flow.dl_dst);
    xin.flow.dl_src.ea[0] = 0x02;
    xin.flow.dl_src.ea[5] = 0x01;
    xin.flow.dl_type = htons(ETH_TYPE_IP);
    xin.flow.in_port = 1;
    for (int i = 0; i < st.n && i < FLOW_MAX_VLANS; i++) {
        xin.flow.vlans[i].tpid = st.tags[i].tpid;
        xin.flow.vlans[i].tci = st.tags[i].tci | htons(VLAN_CFI);
    }

    struct xlate_out xout;
    xlate_out_init(&xout);
    pthread_rwlock_rdlock(&ofproto_rwlock);
    int lock = rcu_read_lock();
    assert_int_equal(xlate_packet(&xin, &xout), 0);
    rcu_read_unlock(lock);
    pthread_rwlock_unlock(&ofproto_rwlock);

    struct ds got = DS_EMPTY_INITIALIZER;
    run_actions(&xout.actions, st, port_names, &got);
    if (strcmp(ds_cstr(&got), expected)) {
        print_error("in port \"%s\", ingress kind %d:\n  got      \"%s\"\n"
                    "  expected \"%s\"\n", in_cfg, kind, ds_cstr(&got),
                    expected);
    }
    assert_string_equal(ds_cstr(&got), expected);
    /* The decision depended on the tags: they are in the mask. */
    assert_int_equal(xout.wc.masks.vlans[0].tci, 0xffff);
    assert_int_equal(xout.wc.masks.vlans[0].tpid, 0xffff);
    ds_destroy(&got);
    xlate_out_uninit(&xout);
    ofproto_destroy(p);
}

/* Ports in VLAN 10 with the packet's own tags inside. */
#define IN10(INNER_COMMA, INNER)                                        \
    "A=" INNER " T=8100:10" INNER_COMMA INNER                           \
    " NT=8100:10" INNER_COMMA INNER " NU=" INNER                        \
    " NU20=8100:10" INNER_COMMA INNER " Q=" INNER

static void
test_matrix_access(void **state)
{
    (void) state;
    const char *cfg = "mode=access tag=10";
    check_case(cfg, UNTAGGED, IN10("", ""));
    check_case(cfg, TAGGED, "");
    check_case(cfg, DOUBLE, "");
    check_case(cfg, PRIORITY,
               "A= T=8100:10p3 NT=8100:10p3 NU= NU20=8100:10p3 Q=");
    /* Without vlan_mode, a tag means access. */
    check_case("tag=10", UNTAGGED, IN10("", ""));
    check_case("tag=10", TAGGED, "");
}

static void
test_matrix_trunk(void **state)
{
    (void) state;
    check_case("mode=trunk", UNTAGGED, "T= NT= NU= NU20=");
    check_case("mode=trunk", TAGGED, IN10("", ""));
    check_case("mode=trunk", DOUBLE, IN10(",", "8100:20"));
    check_case("mode=trunk", PRIORITY, "T= NT= NU= NU20=");
    /* Without vlan_mode or tag: a trunk of every VLAN. */
    check_case("", TAGGED, IN10("", ""));
    /* A trunk drops what it does not trunk, untagged (VLAN 0) too. */
    check_case("mode=trunk trunks=20", TAGGED, "");
    check_case("mode=trunk trunks=20", UNTAGGED, "");
    check_case("mode=trunk trunks=0,10", UNTAGGED, "T= NT= NU= NU20=");
}

static void
test_matrix_native(void **state)
{
    (void) state;
    for (int i = 0; i < 2; i++) {
        const char *cfg = i ? "mode=native-untagged tag=10"
                            : "mode=native-tagged tag=10";
        check_case(cfg, UNTAGGED, IN10("", ""));
        check_case(cfg, TAGGED, IN10("", ""));
        check_case(cfg, DOUBLE, IN10(",", "8100:20"));
        check_case(cfg, PRIORITY,
                   "A= T=8100:10p3 NT=8100:10p3 NU= NU20=8100:10p3 Q=");
    }
    /* A native port with trunks drops other VLANs but keeps its own. */
    check_case("mode=native-tagged tag=10 trunks=20", TAGGED, IN10("", ""));
    check_case("mode=native-tagged tag=20 trunks=30", TAGGED, "");
}

static void
test_matrix_dot1q_tunnel(void **state)
{
    (void) state;
    const char *cfg = "mode=dot1q-tunnel tag=10";
#define TUN(INNER) \
    "A=" INNER " T=88a8:10," INNER " NT=88a8:10," INNER " NU=" INNER \
    " NU20=88a8:10," INNER " Q=" INNER
    check_case(cfg, UNTAGGED,
               "A= T=88a8:10 NT=88a8:10 NU= NU20=88a8:10 Q=");
    check_case(cfg, TAGGED, TUN("8100:10"));
    check_case(cfg, DOUBLE, TUN("8100:10,8100:20"));
    check_case(cfg, PRIORITY, TUN("8100:0p3"));
    /* cvlans: only those customer VLANs (0 = untagged) get in. */
    const char *cv = "mode=dot1q-tunnel tag=10 cvlans=10";
    check_case(cv, TAGGED, TUN("8100:10"));
    check_case(cv, DOUBLE, TUN("8100:10,8100:20"));
    check_case(cv, UNTAGGED, "");
    check_case(cv, PRIORITY, "");
#undef TUN
}

/* An 802.1ad outer tag: the outer VID decides as for any tag, and a tag a
 * trunk's arrival gets again on output keeps its TPID. */
static void
test_matrix_qinq(void **state)
{
    (void) state;
    const char *in10 = "A=8100:20 T=88a8:10,8100:20 NT=88a8:10,8100:20"
                       " NU=8100:20 NU20=88a8:10,8100:20 Q=8100:20";
    check_case("mode=trunk", QINQ, in10);
    check_case("mode=native-tagged tag=10", QINQ, in10);
    check_case("mode=native-untagged tag=20", QINQ, in10);
    check_case("mode=trunk trunks=20", QINQ, "");
    check_case("mode=access tag=10", QINQ, "");
    /* A tunnel keeps both customer tags inside its service tag. */
#define TUN "88a8:10,8100:20"
    check_case("mode=dot1q-tunnel tag=10", QINQ,
               "A=" TUN " T=88a8:10," TUN " NT=88a8:10," TUN " NU=" TUN
               " NU20=88a8:10," TUN " Q=" TUN);
#undef TUN
    check_case("mode=dot1q-tunnel tag=10 cvlans=20", QINQ, "");
}

static void
test_port_config(void **state)
{
    struct vlan_port_config cfg;
    struct vlan_bitmap b;
    char *error;

    (void) state;
    vlan_port_config_init(&cfg);
    assert_int_equal(vlan_port_mode(&cfg), VLAN_MODE_TRUNK);
    assert_null(vlan_port_config_check(&cfg));
    cfg.mode = VLAN_MODE_ACCESS;
    error = vlan_port_config_check(&cfg);
    assert_non_null(strstr(error, "needs a tag"));
    free(error);
    cfg.tag = 4096;
    error = vlan_port_config_check(&cfg);
    assert_non_null(strstr(error, "4096"));
    free(error);

    assert_null(vlan_bitmap_parse("1,5-7, 4095", &b));
    assert_true(vlan_bitmap_has(&b, 1));
    assert_true(vlan_bitmap_has(&b, 6));
    assert_true(vlan_bitmap_has(&b, 4095));
    assert_false(vlan_bitmap_has(&b, 8));
    static const char *const bad[] = { "4096", "7-5", "x", "1,-3", "12345" };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        memset(&b, 0xff, sizeof b);
        error = vlan_bitmap_parse(bad[i], &b);
        assert_non_null(error);
        free(error);
        assert_true(vlan_bitmap_has(&b, 100));     /* Untouched. */
    }

    struct ds s = DS_EMPTY_INITIALIZER;
    vlan_port_config_init(&cfg);
    cfg.mode = VLAN_MODE_NATIVE_UNTAGGED;
    cfg.tag = 5;
    cfg.has_trunks = true;
    assert_null(vlan_bitmap_parse("1-3,9", &cfg.trunks));
    vlan_port_config_format(&s, &cfg);
    assert_string_equal(ds_cstr(&s),
                        "vlan_mode=native-untagged tag=5 trunks=1-3,9");
    ds_destroy(&s);

    enum vlan_mode m;
    assert_true(vlan_mode_from_string("dot1q-tunnel", &m));
    assert_int_equal(m, VLAN_MODE_DOT1Q_TUNNEL);
    assert_false(vlan_mode_from_string("default", &m));
    assert_false(vlan_mode_from_string("trunks", &m));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_port_config),
        cmocka_unit_test(test_matrix_access),
        cmocka_unit_test(test_matrix_trunk),
        cmocka_unit_test(test_matrix_native),
        cmocka_unit_test(test_matrix_dot1q_tunnel),
        cmocka_unit_test(test_matrix_qinq),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
