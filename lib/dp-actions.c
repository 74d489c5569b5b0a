/*
 * dp-actions: building, checking and printing datapath action lists.
 *
 * What dp_actions_validate() accepts, beyond dp-actions.h's summary (the
 * rules make every valid list print to text that parses back to the same
 * bytes, and catch slow-path mistakes before a megaflow is installed):
 *   - ACTIONS is 8-byte aligned; every record is at least 8 bytes, a
 *     multiple of 8, and inside SIZE; a CLONE's nested list likewise
 *     inside its record, at most DP_ACTIONS_MAX_DEPTH clones deep.
 *   - arg is 0 except for OUTPUT (a port, not UINT32_MAX, which Skiff
 *     keeps for "no port"), TRUNCATE (>= ETH_HEADER_LEN) and POLICE (any
 *     meter id).
 *   - Payloads have exactly their struct's size, padded to 8; padding and
 *     unused members are 0.
 *   - PUSH_VLAN: tpid is 0x8100 or 0x88a8 and tci has VLAN_CFI set, the
 *     flow key convention; the executor writes tci & ~VLAN_CFI to the
 *     wire (Skiff never sets DEI).
 *   - SET_*: each value has no bit outside its mask, at least one mask bit
 *     is set, and SET_VLAN's mask leaves VLAN_CFI alone.
 *
 * Text form (dp_actions_format(), dp_actions_parse()), records separated
 * by commas, "drop" for an empty list:
 *   output:PORT                    pop_vlan
 *   push_vlan(tpid=0x8100,vid=V,pcp=P)     (parse: tpid, pcp optional)
 *   set_vlan(vid=V[/M],pcp=P[/M])
 *   set(eth(src=MAC[/MAC],dst=MAC[/MAC]))
 *   set(ipv4(src=IP[/IP],dst=IP[/IP],tos=N[/M],ttl=N[/M]))
 *   set(ipv6(src=IP6[/IP6],dst=IP6[/IP6],tclass=N[/M],hlimit=N[/M]))
 *   set(l4(src=PORT[/M],dst=PORT[/M]))
 *   truncate(LEN)   police(METER)   userspace(cookie=N)
 *   clone(ACTIONS)                 (clone() is an empty nested list)
 * In set actions a field whose mask is 0 is left out; a value with a full
 * mask prints without "/MASK".  Numbers parse in decimal or 0x hex.
 */
#include <config.h>

#include "dp-actions.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dynamic-string.h"

/* Largest record: its length must fit in dp_action's uint16_t len. */
#define DP_ACTION_MAX_LEN (UINT16_MAX & ~(DP_ACTION_ALIGN - 1))

static size_t
pad8(size_t n)
{
    return (n + DP_ACTION_ALIGN - 1) & ~(size_t) (DP_ACTION_ALIGN - 1);
}

void
dp_actions_init(struct dp_actions *actions)
{
    actions->data = NULL;
    actions->size = 0;
    actions->allocated = 0;
}

void
dp_actions_uninit(struct dp_actions *actions)
{
    free(actions->data);
    dp_actions_init(actions);
}

void
dp_actions_clear(struct dp_actions *actions)
{
    actions->size = 0;
}

/* Returns N zeroed bytes at the end of ACTIONS. */
static void *
dp_actions_grow(struct dp_actions *actions, size_t n)
{
    if (actions->allocated - actions->size < n) {
        size_t want = MAX(actions->size + n, 2 * actions->allocated);
        actions->data = xrealloc(actions->data, MAX(want, 64));
        actions->allocated = MAX(want, 64);
    }
    void *p = actions->data + actions->size;
    memset(p, 0, n);
    actions->size += n;
    return p;
}

/* A payload too big for a record gets a record of length 0, which
 * dp_actions_validate() rejects. */
void
dp_actions_put(struct dp_actions *actions, enum dp_action_type type,
               uint32_t arg, const void *payload, size_t len)
{
    size_t rec_len = sizeof(struct dp_action) + pad8(len);
    struct dp_action *a = dp_actions_grow(actions, rec_len);
    a->type = type;
    a->len = rec_len <= DP_ACTION_MAX_LEN ? rec_len : 0;
    a->arg = arg;
    if (len) {
        memcpy(a + 1, payload, len);
    }
}

void
dp_actions_put_output(struct dp_actions *actions, uint32_t port)
{
    dp_actions_put(actions, DP_ACTION_OUTPUT, port, NULL, 0);
}

void
dp_actions_put_push_vlan(struct dp_actions *actions, be16 tpid, be16 tci)
{
    struct dp_action_vlan v = { .tpid = tpid, .tci = tci };
    dp_actions_put(actions, DP_ACTION_PUSH_VLAN, 0, &v, sizeof v);
}

