/* ofp-parse: flow text (matches, actions, flow mods) and dump-flows lines. */
#include <config.h>

#include "ofp-parse.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dynamic-string.h"
#include "util.h"

/* What is being parsed, for errors' columns and port names. */
struct parse_ctx {
    const char *text;           /* The whole text: columns count from it. */
    ofp_port_resolver *resolve;
    void *aux;
};

/* A piece of the text. */
struct token {
    const char *p;
    size_t n;
};

static char *
error_at(const struct parse_ctx *ctx, const char *where, const char *format,
         ...)
    PRINTF_FORMAT(3, 4);

static char *
error_at(const struct parse_ctx *ctx, const char *where, const char *format,
         ...)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    va_list args;

    va_start(args, format);
    ds_put_format_valist(&ds, format, args);
    va_end(args);
    ds_put_format(&ds, " (column %zu)", (size_t) (where - ctx->text) + 1);
    return ds_steal_cstr(&ds);
}

/* T made printable for a message (the caller frees it): at most 64 bytes,
 * control characters, '"' and '\\' written as \\xHH, "..." when cut. */
static char *
tok_show(struct token t)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    size_t n = MIN(t.n, 64);

    for (size_t i = 0; i < n; i++) {
        unsigned char c = t.p[i];
        if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
            ds_put_format(&ds, "\\x%02x", c);
        } else {
            ds_put_char(&ds, c);
        }
    }
    if (t.n > n) {
        ds_put_cstr(&ds, "...");
    }
    return ds_steal_cstr(&ds);
}

/* Error for a bad VALUE of WHAT. */
static char *
bad_value(const struct parse_ctx *ctx, struct token value, const char *what)
{
    char *shown = tok_show(value);
    char *error = error_at(ctx, value.p, "bad value \"%s\" for %s", shown,
                           what);
    free(shown);
    return error;
}

/* Error "FORMAT" about token T, whose shown text is the %s in FORMAT. */
static char *
token_error(const struct parse_ctx *ctx, struct token t, const char *format)
{
    char *shown = tok_show(t);
    char *error = error_at(ctx, t.p, format, shown);
    free(shown);
    return error;
}

static char *
tok_str(struct token t)
{
    return xstrndup(t.p, t.n);
}

static bool
tok_eq(struct token t, const char *s)
{
    return strlen(s) == t.n && !memcmp(t.p, s, t.n);
}

static bool
tok_caseeq(struct token t, const char *s)
{
    return strlen(s) == t.n && !strncasecmp(t.p, s, t.n);
}

/* Numbers: decimal, or hexadecimal with 0x.  No sign, no space. */
static bool
parse_uint_str(const char *s, uint64_t max, uint64_t *value)
{
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s || !isxdigit((unsigned char) *s)) {
        return false;
    }
    errno = 0;
    char *end;
    unsigned long long x = strtoull(s, &end, base);
    if (*end || errno || x > max) {
        return false;
    }
    *value = x;
    return true;
}

static bool
parse_uint(struct token t, uint64_t max, uint64_t *value)
{
    char *s = tok_str(t);
    bool ok = t.n <= 40 && parse_uint_str(s, max, value);
    free(s);
    return ok;
}

static bool
parse_eth(struct token t, struct eth_addr *mac)
{
    char *s = tok_str(t);
    unsigned int b[6];
    int n = 0;
    bool ok = (t.n == 17
               && sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2],
                         &b[3], &b[4], &b[5], &n) == 6
               && n == 17);
    for (size_t i = 0; ok && i < 17; i++) {
        ok = i % 3 == 2 ? s[i] == ':' : isxdigit((unsigned char) s[i]);
    }
    free(s);
    if (ok) {
        for (int i = 0; i < 6; i++) {
            mac->ea[i] = b[i];
        }
    }
    return ok;
}

static bool
parse_ipv4(struct token t, be32 *ip)
{
    char *s = tok_str(t);
    bool ok = inet_pton(AF_INET, s, ip) == 1;
    free(s);
    return ok;
}

static bool
parse_ipv6(struct token t, struct in6_addr *ip)
{
    char *s = tok_str(t);
    bool ok = t.n < INET6_ADDRSTRLEN && inet_pton(AF_INET6, s, ip) == 1;
    free(s);
    return ok;
}

/* Removes the double quotes (and backslash escapes) of a quoted token, or
 * copies a bare one.  Sets *QUOTED. */
static char *
unquote(struct token t, bool *quoted)
{
    *quoted = t.n >= 2 && t.p[0] == '"' && t.p[t.n - 1] == '"';
    if (!*quoted) {
        return tok_str(t);
    }
    struct ds ds = DS_EMPTY_INITIALIZER;
    for (size_t i = 1; i < t.n - 1; i++) {
        if (t.p[i] == '\\' && i + 1 < t.n - 1) {
            i++;
        }
        ds_put_char(&ds, t.p[i]);
    }
    return ds_steal_cstr(&ds);
}

/* A port: reserved name, number, or (quoted or bare) name. */
static bool
parse_port(const struct parse_ctx *ctx, struct token t, uint32_t *port)
{
    bool quoted;
    char *s = unquote(t, &quoted);
    bool ok;
    if (quoted) {
        ok = *s && ctx->resolve && ctx->resolve(s, port, ctx->aux);
    } else {
        ok = *s && ofp_port_from_string(s, ctx->resolve, ctx->aux, port);
    }
    free(s);
    return ok;
}

/* Splits T at the first occurrence of SEP: *A before, *B after.  Returns
 * false (A = T) if there is none. */
static bool
tok_split(struct token t, const char *sep, struct token *a, struct token *b)
{
    size_t n = strlen(sep);
    for (size_t i = 0; i + n <= t.n; i++) {
        if (!memcmp(t.p + i, sep, n)) {
            a->p = t.p;
            a->n = i;
            b->p = t.p + i + n;
            b->n = t.n - i - n;
            return true;
        }
    }
    *a = t;
    b->p = t.p + t.n;
    b->n = 0;
    return false;
}

