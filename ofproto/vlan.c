/* vlan: port VLAN modes (access, trunk, native, dot1q-tunnel). */
#include <config.h>

#include "vlan.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dynamic-string.h"
#include "util.h"

void
vlan_port_config_init(struct vlan_port_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->mode = VLAN_MODE_DEFAULT;
    cfg->tag = -1;
}

static const char *const mode_names[] = {
    [VLAN_MODE_DEFAULT] = "default",
    [VLAN_MODE_ACCESS] = "access",
    [VLAN_MODE_TRUNK] = "trunk",
    [VLAN_MODE_NATIVE_TAGGED] = "native-tagged",
    [VLAN_MODE_NATIVE_UNTAGGED] = "native-untagged",
    [VLAN_MODE_DOT1Q_TUNNEL] = "dot1q-tunnel",
};

const char *
vlan_mode_to_string(enum vlan_mode mode)
{
    return mode < ARRAY_SIZE(mode_names) ? mode_names[mode] : "?";
}

bool
vlan_mode_from_string(const char *s, enum vlan_mode *mode)
{
    for (size_t i = VLAN_MODE_ACCESS; i < ARRAY_SIZE(mode_names); i++) {
        if (!strcmp(s, mode_names[i])) {
            *mode = i;
            return true;
        }
    }
    return false;
}

void
vlan_bitmap_set(struct vlan_bitmap *b, uint16_t vid)
{
    if (vid < VLAN_N_VIDS) {
        b->bits[vid / 64] |= UINT64_C(1) << (vid % 64);
    }
}

bool
vlan_bitmap_has(const struct vlan_bitmap *b, uint16_t vid)
{
    return vid < VLAN_N_VIDS && b->bits[vid / 64] >> (vid % 64) & 1;
}

static bool
parse_vid(const char *s, size_t len, uint16_t *vid)
{
    if (!len || len > 4) {
        return false;
    }
    unsigned int x = 0;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char) s[i])) {
            return false;
        }
        x = x * 10 + (s[i] - '0');
    }
    if (x >= VLAN_N_VIDS) {
        return false;
    }
    *vid = x;
    return true;
}

char *
vlan_bitmap_parse(const char *s, struct vlan_bitmap *bitmap)
{
    struct vlan_bitmap b;

    memset(&b, 0, sizeof b);
    while (*s) {
        size_t skip = strspn(s, ", \t");
        s += skip;
        if (!*s) {
            break;
        }
        size_t len = strcspn(s, ", \t");
        const char *dash = memchr(s, '-', len);
        uint16_t lo, hi;
        bool ok = dash
                  ? parse_vid(s, dash - s, &lo)
                    && parse_vid(dash + 1, len - (dash - s) - 1, &hi)
                    && lo <= hi
                  : parse_vid(s, len, &lo) && (hi = lo, true);
        if (!ok) {
            return xasprintf("\"%.*s\": not a VLAN (0 to 4095) or range",
                             (int) len, s);
        }
        for (unsigned int v = lo; v <= hi; v++) {
            vlan_bitmap_set(&b, v);
        }
        s += len;
    }
    *bitmap = b;
    return NULL;
}

enum vlan_mode
vlan_port_mode(const struct vlan_port_config *cfg)
{
    if (cfg->mode != VLAN_MODE_DEFAULT) {
        return cfg->mode;
    }
    return cfg->tag >= 0 ? VLAN_MODE_ACCESS : VLAN_MODE_TRUNK;
}

char *
vlan_port_config_check(const struct vlan_port_config *cfg)
{
    enum vlan_mode mode = vlan_port_mode(cfg);
    if (cfg->tag >= VLAN_N_VIDS) {
        return xasprintf("tag %d: not a VLAN (0 to 4095)", cfg->tag);
    }
    if (mode != VLAN_MODE_TRUNK && cfg->tag < 0) {
        return xasprintf("vlan_mode %s needs a tag",
                         vlan_mode_to_string(mode));
    }
    return NULL;
}

static bool
trunks_have(const struct vlan_port_config *cfg, uint16_t vlan)
{
    return !cfg->has_trunks || vlan_bitmap_has(&cfg->trunks, vlan);
}

bool
vlan_port_includes(const struct vlan_port_config *cfg, uint16_t vlan)
{
    switch (vlan_port_mode(cfg)) {
    case VLAN_MODE_ACCESS:
    case VLAN_MODE_DOT1Q_TUNNEL:
        return vlan == cfg->tag;
    case VLAN_MODE_NATIVE_TAGGED:
    case VLAN_MODE_NATIVE_UNTAGGED:
        return vlan == cfg->tag || trunks_have(cfg, vlan);
    case VLAN_MODE_TRUNK:
    case VLAN_MODE_DEFAULT:
    default:
        return trunks_have(cfg, vlan);
    }
}

bool
vlan_port_input(const struct vlan_port_config *cfg, bool has_tag,
                uint16_t outer_vid, uint16_t *vlan)
{
    uint16_t vid = has_tag ? outer_vid : 0;

    switch (vlan_port_mode(cfg)) {
    case VLAN_MODE_ACCESS:
        if (vid) {
            return false;
        }
        *vlan = cfg->tag;
        return true;
    case VLAN_MODE_DOT1Q_TUNNEL:
        if (cfg->has_cvlans && !vlan_bitmap_has(&cfg->cvlans, vid)) {
            return false;
        }
        *vlan = cfg->tag;
        return true;
    case VLAN_MODE_NATIVE_TAGGED:
    case VLAN_MODE_NATIVE_UNTAGGED:
        *vlan = vid ? vid : cfg->tag;
        return vlan_port_includes(cfg, *vlan);
    case VLAN_MODE_TRUNK:
    case VLAN_MODE_DEFAULT:
    default:
        *vlan = vid;
        return trunks_have(cfg, vid);
    }
}

uint16_t
vlan_port_output_vid(const struct vlan_port_config *cfg, uint16_t vlan)
{
    switch (vlan_port_mode(cfg)) {
    case VLAN_MODE_ACCESS:
    case VLAN_MODE_DOT1Q_TUNNEL:
        return 0;
    case VLAN_MODE_NATIVE_UNTAGGED:
        return vlan == cfg->tag ? 0 : vlan;
    case VLAN_MODE_NATIVE_TAGGED:
    case VLAN_MODE_TRUNK:
    case VLAN_MODE_DEFAULT:
    default:
        return vlan;
    }
}

static void
format_bitmap(struct ds *s, const struct vlan_bitmap *b)
{
    bool first = true;
    for (unsigned int v = 0; v < VLAN_N_VIDS; v++) {
        if (!vlan_bitmap_has(b, v)) {
            continue;
        }
        unsigned int end = v;
        while (end + 1 < VLAN_N_VIDS && vlan_bitmap_has(b, end + 1)) {
            end++;
        }
        ds_put_format(s, "%s%u", first ? "" : ",", v);
        if (end > v) {
            ds_put_format(s, "-%u", end);
        }
        first = false;
        v = end;
    }
}

void
vlan_port_config_format(struct ds *s, const struct vlan_port_config *cfg)
{
    ds_put_format(s, "vlan_mode=%s", vlan_mode_to_string(vlan_port_mode(cfg)));
    if (cfg->tag >= 0) {
        ds_put_format(s, " tag=%d", cfg->tag);
    }
    if (cfg->has_trunks) {
        ds_put_cstr(s, " trunks=");
        format_bitmap(s, &cfg->trunks);
    }
    if (cfg->has_cvlans) {
        ds_put_cstr(s, " cvlans=");
        format_bitmap(s, &cfg->cvlans);
    }
}