void
dp_actions_put_pop_vlan(struct dp_actions *actions)
{
    dp_actions_put(actions, DP_ACTION_POP_VLAN, 0, NULL, 0);
}

void
dp_actions_put_set_vlan(struct dp_actions *actions, be16 tci, be16 mask)
{
    struct dp_action_vlan v = { .tci = tci & mask, .mask = mask };
    dp_actions_put(actions, DP_ACTION_SET_VLAN, 0, &v, sizeof v);
}

void
dp_actions_put_truncate(struct dp_actions *actions, uint32_t max_len)
{
    dp_actions_put(actions, DP_ACTION_TRUNCATE, max_len, NULL, 0);
}

void
dp_actions_put_police(struct dp_actions *actions, uint32_t meter_id)
{
    dp_actions_put(actions, DP_ACTION_POLICE, meter_id, NULL, 0);
}

void
dp_actions_put_userspace(struct dp_actions *actions, uint64_t cookie)
{
    struct dp_action_userspace u = { .cookie = cookie };
    dp_actions_put(actions, DP_ACTION_USERSPACE, 0, &u, sizeof u);
}

size_t
dp_actions_start_nested(struct dp_actions *actions,
                        enum dp_action_type type)
{
    size_t offset = actions->size;
    dp_actions_put(actions, type, 0, NULL, 0);
    return offset;
}

/* A nested list too big for a record leaves the record's length 0, which
 * dp_actions_validate() rejects. */
void
dp_actions_end_nested(struct dp_actions *actions, size_t offset)
{
    struct dp_action *a = (void *) (actions->data + offset);
    size_t len = actions->size - offset;
    a->len = len <= DP_ACTION_MAX_LEN ? len : 0;
}

/* Validation. */

/* Returns true if every bit of VALUE (N bytes) is inside MASK. */
static bool
masked_ok(const void *value_, const void *mask_, size_t n)
{
    const uint8_t *value = value_, *mask = mask_;
    uint8_t outside = 0;
    for (size_t i = 0; i < n; i++) {
        outside |= value[i] & ~mask[i];
    }
    return !outside;
}

static bool
any_bit(const void *p_, size_t n)
{
    const uint8_t *p = p_;
    uint8_t any = 0;
    for (size_t i = 0; i < n; i++) {
        any |= p[i];
    }
    return any;
}

static bool
validate_payload(const struct dp_action *a)
{
    const void *pl = dp_action_payload(a);
    struct dp_action_vlan v;
    struct dp_action_set_eth eth;
    struct dp_action_set_ipv4 ip4;
    struct dp_action_set_ipv6 ip6;
    struct dp_action_set_l4 l4;

    switch ((enum dp_action_type) a->type) {
    case DP_ACTION_PUSH_VLAN:
        memcpy(&v, pl, sizeof v);
        return ((v.tpid == htons(ETH_TYPE_VLAN_8021Q)
                 || v.tpid == htons(ETH_TYPE_VLAN_8021AD))
                && v.tci & htons(VLAN_CFI) && !v.mask && !v.pad);
    case DP_ACTION_SET_VLAN:
        memcpy(&v, pl, sizeof v);
        return (!v.tpid && !v.pad && v.mask && !(v.mask & htons(VLAN_CFI))
                && !(v.tci & ~v.mask));
    case DP_ACTION_SET_ETH:
        memcpy(&eth, pl, sizeof eth);
        return (masked_ok(&eth.src, &eth.src_mask, ETH_ADDR_LEN)
                && masked_ok(&eth.dst, &eth.dst_mask, ETH_ADDR_LEN)
                && (any_bit(&eth.src_mask, ETH_ADDR_LEN)
                    || any_bit(&eth.dst_mask, ETH_ADDR_LEN)));
    case DP_ACTION_SET_IPV4:
        memcpy(&ip4, pl, sizeof ip4);
        return (!(ip4.src & ~ip4.src_mask) && !(ip4.dst & ~ip4.dst_mask)
                && !(ip4.tos & ~ip4.tos_mask) && !(ip4.ttl & ~ip4.ttl_mask)
                && !ip4.pad
                && (ip4.src_mask || ip4.dst_mask || ip4.tos_mask
                    || ip4.ttl_mask));
    case DP_ACTION_SET_IPV6:
        memcpy(&ip6, pl, sizeof ip6);
        return (masked_ok(&ip6.src, &ip6.src_mask, sizeof ip6.src)
                && masked_ok(&ip6.dst, &ip6.dst_mask, sizeof ip6.dst)
                && !(ip6.tclass & ~ip6.tclass_mask)
                && !(ip6.hlimit & ~ip6.hlimit_mask) && !ip6.pad
                && (any_bit(&ip6.src_mask, sizeof ip6.src_mask)
                    || any_bit(&ip6.dst_mask, sizeof ip6.dst_mask)
                    || ip6.tclass_mask || ip6.hlimit_mask));
    case DP_ACTION_SET_L4:
        memcpy(&l4, pl, sizeof l4);
        return (!(l4.src & ~l4.src_mask) && !(l4.dst & ~l4.dst_mask)
                && (l4.src_mask || l4.dst_mask));
    default:
        return true;
    }
}