/* Like tok_split() on the first comma outside double quotes. */
static bool
tok_split_comma(struct token t, struct token *a, struct token *b)
{
    bool in_quotes = false;

    for (size_t i = 0; i < t.n; i++) {
        if (in_quotes && t.p[i] == '\\' && i + 1 < t.n) {
            i++;
        } else if (t.p[i] == '"') {
            in_quotes = !in_quotes;
        } else if (!in_quotes && t.p[i] == ',') {
            a->p = t.p;
            a->n = i;
            b->p = t.p + i + 1;
            b->n = t.n - i - 1;
            return true;
        }
    }
    *a = t;
    b->p = t.p + t.n;
    b->n = 0;
    return false;
}

/* The bit of TCP flag NAME, or 0. */
static uint16_t
tcp_flag_bit(struct token name)
{
    static const char *const names[] = {
        "fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns",
    };
    for (size_t j = 0; j < ARRAY_SIZE(names); j++) {
        if (tok_eq(name, names[j])) {
            return 1u << j;
        }
    }
    return 0;
}

/* TCP flags by name: "+syn-ack" (those flags set or clear, the others
 * wildcarded) or "syn|ack" (exactly those set). */
static bool
parse_tcp_flag_names(struct token t, uint16_t *value, uint16_t *mask)
{
    bool signs = t.n && (t.p[0] == '+' || t.p[0] == '-');
    size_t i = 0;

    *value = *mask = 0;
    while (i < t.n) {
        char sign = signs ? t.p[i++] : '+';
        if (signs ? sign != '+' && sign != '-' : i && t.p[i++] != '|') {
            return false;
        }
        size_t start = i;
        while (i < t.n && !strchr("+-|", t.p[i])) {
            i++;
        }
        uint16_t bit = tcp_flag_bit((struct token) { t.p + start,
                                                     i - start });
        if (!bit || (*mask & bit) || (*value & bit)) {
            return false;
        }
        *mask |= bit;
        if (sign == '+') {
            *value |= bit;
        }
    }
    if (!signs) {
        *mask = 0x0fff;
    }
    return *mask != 0;
}

static bool
parse_ipv4_masked(struct token v, struct token m, bool has_mask,
                  union match_value *value, union match_value *mask)
{
    uint64_t prefix;
    if (!parse_ipv4(v, &value->be32)) {
        return false;
    }
    if (!has_mask) {
        mask->be32 = htonl(UINT32_MAX);
    } else if (m.n && m.n <= 2 && isdigit((unsigned char) m.p[0])
               && parse_uint(m, 32, &prefix)) {
        mask->be32 = htonl(prefix ? UINT32_MAX << (32 - prefix) : 0);
    } else if (!parse_ipv4(m, &mask->be32)) {
        return false;
    }
    return true;
}

static bool
parse_ipv6_masked(struct token v, struct token m, bool has_mask,
                  union match_value *value, union match_value *mask)
{
    uint64_t prefix;
    if (!parse_ipv6(v, &value->ipv6)) {
        return false;
    }
    if (has_mask && m.n && m.n <= 3 && isdigit((unsigned char) m.p[0])
        && parse_uint(m, 128, &prefix)) {
        memset(&mask->ipv6, 0, sizeof mask->ipv6);
        for (uint64_t i = 0; i < prefix; i++) {
            mask->ipv6.s6_addr[i / 8] |= 0x80 >> (i % 8);
        }
    } else if (has_mask && !parse_ipv6(m, &mask->ipv6)) {
        return false;
    }
    return true;
}

/* An integer field: the value and mask are numbers no wider than F. */
static bool
parse_integer_masked(const struct match_field *f, struct token v,
                     struct token m, bool has_mask, union match_value *value,
                     union match_value *mask)
{
    uint64_t max = f->n_bits >= 64 ? UINT64_MAX
                   : (UINT64_C(1) << f->n_bits) - 1;
    uint64_t x, y = max;

    if (f->id == MFF_DL_VLAN) {
        max = 0xffff;           /* 0xffff: "no tag". */
    }
    if (!parse_uint(v, max, &x) || (has_mask && !parse_uint(m, max, &y))) {
        return false;
    }
    memset(mask, 0, sizeof *mask);
    switch (f->n_bits > 32 ? 8 : f->n_bits > 16 ? 4 : f->n_bits > 8 ? 2 : 1) {
    case 1:
        value->u8 = x;
        mask->u8 = y;
        break;
    case 2:
        value->be16 = htons(x);
        mask->be16 = htons(y);
        break;
    case 4:
        value->be32 = htonl(x);
        mask->be32 = htonl(y);
        break;
    default:
        value->u64 = x;
        mask->u64 = y;
        break;
    }
    return match_field_value_ok(f, value);
}

/* Parses T, a value of field F with an optional /MASK, into *VALUE and
 * *MASK (all ones over the field when there is no mask). */
static bool
parse_field_value(const struct parse_ctx *ctx, const struct match_field *f,
                  struct token t, union match_value *value,
                  union match_value *mask)
{
    struct token v, m;

    memset(value, 0, sizeof *value);
    memset(mask, 0xff, sizeof *mask);
    if (f->format == MFF_FMT_TCP_FLAGS && t.n
        && (t.p[0] == '+' || t.p[0] == '-'
            || isalpha((unsigned char) t.p[0]))) {
        uint16_t fv, fm;
        if (!parse_tcp_flag_names(t, &fv, &fm)) {
            return false;
        }
        value->be16 = htons(fv);
        mask->be16 = htons(fm);
        return true;
    }
    if (f->format == MFF_FMT_PORT) {
        return (parse_port(ctx, t, &value->u32)
                && match_field_value_ok(f, value));
    }

    bool has_mask = tok_split(t, "/", &v, &m);
    if (has_mask && !f->maskable) {
        return false;
    }
    switch (f->format) {
    case MFF_FMT_ETH:
        return (parse_eth(v, &value->mac)
                && (!has_mask || parse_eth(m, &mask->mac)));
    case MFF_FMT_IPV4:
        return parse_ipv4_masked(v, m, has_mask, value, mask);
    case MFF_FMT_IPV6:
        return parse_ipv6_masked(v, m, has_mask, value, mask);
    case MFF_FMT_DEC:
    case MFF_FMT_HEX:
    case MFF_FMT_TCP_FLAGS:
    case MFF_FMT_PORT:
    default:
        return parse_integer_masked(f, v, m, has_mask, value, mask);
    }
}