/* The payload size of each type; -1 for CLONE (any), 0 for none. */
static int
payload_size(uint16_t type)
{
    switch ((enum dp_action_type) type) {
    case DP_ACTION_OUTPUT:
    case DP_ACTION_POP_VLAN:
    case DP_ACTION_TRUNCATE:
    case DP_ACTION_POLICE:
        return 0;
    case DP_ACTION_PUSH_VLAN:
    case DP_ACTION_SET_VLAN:
        return sizeof(struct dp_action_vlan);
    case DP_ACTION_SET_ETH:
        return sizeof(struct dp_action_set_eth);
    case DP_ACTION_SET_IPV4:
        return sizeof(struct dp_action_set_ipv4);
    case DP_ACTION_SET_IPV6:
        return sizeof(struct dp_action_set_ipv6);
    case DP_ACTION_SET_L4:
        return sizeof(struct dp_action_set_l4);
    case DP_ACTION_USERSPACE:
        return sizeof(struct dp_action_userspace);
    case DP_ACTION_CLONE:
        return -1;
    }
    return -2;
}

static bool
validate_arg(const struct dp_action *a)
{
    switch ((enum dp_action_type) a->type) {
    case DP_ACTION_OUTPUT:
        return a->arg != UINT32_MAX;
    case DP_ACTION_TRUNCATE:
        return a->arg >= ETH_HEADER_LEN;
    case DP_ACTION_POLICE:
        return true;
    default:
        return a->arg == 0;
    }
}

static bool
validate__(const uint8_t *p, size_t size, int depth)
{
    while (size) {
        const struct dp_action *a = (const void *) p;
        if (size < sizeof *a || a->len < sizeof *a || a->len > size
            || a->len % DP_ACTION_ALIGN || !validate_arg(a)) {
            return false;
        }

        int want = payload_size(a->type);
        size_t have = dp_action_payload_len(a);
        if (want == -1) {
            if (depth >= DP_ACTIONS_MAX_DEPTH
                || !validate__(p + sizeof *a, have, depth + 1)) {
                return false;
            }
        } else if (want < 0 || have != pad8(want)
                   || any_bit((const uint8_t *) (a + 1) + want,
                              have - want)
                   || !validate_payload(a)) {
            return false;
        }
        p += a->len;
        size -= a->len;
    }
    return true;
}

int
dp_actions_validate(const void *actions, size_t size)
{
    if ((uintptr_t) actions % DP_ACTION_ALIGN) {
        return EINVAL;
    }
    return validate__(actions, size, 0) ? 0 : EINVAL;
}

/* Text form. */

/* Fields of one "name(key=value,...)": commas between them. */
struct fields {
    struct ds *ds;
    bool first;
};

static void
field_start(struct fields *f, const char *key)
{
    if (!f->first) {
        ds_put_char(f->ds, ',');
    }
    f->first = false;
    ds_put_format(f->ds, "%s=", key);
}

static void
put_num(struct fields *f, const char *key, uint32_t value, uint32_t mask,
        uint32_t all)
{
    if (mask) {
        field_start(f, key);
        ds_put_format(f->ds, "%"PRIu32, value);
        if (mask != all) {
            ds_put_format(f->ds, "/0x%"PRIx32, mask);
        }
    }
}

static void
put_eth(struct fields *f, const char *key, struct eth_addr value,
        struct eth_addr mask)
{
    if (!eth_addr_is_zero(mask)) {
        field_start(f, key);
        ds_put_format(f->ds, ETH_ADDR_FMT, ETH_ADDR_ARGS(value));
        if (!eth_addr_is_broadcast(mask)) {
            ds_put_format(f->ds, "/"ETH_ADDR_FMT, ETH_ADDR_ARGS(mask));
        }
    }
}

static void
put_ip(struct fields *f, const char *key, int af, const void *value,
       const void *mask, size_t n)
{
    static const uint8_t ones[16] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    };
    char buf[INET6_ADDRSTRLEN];

    if (any_bit(mask, n)) {
        field_start(f, key);
        ds_put_cstr(f->ds, inet_ntop(af, value, buf, sizeof buf));
        if (memcmp(mask, ones, n)) {
            ds_put_format(f->ds, "/%s", inet_ntop(af, mask, buf, sizeof buf));
        }
    }
}

static void format_list(struct ds *, const uint8_t *, size_t, int depth);

static void
format_set(struct ds *ds, const struct dp_action *a)
{
    struct fields f = { ds, true };
    const void *pl = dp_action_payload(a);
    struct dp_action_set_eth eth;
    struct dp_action_set_ipv4 ip4;
    struct dp_action_set_ipv6 ip6;
    struct dp_action_set_l4 l4;

    switch (a->type) {
    case DP_ACTION_SET_ETH:
        memcpy(&eth, pl, sizeof eth);
        ds_put_cstr(ds, "set(eth(");
        put_eth(&f, "src", eth.src, eth.src_mask);
        put_eth(&f, "dst", eth.dst, eth.dst_mask);
        break;
    case DP_ACTION_SET_IPV4:
        memcpy(&ip4, pl, sizeof ip4);
        ds_put_cstr(ds, "set(ipv4(");
        put_ip(&f, "src", AF_INET, &ip4.src, &ip4.src_mask, 4);
        put_ip(&f, "dst", AF_INET, &ip4.dst, &ip4.dst_mask, 4);
        put_num(&f, "tos", ip4.tos, ip4.tos_mask, 0xff);
        put_num(&f, "ttl", ip4.ttl, ip4.ttl_mask, 0xff);
        break;
    case DP_ACTION_SET_IPV6:
        memcpy(&ip6, pl, sizeof ip6);
        ds_put_cstr(ds, "set(ipv6(");
        put_ip(&f, "src", AF_INET6, &ip6.src, &ip6.src_mask, 16);
        put_ip(&f, "dst", AF_INET6, &ip6.dst, &ip6.dst_mask, 16);
        put_num(&f, "tclass", ip6.tclass, ip6.tclass_mask, 0xff);
        put_num(&f, "hlimit", ip6.hlimit, ip6.hlimit_mask, 0xff);
        break;
    case DP_ACTION_SET_L4:
        memcpy(&l4, pl, sizeof l4);
        ds_put_cstr(ds, "set(l4(");
        put_num(&f, "src", ntohs(l4.src), ntohs(l4.src_mask), 0xffff);
        put_num(&f, "dst", ntohs(l4.dst), ntohs(l4.dst_mask), 0xffff);
        break;
    }
    ds_put_cstr(ds, "))");
}

static void
format_action(struct ds *ds, const struct dp_action *a, int depth)
{
    struct fields f = { ds, true };
    struct dp_action_vlan v;
    struct dp_action_userspace u;
    int want = payload_size(a->type);
    size_t have = dp_action_payload_len(a);

    if (want == -2 || (want >= 0 && have < (size_t) want)) {
        ds_put_format(ds, "bad_action(type=%"PRIu16",len=%"PRIu16")",
                      a->type, a->len);
        return;
    }
    switch ((enum dp_action_type) a->type) {
    case DP_ACTION_OUTPUT:
        ds_put_format(ds, "output:%"PRIu32, a->arg);
        break;
    case DP_ACTION_PUSH_VLAN:
        memcpy(&v, dp_action_payload(a), sizeof v);
        ds_put_format(ds, "push_vlan(tpid=0x%04x,vid=%d,pcp=%d)",
                      ntohs(v.tpid), ntohs(v.tci) & VLAN_VID_MASK,
                      (ntohs(v.tci) & VLAN_PCP_MASK) >> VLAN_PCP_SHIFT);
        break;
    case DP_ACTION_POP_VLAN:
        ds_put_cstr(ds, "pop_vlan");
        break;
    case DP_ACTION_SET_VLAN:
        memcpy(&v, dp_action_payload(a), sizeof v);
        ds_put_cstr(ds, "set_vlan(");
        put_num(&f, "vid", ntohs(v.tci) & VLAN_VID_MASK,
                ntohs(v.mask) & VLAN_VID_MASK, VLAN_VID_MASK);
        put_num(&f, "pcp", (ntohs(v.tci) & VLAN_PCP_MASK) >> VLAN_PCP_SHIFT,
                (ntohs(v.mask) & VLAN_PCP_MASK) >> VLAN_PCP_SHIFT, 7);
        ds_put_char(ds, ')');
        break;
    case DP_ACTION_SET_ETH:
    case DP_ACTION_SET_IPV4:
    case DP_ACTION_SET_IPV6:
    case DP_ACTION_SET_L4:
        format_set(ds, a);
        break;
    case DP_ACTION_TRUNCATE:
        ds_put_format(ds, "truncate(%"PRIu32")", a->arg);
        break;
    case DP_ACTION_POLICE:
        ds_put_format(ds, "police(%"PRIu32")", a->arg);
        break;
    case DP_ACTION_USERSPACE:
        memcpy(&u, dp_action_payload(a), sizeof u);
        ds_put_format(ds, "userspace(cookie=0x%"PRIx64")", u.cookie);
        break;
    case DP_ACTION_CLONE:
        ds_put_cstr(ds, "clone(");
        format_list(ds, (const uint8_t *) dp_action_payload(a), have,
                    depth + 1);
        ds_put_char(ds, ')');
        break;
    }
}