/* Actions. */

static char *parse_action_list(const struct parse_ctx *, struct token,
                               struct ofpacts *, uint8_t table_id,
                               bool nested);

/* Scans from P (at most to END) over a value in which double quotes (with
 * backslash escapes) and parentheses nest.  With DEPTH 0, stops before
 * the first comma or white space outside them; with DEPTH 1 (just inside
 * a '('), just after the matching ')'.  Sets *BALANCED to false if it
 * reached END inside quotes or parentheses (or met a stray ')'). */
static const char *
scan_value(const char *p, const char *end, int depth, bool *balanced)
{
    bool in_quotes = false;
    bool inside = depth > 0;

    *balanced = true;
    for (; p < end; p++) {
        if (in_quotes) {
            if (*p == '\\' && p + 1 < end) {
                p++;
            } else if (*p == '"') {
                in_quotes = false;
            }
        } else if (*p == '"') {
            in_quotes = true;
        } else if (*p == '(') {
            depth++;
        } else if (*p == ')') {
            if (--depth < 0) {
                *balanced = false;
                return end;
            } else if (!depth && inside) {
                return p + 1;
            }
        } else if (!depth && (*p == ',' || isspace((unsigned char) *p))) {
            return p;
        }
    }
    *balanced = !in_quotes && !depth;
    return p;
}

/* Reads the next action or key=value item from *REST: skips separators
 * (commas and white space), then takes NAME and, after ':' or '=' or
 * inside '(...)', ARG.  Returns false at the end.  *SEP is the character
 * that introduced ARG, or 0. */
static bool
next_item(struct token *rest, struct token *name, struct token *arg,
          char *sep, const char **error_pos)
{
    const char *p = rest->p;
    const char *end = rest->p + rest->n;
    bool balanced;

    *error_pos = NULL;
    while (p < end && (*p == ',' || isspace((unsigned char) *p))) {
        p++;
    }
    if (p >= end) {
        rest->p = p;
        rest->n = 0;
        return false;
    }
    name->p = p;
    while (p < end && *p != ',' && *p != ':' && *p != '=' && *p != '('
           && !isspace((unsigned char) *p)) {
        p++;
    }
    name->n = p - name->p;
    *sep = 0;
    arg->p = p;
    arg->n = 0;
    if (p < end && (*p == ':' || *p == '=')) {
        *sep = *p++;
        arg->p = p;
        p = scan_value(p, end, 0, &balanced);
        arg->n = p - arg->p;
        if (!balanced) {
            *error_pos = arg->p;
        }
    } else if (p < end && *p == '(') {
        *sep = *p++;
        arg->p = p;
        p = scan_value(p, end, 1, &balanced);
        if (!balanced) {
            *error_pos = name->p;
            arg->n = p - arg->p;
        } else {
            arg->n = p - 1 - arg->p;    /* Without the ')'. */
            if (p < end && *p != ',' && !isspace((unsigned char) *p)) {
                *error_pos = p;
            }
        }
    }
    rest->n = end - p;
    rest->p = p;
    return true;
}

static char *
parse_output_port(const struct parse_ctx *ctx, struct token name,
                  struct token arg, struct ofpacts *ofpacts)
{
    uint32_t port;
    if (!parse_port(ctx, arg, &port) || port == OFPP_ANY
        || port == OFPP_TABLE) {
        char *what = tok_str(name);
        char *error = bad_value(ctx, arg, what);
        free(what);
        return error;
    }
    ofpact_put_output(ofpacts, port, UINT16_MAX);
    return NULL;
}

static char *
parse_controller(const struct parse_ctx *ctx, struct token arg, char sep,
                 struct ofpacts *ofpacts)
{
    uint64_t max_len = UINT16_MAX;
    struct token key, value = arg;

    if (sep == '(' && arg.n) {
        if (!tok_split(arg, "=", &key, &value) || !tok_eq(key, "max_len")) {
            return bad_value(ctx, arg, "controller");
        }
    }
    if (sep == '=' || (sep == ':' && !value.n)
        || (sep && value.n && !parse_uint(value, UINT16_MAX, &max_len))) {
        return bad_value(ctx, value, "controller max_len");
    }
    ofpact_put_output(ofpacts, OFPP_CONTROLLER, max_len);
    return NULL;
}

static char *
parse_resubmit(const struct parse_ctx *ctx, struct token arg, char sep,
               struct ofpacts *ofpacts)
{
    struct token port_tok = arg, table_tok = { arg.p + arg.n, 0 };
    uint32_t port = OFPP_IN_PORT;
    uint64_t table = OFPACT_TABLE_CURRENT;

    if (sep == '(') {
        tok_split_comma(arg, &port_tok, &table_tok);
        if (table_tok.n && !parse_uint(table_tok, OFP_N_TABLES - 1,
                                       &table)) {
            return bad_value(ctx, table_tok, "resubmit table");
        }
        if (!port_tok.n && !table_tok.n) {
            return bad_value(ctx, arg, "resubmit");
        }
    } else if (sep != ':' || !arg.n) {
        return bad_value(ctx, arg, "resubmit");
    }
    if (port_tok.n) {
        if (!parse_port(ctx, port_tok, &port)
            || (port > OFPP_MAX && port != OFPP_IN_PORT
                && port != OFPP_LOCAL)) {
            return bad_value(ctx, port_tok, "resubmit port");
        }
    }
    struct ofpact_resubmit *r = ofpact_put(ofpacts, OFPACT_RESUBMIT,
                                           sizeof *r);
    r->in_port = port;
    r->table_id = table;
    return NULL;
}

static char *
parse_set_field(const struct parse_ctx *ctx, struct token arg,
                struct ofpacts *ofpacts)
{
    struct token value, field_tok;
    if (!tok_split(arg, "->", &value, &field_tok) || !value.n) {
        return bad_value(ctx, arg, "set_field (want VALUE->FIELD)");
    }
    char *name = tok_str(field_tok);
    const struct match_field *f = match_field_from_name(name);
    free(name);
    if (!f || !f->writable) {
        return bad_value(ctx, field_tok, "set_field's field");
    }
    union match_value v, m;
    if (!parse_field_value(ctx, f, value, &v, &m)) {
        return bad_value(ctx, value, f->name);
    }
    struct ofpact_set_field *sf = ofpact_put(ofpacts, OFPACT_SET_FIELD,
                                             sizeof *sf);
    sf->field = f->id;
    /* Keep only the field's own bits of the mask. */
    union match_value ones;
    struct flow tmp;
    memset(&tmp, 0, sizeof tmp);
    memset(&ones, 0xff, sizeof ones);
    match_field_set_flow(f, &ones, NULL, &tmp);
    match_field_get(f, &tmp, &ones);
    for (size_t i = 0; i < sizeof sf->mask.bytes; i++) {
        sf->mask.bytes[i] = m.bytes[i] & ones.bytes[i];
        sf->value.bytes[i] = v.bytes[i] & sf->mask.bytes[i];
    }
    return NULL;
}

static char *
parse_note(const struct parse_ctx *ctx, struct token arg,
           struct ofpacts *ofpacts)
{
    uint8_t data[OFPACT_NOTE_MAX];
    size_t n = 0;
    size_t i = 0;

    while (i < arg.n) {
        if (arg.p[i] == '.') {
            i++;
            continue;
        }
        if (i + 1 >= arg.n || !isxdigit((unsigned char) arg.p[i])
            || !isxdigit((unsigned char) arg.p[i + 1])
            || n >= sizeof data) {
            return bad_value(ctx, arg, "note");
        }
        char hex[3] = { arg.p[i], arg.p[i + 1], 0 };
        data[n++] = strtoul(hex, NULL, 16);
        i += 2;
    }
    struct ofpact_note *note = ofpact_put(ofpacts, OFPACT_NOTE,
                                          sizeof *note + n);
    note->length = n;
    memcpy(note->data, data, n);
    return NULL;
}

static char *
parse_write_metadata(const struct parse_ctx *ctx, struct token arg,
                     struct ofpacts *ofpacts)
{
    struct token v, m;
    uint64_t value, mask = UINT64_MAX;
    bool has_mask = tok_split(arg, "/", &v, &m);
    if (!parse_uint(v, UINT64_MAX, &value)
        || (has_mask && !parse_uint(m, UINT64_MAX, &mask))) {
        return bad_value(ctx, arg, "write_metadata");
    }
    struct ofpact_metadata *md = ofpact_put(ofpacts, OFPACT_WRITE_METADATA,
                                            sizeof *md);
    md->metadata = value & mask;
    md->mask = mask;
    return NULL;
}

/* Simple "name:number" actions. */
static char *
parse_numeric_action(const struct parse_ctx *ctx, struct token name,
                     struct token arg, char sep, enum ofpact_type type,
                     uint64_t max, struct ofpacts *ofpacts)
{
    uint64_t x;
    char *what = tok_str(name);
    char *error = NULL;

    if (sep != ':' || !parse_uint(arg, max, &x)
        || (type == OFPACT_SET_IP_DSCP && (x & 3))) {
        error = bad_value(ctx, arg, what);
        free(what);
        return error;
    }
    free(what);
    switch (type) {
    case OFPACT_SET_VLAN_VID: {
        struct ofpact_vlan_vid *a = ofpact_put(ofpacts, type, sizeof *a);
        a->vid = x;
        break;
    }
    case OFPACT_SET_VLAN_PCP: {
        struct ofpact_vlan_pcp *a = ofpact_put(ofpacts, type, sizeof *a);
        a->pcp = x;
        break;
    }
    case OFPACT_PUSH_VLAN: {
        if (x != ETH_TYPE_VLAN_8021Q && x != ETH_TYPE_VLAN_8021AD) {
            return bad_value(ctx, arg, "push_vlan (0x8100 or 0x88a8)");
        }
        struct ofpact_push_vlan *a = ofpact_put(ofpacts, type, sizeof *a);
        a->tpid = htons(x);
        break;
    }
    case OFPACT_SET_IP_DSCP: {
        struct ofpact_dscp *a = ofpact_put(ofpacts, type, sizeof *a);
        a->dscp = x;
        break;
    }
    case OFPACT_SET_L4_SRC_PORT:
    case OFPACT_SET_L4_DST_PORT: {
        struct ofpact_l4_port *a = ofpact_put(ofpacts, type, sizeof *a);
        a->port = htons(x);
        break;
    }
    case OFPACT_SET_QUEUE: {
        struct ofpact_queue *a = ofpact_put(ofpacts, type, sizeof *a);
        a->queue_id = x;
        break;
    }
    case OFPACT_GOTO_TABLE:
        ofpact_put_goto_table(ofpacts, x);
        break;
    default:
        break;
    }
    return NULL;
}

static char *
parse_mac_action(const struct parse_ctx *ctx, struct token name,
                 struct token arg, char sep, enum ofpact_type type,
                 struct ofpacts *ofpacts)
{
    struct eth_addr mac;
    if (sep != ':' || !parse_eth(arg, &mac)) {
        char *what = tok_str(name);
        char *error = bad_value(ctx, arg, what);
        free(what);
        return error;
    }
    struct ofpact_mac *a = ofpact_put(ofpacts, type, sizeof *a);
    a->mac = mac;
    return NULL;
}

static char *
parse_ipv4_action(const struct parse_ctx *ctx, struct token name,
                  struct token arg, char sep, enum ofpact_type type,
                  struct ofpacts *ofpacts)
{
    be32 ip;
    if (sep != ':' || !parse_ipv4(arg, &ip)) {
        char *what = tok_str(name);
        char *error = bad_value(ctx, arg, what);
        free(what);
        return error;
    }
    struct ofpact_ipv4 *a = ofpact_put(ofpacts, type, sizeof *a);
    a->ipv4 = ip;
    return NULL;
}