/* Prints the list at P, stopping with "bad_action" at a record that does
 * not fit (the list should have been validated). */
static void
format_list(struct ds *ds, const uint8_t *p, size_t size, int depth)
{
    bool first = true;

    while (size) {
        const struct dp_action *a = (const void *) p;
        if (!first) {
            ds_put_char(ds, ',');
        }
        first = false;
        if (size < sizeof *a || a->len < sizeof *a || a->len > size
            || a->len % DP_ACTION_ALIGN || depth > DP_ACTIONS_MAX_DEPTH) {
            ds_put_cstr(ds, "bad_action");
            return;
        }
        format_action(ds, a, depth);
        p += a->len;
        size -= a->len;
    }
}

void
dp_actions_format(struct ds *ds, const void *actions, size_t size)
{
    if (!size) {
        ds_put_cstr(ds, "drop");
    } else {
        format_list(ds, actions, size, 0);
    }
}

/* Parsing.  The input is copied and cut in place; every error names the
 * action it is in and, when there is one, the bad key or value. */

/* Splits *S at the first comma outside parentheses: returns the item
 * (spaces trimmed) and moves *S past the comma, or to NULL at the end.
 * Returns NULL if the parentheses do not balance. */
static char *
next_item(char **s)
{
    char *start = *s, *p;
    int depth = 0;

    for (p = start; *p; p++) {
        if (*p == '(') {
            depth++;
        } else if (*p == ')' && --depth < 0) {
            return NULL;
        } else if (*p == ',' && !depth) {
            break;
        }
    }
    if (depth) {
        return NULL;
    }
    *s = *p ? p + 1 : NULL;
    *p = '\0';
    while (*start == ' ') {
        start++;
    }
    for (p = start + strlen(start); p > start && p[-1] == ' '; p--) {
        p[-1] = '\0';
    }
    return start;
}

/* Parses "0x" hex or decimal, at most MAX, the whole string. */
static bool
parse_uint(const char *s, uint64_t max, uint64_t *value)
{
    int base = 10;
    char *end;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        base = 16;
    }
    bool digit = (*s >= '0' && *s <= '9')
                 || (base == 16 && ((*s >= 'a' && *s <= 'f')
                                    || (*s >= 'A' && *s <= 'F')));
    if (!digit) {
        return false;
    }
    errno = 0;
    unsigned long long x = strtoull(s, &end, base);
    if (errno || *end || x > max) {
        return false;
    }
    *value = x;
    return true;
}

/* The value and mask of one "key=VALUE[/MASK]" field. */
enum field_kind { FIELD_U8, FIELD_BE16, FIELD_ETH, FIELD_IPV4, FIELD_IPV6 };

struct field_spec {
    const char *key;
    enum field_kind kind;
    size_t value_ofs;           /* In the payload struct. */
    size_t mask_ofs;
};

static size_t
field_size(enum field_kind kind)
{
    static const size_t sizes[] = { 1, 2, ETH_ADDR_LEN, 4, 16 };
    return sizes[kind];
}

/* Parses S, one value of KIND, into the FIELD_SIZE(KIND) bytes at DST. */
static bool
parse_field_value(const char *s, enum field_kind kind, uint8_t *dst)
{
    uint64_t x;
    be16 x16;

    switch (kind) {
    case FIELD_U8:
        if (!parse_uint(s, UINT8_MAX, &x)) {
            return false;
        }
        *dst = x;
        return true;
    case FIELD_BE16:
        if (!parse_uint(s, UINT16_MAX, &x)) {
            return false;
        }
        x16 = htons(x);
        memcpy(dst, &x16, sizeof x16);
        return true;
    case FIELD_ETH: {
        struct eth_addr ea;
        if (eth_addr_from_string(s, &ea) != ETH_ADDR_STRLEN
            || s[ETH_ADDR_STRLEN]) {
            return false;
        }
        memcpy(dst, &ea, sizeof ea);
        return true;
    }
    case FIELD_IPV4:
        return inet_pton(AF_INET, s, dst) == 1;
    case FIELD_IPV6:
        return inet_pton(AF_INET6, s, dst) == 1;
    }
    return false;
}

/* Parses "VALUE[/MASK]" into the payload at PL as SPEC says; the value is
 * masked. */