/* Actions without an argument. */
static bool
parse_bare_action(struct token name, struct ofpacts *ofpacts)
{
    static const struct {
        const char *name;
        uint32_t port;
    } ports[] = {
        {"in_port", OFPP_IN_PORT}, {"normal", OFPP_NORMAL},
        {"flood", OFPP_FLOOD}, {"all", OFPP_ALL}, {"local", OFPP_LOCAL},
    };
    for (size_t i = 0; i < ARRAY_SIZE(ports); i++) {
        if (tok_caseeq(name, ports[i].name)) {
            ofpact_put_output(ofpacts, ports[i].port, 0);
            return true;
        }
    }
    if (tok_eq(name, "strip_vlan") || tok_eq(name, "pop_vlan")) {
        struct ofpact_strip_vlan *a = ofpact_put(ofpacts, OFPACT_STRIP_VLAN,
                                                 sizeof *a);
        a->pop_vlan = tok_eq(name, "pop_vlan");
    } else if (tok_eq(name, "dec_ttl")) {
        ofpact_put_simple(ofpacts, OFPACT_DEC_TTL);
    } else if (tok_eq(name, "clear_actions")) {
        ofpact_put_simple(ofpacts, OFPACT_CLEAR_ACTIONS);
    } else {
        return false;
    }
    return true;
}

static char *
parse_one_action(const struct parse_ctx *ctx, struct token name,
                 struct token arg, char sep, uint8_t table_id,
                 struct ofpacts *ofpacts)
{
    static const struct {
        const char *name;
        enum ofpact_type type;
        uint64_t max;
    } numeric[] = {
        {"mod_vlan_vid", OFPACT_SET_VLAN_VID, VLAN_VID_MASK},
        {"mod_vlan_pcp", OFPACT_SET_VLAN_PCP, 7},
        {"push_vlan", OFPACT_PUSH_VLAN, UINT16_MAX},
        {"mod_nw_tos", OFPACT_SET_IP_DSCP, UINT8_MAX},
        {"mod_tp_src", OFPACT_SET_L4_SRC_PORT, UINT16_MAX},
        {"mod_tp_dst", OFPACT_SET_L4_DST_PORT, UINT16_MAX},
        {"set_queue", OFPACT_SET_QUEUE, UINT32_MAX},
        {"goto_table", OFPACT_GOTO_TABLE, OFP_N_TABLES - 1},
    };

    if (!sep && parse_bare_action(name, ofpacts)) {
        return NULL;
    }
    if (tok_eq(name, "output") && sep == ':') {
        return parse_output_port(ctx, name, arg, ofpacts);
    }
    if (tok_caseeq(name, "controller")) {
        return parse_controller(ctx, arg, sep, ofpacts);
    }
    if (tok_eq(name, "resubmit")) {
        return parse_resubmit(ctx, arg, sep, ofpacts);
    }
    if (tok_eq(name, "set_field") && sep == ':') {
        return parse_set_field(ctx, arg, ofpacts);
    }
    if (tok_eq(name, "note") && sep == ':') {
        return parse_note(ctx, arg, ofpacts);
    }
    if (tok_eq(name, "write_metadata") && sep == ':') {
        return parse_write_metadata(ctx, arg, ofpacts);
    }
    if (tok_eq(name, "write_actions") && sep == '(') {
        size_t ofs = ofpact_start_nested(ofpacts, OFPACT_WRITE_ACTIONS);
        char *error = parse_action_list(ctx, arg, ofpacts, table_id, true);
        if (!error) {
            ofpact_end_nested(ofpacts, ofs);
        }
        return error;
    }
    for (size_t i = 0; i < ARRAY_SIZE(numeric); i++) {
        if (tok_eq(name, numeric[i].name)) {
            char *error = parse_numeric_action(ctx, name, arg, sep,
                                               numeric[i].type,
                                               numeric[i].max, ofpacts);
            if (!error && numeric[i].type == OFPACT_GOTO_TABLE
                && table_id != OFP_TABLE_ALL) {
                const struct ofpact *last = (const void *)
                    (ofpacts->data + ofpacts->size
                     - sizeof(struct ofpact_goto_table));
                uint8_t to = ofpact_get_goto_table(last)->table_id;
                if (to <= table_id) {
                    return error_at(ctx, arg.p, "goto_table:%u must go to "
                                    "a later table than %u", to, table_id);
                }
            }
            return error;
        }
    }
    if (tok_eq(name, "mod_dl_src") || tok_eq(name, "mod_dl_dst")) {
        return parse_mac_action(ctx, name, arg, sep,
                                tok_eq(name, "mod_dl_src")
                                ? OFPACT_SET_ETH_SRC : OFPACT_SET_ETH_DST,
                                ofpacts);
    }
    if (tok_eq(name, "mod_nw_src") || tok_eq(name, "mod_nw_dst")) {
        return parse_ipv4_action(ctx, name, arg, sep,
                                 tok_eq(name, "mod_nw_src")
                                 ? OFPACT_SET_IPV4_SRC : OFPACT_SET_IPV4_DST,
                                 ofpacts);
    }
    if (!sep && isdigit((unsigned char) name.p[0])) {
        /* A bare port number means output to it.  (Not a bare name: a
         * misspelled action must not become an output.) */
        uint32_t port;
        if (parse_port(ctx, name, &port) && port <= OFPP_MAX) {
            ofpact_put_output(ofpacts, port, 0);
            return NULL;
        }
    }
    return token_error(ctx, name, "unknown action \"%s\"");
}

static bool
type_is_instruction(uint16_t type)
{
    return type >= OFPACT_CLEAR_ACTIONS && type <= OFPACT_GOTO_TABLE;
}

static const char *
instruction_name(uint16_t type)
{
    switch (type) {
    case OFPACT_CLEAR_ACTIONS:
        return "clear_actions";
    case OFPACT_WRITE_ACTIONS:
        return "write_actions";
    case OFPACT_WRITE_METADATA:
        return "write_metadata";
    case OFPACT_GOTO_TABLE:
        return "goto_table";
    default:
        return "an action";
    }
}

static char *
parse_action_list(const struct parse_ctx *ctx, struct token text,
                  struct ofpacts *ofpacts, uint8_t table_id, bool nested)
{
    struct token rest = text, name, arg;
    const char *drop = NULL;
    const char *first = NULL;
    uint16_t last_instruction = 0;
    const char *error_pos;
    char sep;

    while (next_item(&rest, &name, &arg, &sep, &error_pos)) {
        if (error_pos) {
            char *shown = tok_show(name);
            char *error = error_at(ctx, error_pos, "unbalanced quotes or "
                                   "parentheses in action \"%s\"", shown);
            free(shown);
            return error;
        }
        if (!name.n) {
            return error_at(ctx, name.p, "missing action name");
        }
        if (tok_eq(name, "drop") && !sep) {
            drop = name.p;
            continue;
        }
        first = first ? first : name.p;

        size_t before = ofpacts->size;
        char *error = parse_one_action(ctx, name, arg, sep, table_id,
                                       ofpacts);
        if (error) {
            return error;
        }
        const struct ofpact *a = (const void *) (ofpacts->data + before);
        if (type_is_instruction(a->type)) {
            if (nested) {
                return error_at(ctx, name.p, "%s is not allowed inside "
                                "write_actions", instruction_name(a->type));
            }
            if (a->type <= last_instruction) {
                return error_at(ctx, name.p, "%s must come before %s, each "
                                "at most once", instruction_name(a->type),
                                instruction_name(last_instruction));
            }
            last_instruction = a->type;
        } else if (last_instruction) {
            return error_at(ctx, name.p, "actions must come before %s",
                            instruction_name(last_instruction));
        }
    }
    if (drop && first) {
        return error_at(ctx, drop, "drop must be the only action");
    }
    return NULL;
}

/* Flow mods. */

static const char *const command_names[] = {
    [OFP_FLOW_ADD] = "add",
    [OFP_FLOW_MODIFY] = "modify",
    [OFP_FLOW_MODIFY_STRICT] = "modify_strict",
    [OFP_FLOW_DELETE] = "delete",
    [OFP_FLOW_DELETE_STRICT] = "delete_strict",
    [OFP_FLOW_QUERY] = "query",
};

const char *
ofp_flow_mod_command_to_string(enum ofp_flow_mod_command command)
{
    return ((unsigned int) command < ARRAY_SIZE(command_names)
            ? command_names[command] : "unknown");
}

bool
ofp_flow_mod_command_from_string(const char *s,
                                 enum ofp_flow_mod_command *command)
{
    for (size_t i = 0; i < ARRAY_SIZE(command_names); i++) {
        if (!strcmp(s, command_names[i])) {
            *command = i;
            return true;
        }
    }
    return false;
}

void
ofp_flow_mod_init(struct ofp_flow_mod *fm, enum ofp_flow_mod_command cmd)
{
    memset(fm, 0, sizeof *fm);
    fm->command = cmd;
    fm->table_id = cmd == OFP_FLOW_ADD ? 0 : OFP_TABLE_ALL;
    fm->priority = OFP_DEFAULT_PRIORITY;
    fm->out_port = OFPP_ANY;
    match_init_catchall(&fm->match);
}

void
ofp_flow_mod_uninit(struct ofp_flow_mod *fm)
{
    free(fm->ofpacts);
    fm->ofpacts = NULL;
    fm->ofpacts_len = 0;
}

/* Parse modes beyond the commands. */
#define MODE_MATCH_ONLY (-1)

static bool
takes_actions(int mode)
{
    return mode == OFP_FLOW_ADD || mode == OFP_FLOW_MODIFY
           || mode == OFP_FLOW_MODIFY_STRICT;
}

static const char *
mode_name(int mode)
{
    switch (mode) {
    case OFP_FLOW_ADD:
        return "add-flow";
    case OFP_FLOW_MODIFY:
    case OFP_FLOW_MODIFY_STRICT:
        return "mod-flows";
    case OFP_FLOW_DELETE:
    case OFP_FLOW_DELETE_STRICT:
        return "del-flows";
    case OFP_FLOW_QUERY:
        return "dump-flows";
    default:
        return "a match";
    }
}

/* The keywords beyond the match.  Returns NULL with the keyword handled,
 * an error, or (via *HANDLED false) "not a keyword". */
static char *
parse_keyword(const struct parse_ctx *ctx, int mode, struct token name,
              struct token value, bool has_value, struct ofp_flow_mod *fm,
              bool *handled)
{
    bool is_del = mode == OFP_FLOW_DELETE || mode == OFP_FLOW_DELETE_STRICT
                  || mode == OFP_FLOW_QUERY;
    uint64_t x;

    *handled = true;
    if (tok_eq(name, "table") || tok_eq(name, "priority")
        || tok_eq(name, "cookie") || tok_eq(name, "idle_timeout")
        || tok_eq(name, "hard_timeout") || tok_eq(name, "out_port")) {
        if (mode == MODE_MATCH_ONLY) {
            return error_at(ctx, name.p, "%.*s is not a match field",
                            (int) name.n, name.p);
        }
        if (!has_value || !value.n) {
            return error_at(ctx, name.p, "%.*s needs a value",
                            (int) name.n, name.p);
        }
    }
    if (tok_eq(name, "table")) {
        uint64_t max = mode == OFP_FLOW_ADD ? OFP_N_TABLES - 1
                       : OFP_TABLE_ALL;
        if (!parse_uint(value, max, &x)) {
            return bad_value(ctx, value, "table");
        }
        fm->table_id = x;
    } else if (tok_eq(name, "priority")) {
        if (mode == OFP_FLOW_DELETE || mode == OFP_FLOW_QUERY) {
            return error_at(ctx, name.p, "priority is not allowed in %s "
                            "without --strict", mode_name(mode));
        }
        if (!parse_uint(value, UINT16_MAX, &x)) {
            return bad_value(ctx, value, "priority");
        }
        fm->priority = x;
    } else if (tok_eq(name, "cookie")) {
        struct token v, m;
        uint64_t cookie, mask = UINT64_MAX;
        bool has_mask = tok_split(value, "/", &v, &m);
        if (!parse_uint(v, UINT64_MAX, &cookie)) {
            return bad_value(ctx, v, "cookie");
        }
        if (has_mask && (m.n == 2 && !memcmp(m.p, "-1", 2))) {
            mask = UINT64_MAX;
        } else if (has_mask && !parse_uint(m, UINT64_MAX, &mask)) {
            return bad_value(ctx, m, "cookie mask");
        }
        if (mode == OFP_FLOW_ADD) {
            if (has_mask) {
                return error_at(ctx, m.p - 1, "add-flow's cookie takes no "
                                "mask");
            }
            fm->cookie = cookie;
        } else {
            if (!has_mask) {
                return error_at(ctx, name.p, "cookie needs a mask in %s: "
                                "cookie=VALUE/MASK", mode_name(mode));
            }
            fm->cookie = cookie & mask;
            fm->cookie_mask = mask;
        }
    } else if (tok_eq(name, "idle_timeout")
               || tok_eq(name, "hard_timeout")) {
        if (is_del) {
            return error_at(ctx, name.p, "%.*s is not allowed in %s",
                            (int) name.n, name.p, mode_name(mode));
        }
        if (!parse_uint(value, UINT16_MAX, &x)) {
            return bad_value(ctx, value, tok_eq(name, "idle_timeout")
                             ? "idle_timeout" : "hard_timeout");
        }
        if (tok_eq(name, "idle_timeout")) {
            fm->idle_timeout = x;
        } else {
            fm->hard_timeout = x;
        }
    } else if (tok_eq(name, "out_port")) {
        uint32_t port;
        if (!is_del) {
            return error_at(ctx, name.p, "out_port is allowed only in "
                            "del-flows and dump-flows");
        }
        if (!parse_port(ctx, value, &port) || port == OFPP_TABLE) {
            return bad_value(ctx, value, "out_port");
        }
        fm->out_port = port;
    } else {
        *handled = false;
    }
    return NULL;
}