static char *
parse_field(const struct field_spec *spec, char *value, uint8_t *pl,
            const char *action)
{
    size_t n = field_size(spec->kind);
    uint8_t *v = pl + spec->value_ofs, *m = pl + spec->mask_ofs;
    char *slash = strchr(value, '/');

    if (slash) {
        *slash = '\0';
    }
    if (!parse_field_value(value, spec->kind, v)) {
        return xasprintf("%s: bad value \"%s\" for %s", action, value,
                         spec->key);
    }
    if (slash && !parse_field_value(slash + 1, spec->kind, m)) {
        return xasprintf("%s: bad mask \"%s\" for %s", action, slash + 1,
                         spec->key);
    } else if (!slash) {
        memset(m, 0xff, n);
    }
    for (size_t i = 0; i < n; i++) {
        v[i] &= m[i];
    }
    return NULL;
}

#define FIELD(STRUCT, KEY, KIND, VALUE, MASK)                   \
    { KEY, KIND, offsetof(STRUCT, VALUE), offsetof(STRUCT, MASK) }

static const struct field_spec eth_fields[] = {
    FIELD(struct dp_action_set_eth, "src", FIELD_ETH, src, src_mask),
    FIELD(struct dp_action_set_eth, "dst", FIELD_ETH, dst, dst_mask),
    { NULL, 0, 0, 0 },
};

static const struct field_spec ipv4_fields[] = {
    FIELD(struct dp_action_set_ipv4, "src", FIELD_IPV4, src, src_mask),
    FIELD(struct dp_action_set_ipv4, "dst", FIELD_IPV4, dst, dst_mask),
    FIELD(struct dp_action_set_ipv4, "tos", FIELD_U8, tos, tos_mask),
    FIELD(struct dp_action_set_ipv4, "ttl", FIELD_U8, ttl, ttl_mask),
    { NULL, 0, 0, 0 },
};

static const struct field_spec ipv6_fields[] = {
    FIELD(struct dp_action_set_ipv6, "src", FIELD_IPV6, src, src_mask),
    FIELD(struct dp_action_set_ipv6, "dst", FIELD_IPV6, dst, dst_mask),
    FIELD(struct dp_action_set_ipv6, "tclass", FIELD_U8, tclass,
          tclass_mask),
    FIELD(struct dp_action_set_ipv6, "hlimit", FIELD_U8, hlimit,
          hlimit_mask),
    { NULL, 0, 0, 0 },
};

static const struct field_spec l4_fields[] = {
    FIELD(struct dp_action_set_l4, "src", FIELD_BE16, src, src_mask),
    FIELD(struct dp_action_set_l4, "dst", FIELD_BE16, dst, dst_mask),
    { NULL, 0, 0, 0 },
};

/* Calls FN for each "key=value" of INNER (the text between the
 * parentheses of ACTION), rejecting keys given twice and keys not in
 * KEYS (NULL-terminated). */
typedef char *kv_func(void *aux, const char *key, char *value,
                      const char *action);

static char *
parse_kv_list(char *inner, const char *const *keys, kv_func *fn, void *aux,
              const char *action)
{
    unsigned int seen = 0;

    while (inner && *inner) {
        char *item = next_item(&inner);
        char *eq = item ? strchr(item, '=') : NULL;
        size_t i;

        if (!eq) {
            return xasprintf("%s: \"%s\" is not key=value", action,
                             item ? item : inner);
        }
        *eq = '\0';
        for (i = 0; keys[i] && strcmp(keys[i], item); i++) {
            continue;
        }
        if (!keys[i]) {
            return xasprintf("%s: unknown key \"%s\"", action, item);
        }
        if (seen & (1u << i)) {
            return xasprintf("%s: \"%s\" given twice", action, item);
        }
        seen |= 1u << i;
        char *error = fn(aux, item, eq + 1, action);
        if (error) {
            return error;
        }
    }
    return NULL;
}

/* Set actions: AUX is the field table, then the payload. */
struct set_ctx {
    const struct field_spec *fields;
    uint8_t payload[sizeof(struct dp_action_set_ipv6)];
};

static char *
set_kv(void *aux, const char *key, char *value, const char *action)
{
    struct set_ctx *ctx = aux;
    const struct field_spec *f;
    for (f = ctx->fields; strcmp(f->key, key); f++) {
        continue;
    }
    return parse_field(f, value, ctx->payload, action);
}

/* VLAN actions: vid, pcp, tpid. */
struct vlan_ctx {
    uint16_t vid, vid_mask;
    uint16_t pcp, pcp_mask;
    uint16_t tpid;
    bool masks_ok;              /* set_vlan: "/MASK" allowed. */
};