/* Parses NAME[=VALUE], a match field or shorthand, into FM's match and
 * records where the field was named in NAMES[]. */
static char *
parse_match_item(const struct parse_ctx *ctx, struct token name,
                 struct token value, char sep, struct ofp_flow_mod *fm,
                 struct token names[MFF_N_IDS])
{
    char *s = tok_str(name);
    const struct match_field *f = match_field_from_name(s);
    bool shorthand = !sep && match_set_shorthand(&fm->match, s);
    free(s);
    if (shorthand) {
        return NULL;
    }
    if (!f) {
        return token_error(ctx, name, "unknown field \"%s\"");
    }
    s = tok_str(name);
    char *error = NULL;
    union match_value v, m;
    if (sep != '=' || !value.n) {
        error = error_at(ctx, name.p, "%s needs a value (%s=VALUE)", s, s);
    } else if (!parse_field_value(ctx, f, value, &v, &m)) {
        error = bad_value(ctx, value, s);
    } else {
        match_set_field(&fm->match, f, &v, &m);
        names[f->id] = name;
    }
    free(s);
    return error;
}

/* Checks that the fields named in NAMES[] have their prerequisites in FM's
 * match, reporting the first one written that does not. */
static char *
check_prereqs(const struct parse_ctx *ctx, const struct ofp_flow_mod *fm,
              const struct token names[MFF_N_IDS])
{
    static const char *const needs[] = {
        [MFF_PREREQ_NONE] = "nothing",
        [MFF_PREREQ_IP_ANY] = "ip or ipv6",
        [MFF_PREREQ_IPV4] = "ip",
        [MFF_PREREQ_IPV6] = "ipv6",
        [MFF_PREREQ_IPV4_ARP] = "ip or arp",
        [MFF_PREREQ_ARP] = "arp",
        [MFF_PREREQ_L4] = "tcp, udp or sctp (or tcp6...)",
        [MFF_PREREQ_TCP] = "tcp or tcp6",
        [MFF_PREREQ_ICMP] = "icmp or icmp6",
    };
    const struct match_field *bad = NULL;

    for (size_t i = 0; i < MFF_N_IDS; i++) {
        const struct match_field *f = match_field_from_id(i);
        if (names[i].p && !match_field_prereqs_ok(&fm->match, f)
            && (!bad || names[i].p < names[bad->id].p)) {
            bad = f;
        }
    }
    if (bad) {
        struct token t = names[bad->id];
        return error_at(ctx, t.p, "%.*s needs %s in the match", (int) t.n,
                        t.p, needs[bad->prereq]);
    }
    if (match_check_prereqs(&fm->match)) {
        return error_at(ctx, ctx->text, "match fields contradict each "
                        "other");
    }
    return NULL;
}

/* Parses "actions=..." (NAME is "actions", VALUE starts the rest of the
 * text) into OFPACTS. */
static char *
parse_actions_item(const struct parse_ctx *ctx, int mode, struct token name,
                   struct token value, const struct ofp_flow_mod *fm,
                   struct ofpacts *ofpacts)
{
    if (mode == MODE_MATCH_ONLY || !takes_actions(mode)) {
        return error_at(ctx, name.p, "actions are not allowed in %s",
                        mode_name(mode));
    }
    struct token acts = { value.p, ctx->text + strlen(ctx->text) - value.p };
    return parse_action_list(ctx, acts, ofpacts, fm->table_id, false);
}

/* Parses TEXT for MODE into FM (initialized by the caller). */
static char *
parse_flow(const struct parse_ctx *ctx, int mode, struct ofp_flow_mod *fm)
{
    struct token rest = { ctx->text, strlen(ctx->text) };
    struct token names[MFF_N_IDS];
    struct token name, value;
    const char *actions_pos = NULL;
    struct ofpacts ofpacts;
    const char *error_pos;
    char *error = NULL;
    char sep;

    memset(names, 0, sizeof names);
    ofpacts_init(&ofpacts);
    while (!error && next_item(&rest, &name, &value, &sep, &error_pos)) {
        bool handled;
        if (error_pos) {
            char *shown = tok_show(name);
            error = error_at(ctx, error_pos, "unbalanced quotes or "
                             "parentheses in \"%s\"", shown);
            free(shown);
        } else if (!name.n || sep == ':' || sep == '(') {
            struct token item = { name.p, value.p + value.n - name.p };
            error = token_error(ctx, item, "expected NAME=VALUE, found "
                                "\"%s\"");
        } else if (tok_eq(name, "actions") && sep == '=') {
            actions_pos = name.p;
            error = parse_actions_item(ctx, mode, name, value, fm,
                                       &ofpacts);
            break;
        } else {
            error = parse_keyword(ctx, mode, name, value, sep == '=', fm,
                                  &handled);
            if (!error && !handled) {
                error = parse_match_item(ctx, name, value, sep, fm, names);
            }
        }
    }
    if (!error) {
        error = check_prereqs(ctx, fm, names);
    }
    if (!error && takes_actions(mode) && !actions_pos) {
        error = error_at(ctx, ctx->text + strlen(ctx->text),
                         "%s needs actions=...", mode_name(mode));
    }
    char *check_error;
    if (!error && ofpacts_check(ofpacts.data, ofpacts.size, fm->table_id,
                                &check_error)) {
        error = error_at(ctx, actions_pos ? actions_pos : ctx->text, "%s",
                         check_error);
        free(check_error);
    }
    if (error) {
        ofpacts_uninit(&ofpacts);
        return error;
    }
    fm->ofpacts = ofpacts_steal(&ofpacts, &fm->ofpacts_len);
    return NULL;
}