static char *
vlan_kv(void *aux, const char *key, char *value, const char *action)
{
    struct vlan_ctx *ctx = aux;
    uint64_t max = (!strcmp(key, "vid") ? VLAN_VID_MASK
                    : !strcmp(key, "pcp") ? 7 : UINT16_MAX);
    char *slash = strchr(value, '/');
    uint64_t v, m = max;

    if (slash) {
        *slash = '\0';
        if (!ctx->masks_ok || !parse_uint(slash + 1, max, &m)) {
            return xasprintf("%s: bad mask \"%s\" for %s", action,
                             slash + 1, key);
        }
    }
    if (!parse_uint(value, max, &v)) {
        return xasprintf("%s: bad value \"%s\" for %s (at most %"PRIu64")",
                         action, value, key, max);
    }
    v &= m;
    if (!strcmp(key, "vid")) {
        ctx->vid = v;
        ctx->vid_mask = m;
    } else if (!strcmp(key, "pcp")) {
        ctx->pcp = v;
        ctx->pcp_mask = m;
    } else if (v != ETH_TYPE_VLAN_8021Q && v != ETH_TYPE_VLAN_8021AD) {
        return xasprintf("%s: bad tpid \"%s\" (0x8100 or 0x88a8)", action,
                         value);
    } else {
        ctx->tpid = v;
    }
    return NULL;
}

static char *
userspace_kv(void *aux, const char *key, char *value, const char *action)
{
    struct dp_action_userspace *u = aux;
    if (!parse_uint(value, UINT64_MAX, &u->cookie)) {
        return xasprintf("%s: bad value \"%s\" for %s", action, value, key);
    }
    return NULL;
}

static char *parse_list(char *s, struct dp_actions *, int depth);

static char *
parse_set(const char *action, char *inner, struct dp_actions *out)
{
    static const char *const eth_keys[] = { "src", "dst", NULL };
    static const char *const ipv4_keys[] = {
        "src", "dst", "tos", "ttl", NULL
    };
    static const char *const ipv6_keys[] = {
        "src", "dst", "tclass", "hlimit", NULL
    };
    struct set_ctx ctx;
    const char *const *keys;
    enum dp_action_type type;
    size_t size;
    char *paren = strchr(inner, '(');
    size_t len = strlen(inner);

    if (!paren || inner[len - 1] != ')') {
        return xasprintf("%s: expected set(eth(...)), set(ipv4(...)), "
                         "set(ipv6(...)) or set(l4(...))", action);
    }
    *paren = '\0';
    inner[len - 1] = '\0';
    if (!strcmp(inner, "eth")) {
        type = DP_ACTION_SET_ETH;
        ctx.fields = eth_fields;
        keys = eth_keys;
        size = sizeof(struct dp_action_set_eth);
    } else if (!strcmp(inner, "ipv4")) {
        type = DP_ACTION_SET_IPV4;
        ctx.fields = ipv4_fields;
        keys = ipv4_keys;
        size = sizeof(struct dp_action_set_ipv4);
    } else if (!strcmp(inner, "ipv6")) {
        type = DP_ACTION_SET_IPV6;
        ctx.fields = ipv6_fields;
        keys = ipv6_keys;
        size = sizeof(struct dp_action_set_ipv6);
    } else if (!strcmp(inner, "l4")) {
        type = DP_ACTION_SET_L4;
        ctx.fields = l4_fields;
        keys = eth_keys;
        size = sizeof(struct dp_action_set_l4);
    } else {
        return xasprintf("%s: unknown header \"%s\"", action, inner);
    }
    memset(ctx.payload, 0, sizeof ctx.payload);
    char *error = parse_kv_list(paren + 1, keys, set_kv, &ctx, action);
    if (error) {
        return error;
    }
    dp_actions_put(out, type, 0, ctx.payload, size);
    return NULL;
}

/* Parses ITEM, one action, and appends it to OUT. */
static char *
parse_action(char *item, struct dp_actions *out, int depth)
{
    static const char *const vlan_keys[] = { "vid", "pcp", "tpid", NULL };
    static const char *const set_vlan_keys[] = { "vid", "pcp", NULL };
    static const char *const userspace_keys[] = { "cookie", NULL };
    char *action = xstrdup(item);   /* For messages. */
    char *name = item, *inner = NULL, *error = NULL;
    size_t len = strlen(item);
    uint64_t x;

    if (str_starts_with(item, "output:")) {
        if (!parse_uint(item + 7, UINT32_MAX - 1, &x)) {
            error = xasprintf("%s: bad port \"%s\" (0 to %"PRIu32")",
                              action, item + 7, UINT32_MAX - 1);
        } else {
            dp_actions_put_output(out, x);
        }
        goto out;
    }
    char *paren = strchr(item, '(');
    if (paren) {
        if (item[len - 1] != ')') {
            error = xasprintf("%s: text after \")\"", action);
            goto out;
        }
        *paren = '\0';
        item[len - 1] = '\0';
        inner = paren + 1;
    }

    if (!strcmp(name, "pop_vlan") && !inner) {
        dp_actions_put_pop_vlan(out);
    } else if ((!strcmp(name, "truncate") || !strcmp(name, "police"))
               && inner) {
        bool trunc = name[0] == 't';
        if (!parse_uint(inner, UINT32_MAX, &x)
            || (trunc && x < ETH_HEADER_LEN)) {
            error = xasprintf("%s: bad %s \"%s\"", action,
                              trunc ? "length (at least 14)" : "meter id",
                              inner);
        } else if (trunc) {
            dp_actions_put_truncate(out, x);
        } else {
            dp_actions_put_police(out, x);
        }
    } else if (!strcmp(name, "push_vlan") && inner) {
        struct vlan_ctx ctx = { .vid_mask = 0, .tpid = ETH_TYPE_VLAN_8021Q };
        error = parse_kv_list(inner, vlan_keys, vlan_kv, &ctx, action);
        if (!error && !ctx.vid_mask) {
            error = xasprintf("%s: vid is required", action);
        } else if (!error) {
            dp_actions_put_push_vlan(
                out, htons(ctx.tpid),
                htons(ctx.vid | ctx.pcp << VLAN_PCP_SHIFT | VLAN_CFI));
        }
    } else if (!strcmp(name, "set_vlan") && inner) {
        struct vlan_ctx ctx = { .masks_ok = true };
        error = parse_kv_list(inner, set_vlan_keys, vlan_kv, &ctx, action);
        if (!error && !(ctx.vid_mask | ctx.pcp_mask)) {
            error = xasprintf("%s: sets nothing", action);
        } else if (!error) {
            dp_actions_put_set_vlan(
                out, htons(ctx.vid | ctx.pcp << VLAN_PCP_SHIFT),
                htons(ctx.vid_mask | ctx.pcp_mask << VLAN_PCP_SHIFT));
        }
    } else if (!strcmp(name, "userspace") && inner) {
        struct dp_action_userspace u = { .cookie = 0 };
        error = parse_kv_list(inner, userspace_keys, userspace_kv, &u,
                              action);
        if (!error) {
            dp_actions_put_userspace(out, u.cookie);
        }
    } else if (!strcmp(name, "set") && inner) {
        error = parse_set(action, inner, out);
    } else if (!strcmp(name, "clone") && inner) {
        if (depth >= DP_ACTIONS_MAX_DEPTH) {
            error = xasprintf("%s: clones nested more than %d deep",
                              action, DP_ACTIONS_MAX_DEPTH);
        } else {
            size_t ofs = dp_actions_start_nested(out, DP_ACTION_CLONE);
            error = parse_list(inner, out, depth + 1);
            dp_actions_end_nested(out, ofs);
        }
    } else {
        error = xasprintf("unknown action \"%s\"", action);
    }

out:
    free(action);
    return error;
}

/* Parses the comma-separated actions in S (an empty S is an empty list)
 * and appends them to OUT. */
static char *
parse_list(char *s, struct dp_actions *out, int depth)
{
    while (s && *s) {
        char *rest = s;
        char *item = next_item(&rest);
        if (!item) {
            return xasprintf("unbalanced parentheses in \"%s\"", s);
        }
        if (!*item) {
            return xstrdup("empty action (two commas, or a comma at the "
                           "end)");
        }
        char *error = parse_action(item, out, depth);
        if (error) {
            return error;
        }
        if (rest && !*rest) {
            return xstrdup("empty action (two commas, or a comma at the "
                           "end)");
        }
        s = rest;
    }
    return NULL;
}

char *
dp_actions_parse(const char *s, struct dp_actions *actions)
{
    struct dp_actions tmp = { NULL, 0, 0 };
    char *copy = xstrdup(s);
    char *error;

    char *trimmed = copy, *end = copy + strlen(copy);
    while (*trimmed == ' ') {
        trimmed++;
    }
    while (end > trimmed && end[-1] == ' ') {
        *--end = '\0';
    }
    if (!strcmp(trimmed, "drop")) {
        error = NULL;
    } else {
        error = parse_list(trimmed, &tmp, 0);
        if (!error && dp_actions_validate(tmp.data, tmp.size)) {
            /* Every check above should have caught it. */
            error = xasprintf("\"%s\" is not a valid action list", s);
        }
    }
    if (!error && tmp.size) {
        memcpy(dp_actions_grow(actions, tmp.size), tmp.data, tmp.size);
    }
    dp_actions_uninit(&tmp);
    free(copy);
    return error;
}