char *
ofp_parse_flow_mod(struct ofp_flow_mod *fm, const char *text,
                   enum ofp_flow_mod_command command,
                   ofp_port_resolver *resolve, void *aux)
{
    struct parse_ctx ctx = { text, resolve, aux };

    ofp_flow_mod_init(fm, command);
    char *error = parse_flow(&ctx, command, fm);
    if (error) {
        ofp_flow_mod_uninit(fm);
        memset(fm, 0, sizeof *fm);
    }
    return error;
}

char *
ofp_parse_match(struct match *match, const char *text,
                ofp_port_resolver *resolve, void *aux)
{
    struct parse_ctx ctx = { text, resolve, aux };
    struct ofp_flow_mod fm;

    ofp_flow_mod_init(&fm, OFP_FLOW_QUERY);
    char *error = parse_flow(&ctx, MODE_MATCH_ONLY, &fm);
    if (error) {
        match_init_catchall(match);
    } else {
        *match = fm.match;
    }
    ofp_flow_mod_uninit(&fm);
    return error;
}

char *
ofp_parse_actions(struct ofpacts *ofpacts, const char *text,
                  uint8_t table_id, ofp_port_resolver *resolve, void *aux)
{
    struct parse_ctx ctx = { text, resolve, aux };
    struct token t = { text, strlen(text) };
    struct ofpacts tmp;

    ofpacts_init(&tmp);
    char *error = parse_action_list(&ctx, t, &tmp, table_id, false);
    if (!error) {
        char *check_error;
        if (ofpacts_check(tmp.data, tmp.size, table_id, &check_error)) {
            error = error_at(&ctx, text, "%s", check_error);
            free(check_error);
        } else {
            OFPACT_FOR_EACH (a, tmp.data, tmp.size) {
                memcpy(ofpact_put(ofpacts, a->type, a->len), a, a->len);
            }
        }
    }
    ofpacts_uninit(&tmp);
    return error;
}

/* Formatting. */

void
ofp_flow_mod_format(struct ds *ds, const struct ofp_flow_mod *fm,
                    const struct ofp_port_map *map)
{
    size_t start = ds->length;
    enum ofp_flow_mod_command cmd = fm->command;
    bool add = cmd == OFP_FLOW_ADD;

    if (add ? fm->table_id != 0 : fm->table_id != OFP_TABLE_ALL) {
        ds_put_format(ds, "table=%u,", fm->table_id);
    }
    if (fm->priority != OFP_DEFAULT_PRIORITY && cmd != OFP_FLOW_DELETE
        && cmd != OFP_FLOW_QUERY) {
        ds_put_format(ds, "priority=%u,", fm->priority);
    }
    if (add && fm->cookie) {
        ds_put_format(ds, "cookie=0x%"PRIx64",", fm->cookie);
    } else if (!add && fm->cookie_mask) {
        ds_put_format(ds, "cookie=0x%"PRIx64"/0x%"PRIx64",", fm->cookie,
                      fm->cookie_mask);
    }
    if (takes_actions(cmd)) {
        if (fm->idle_timeout) {
            ds_put_format(ds, "idle_timeout=%u,", fm->idle_timeout);
        }
        if (fm->hard_timeout) {
            ds_put_format(ds, "hard_timeout=%u,", fm->hard_timeout);
        }
    } else if (fm->out_port != OFPP_ANY) {
        ds_put_cstr(ds, "out_port=");
        ofp_port_format(ds, fm->out_port, map);
        ds_put_char(ds, ',');
    }
    match_format(ds, &fm->match, map);
    if (ds->length > start && ds->string[ds->length - 1] == ',') {
        ds_chomp(ds, ',');
    }
    if (takes_actions(cmd)) {
        if (ds->length > start) {
            ds_put_char(ds, ' ');
        }
        ds_put_cstr(ds, "actions=");
        ofpacts_format(ds, fm->ofpacts, fm->ofpacts_len, map);
    }
}

void
ofp_flow_stats_format(struct ds *ds, const struct ofp_flow_stats *fs,
                      const struct ofp_port_map *map, bool show_stats)
{
    if (show_stats || fs->cookie) {
        ds_put_format(ds, "cookie=0x%"PRIx64", ", fs->cookie);
    }
    if (show_stats) {
        ds_put_format(ds, "duration=%"PRIu32".%03"PRIu32"s, ",
                      fs->duration_sec, fs->duration_nsec / 1000000);
    }
    if (show_stats || fs->table_id) {
        ds_put_format(ds, "table=%u, ", fs->table_id);
    }
    if (show_stats) {
        ds_put_format(ds, "n_packets=%"PRIu64", n_bytes=%"PRIu64", ",
                      fs->n_packets, fs->n_bytes);
    }
    if (fs->idle_timeout) {
        ds_put_format(ds, "idle_timeout=%u, ", fs->idle_timeout);
    }
    if (fs->hard_timeout) {
        ds_put_format(ds, "hard_timeout=%u, ", fs->hard_timeout);
    }
    if (show_stats) {
        ds_put_format(ds, "idle_age=%"PRIu32", ", fs->idle_age);
    }
    size_t start = ds->length;
    if (fs->priority != OFP_DEFAULT_PRIORITY) {
        ds_put_format(ds, "priority=%u,", fs->priority);
    }
    match_format(ds, &fs->match, map);
    if (ds->length > start) {
        ds_chomp(ds, ',');
    }
    if (ds->length && ds->string[ds->length - 1] != ' ') {
        ds_put_char(ds, ' ');
    }
    ds_put_cstr(ds, "actions=");
    ofpacts_format(ds, fs->ofpacts, fs->ofpacts_len, map);
}
