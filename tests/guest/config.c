/* The test guest's command-line parser. */

#include "config.h"

/* Parses a decimal or 0x-prefixed hexadecimal number at '*s', advancing
 * '*s' past it; with 'suffixes', K, M or G multiply it by 2^10, 2^20 or
 * 2^30.  Returns false if there is no number or it overflows. */
static bool
parse_number(const char **s, bool suffixes, uint64_t *value)
{
    const char *p = *s;
    unsigned base = 10;
    uint64_t v = 0;
    bool any = false;

    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    for (;; p++) {
        unsigned d;
        if (*p >= '0' && *p <= '9') {
            d = (unsigned) (*p - '0');
        } else if (base == 16 && *p >= 'a' && *p <= 'f') {
            d = (unsigned) (*p - 'a' + 10);
        } else if (base == 16 && *p >= 'A' && *p <= 'F') {
            d = (unsigned) (*p - 'A' + 10);
        } else {
            break;
        }
        if (v > (UINT64_MAX - d) / base) {
            return false;
        }
        v = v * base + d;
        any = true;
    }
    if (!any) {
        return false;
    }
    if (suffixes) {
        unsigned shift = 0;
        switch (*p) {
        case 'k': case 'K': shift = 10; break;
        case 'm': case 'M': shift = 20; break;
        case 'g': case 'G': shift = 30; break;
        }
        if (shift) {
            if (v > UINT64_MAX >> shift) {
                return false;
            }
            v <<= shift;
            p++;
        }
    }
    *s = p;
    *value = v;
    return true;
}

/* Parses a whole value as a number no larger than 'max'. */
static bool
parse_uint(const char *s, uint64_t max, uint64_t *value)
{
    return parse_number(&s, false, value) && !*s && *value <= max;
}

static bool
parse_ip(const char *s, uint32_t *ip)
{
    uint32_t v = 0;

    for (int i = 0; i < 4; i++) {
        uint64_t octet;
        if (i && *s++ != '.') {
            return false;
        }
        if (!(*s >= '0' && *s <= '9') || !parse_number(&s, false, &octet)
            || octet > 255) {
            return false;
        }
        v = v << 8 | (uint32_t) octet;
    }
    *ip = v;
    return !*s;
}

static int
hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    } else if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

static bool
parse_mac(const char *s, uint8_t mac[6])
{
    for (int i = 0; i < 6; i++) {
        if (i && *s++ != ':') {
            return false;
        }
        int hi = hex_digit(s[0]);
        int lo = hi < 0 ? -1 : hex_digit(s[1]);
        if (lo < 0) {
            return false;
        }
        mac[i] = (uint8_t) (hi << 4 | lo);
        s += 2;
    }
    return !*s;
}

/* SIZE@ADDR:IRQ[:ID], the form of the kernel's virtio_mmio.device=. */
static bool
parse_device(const char *s, enum config_kind kind, struct config *cfg)
{
    uint64_t size, base, irq, id;

    if (!parse_number(&s, true, &size) || !size || *s++ != '@'
        || !parse_number(&s, true, &base) || *s++ != ':'
        || !parse_number(&s, false, &irq) || irq > 255) {
        return false;
    }
    if (*s == ':' && (s++, !parse_number(&s, false, &id))) {
        return false;
    }
    if (*s || base + size < base || base + size > (UINT64_C(1) << 32)) {
        return false;
    }

    /* The same device named twice (net= and virtio_mmio.device=) counts
     * once, with the more precise kind. */
    for (size_t i = 0; i < cfg->n_devices; i++) {
        struct config_device *d = &cfg->devices[i];
        if (d->base == base) {
            if (kind != CONFIG_ANY) {
                d->kind = kind;
            }
            return true;
        }
    }
    if (cfg->n_devices >= CONFIG_MAX_DEVICES) {
        con_printf("skiff-test-guest: more than %d devices, ignoring 0x%lx\n",
                   CONFIG_MAX_DEVICES, base);
        return true;
    }
    cfg->devices[cfg->n_devices++] = (struct config_device) {
        .base = base, .size = size, .irq = (uint32_t) irq, .kind = kind,
    };
    return true;
}

static bool
starts_with(const char *s, const char *prefix)
{
    while (*prefix) {
        if (*s++ != *prefix++) {
            return false;
        }
    }
    return true;
}

/* Handles one "key=value" word; returns false if 'value' is bad. */
static bool
config_word(const char *key, const char *value, struct config *cfg)
{
    uint64_t n;

    if (!strcmp(key, "virtio_mmio.device")) {
        return parse_device(value, CONFIG_ANY, cfg);
    } else if (!strcmp(key, "net")) {
        return starts_with(value, "mmio:")
               && parse_device(value + 5, CONFIG_NET, cfg);
    } else if (!strcmp(key, "blk")) {
        return starts_with(value, "mmio:")
               && parse_device(value + 5, CONFIG_BLK, cfg);
    } else if (!strcmp(key, "ip")) {
        return (cfg->has_ip = parse_ip(value, &cfg->ip));
    } else if (!strcmp(key, "mac")) {
        return (cfg->has_mac = parse_mac(value, cfg->mac));
    } else if (!strcmp(key, "ping")) {
        return (cfg->has_ping = parse_ip(value, &cfg->ping_ip));
    } else if (!strcmp(key, "count")) {
        if (!parse_uint(value, 1000000, &n)) {
            return false;
        }
        cfg->ping_count = (uint32_t) n;
    } else if (!strcmp(key, "blktest")) {
        if (!parse_uint(value, 1, &n)) {
            return false;
        }
        cfg->blktest = n;
    } else if (!strcmp(key, "blkbad")) {
        if (!parse_uint(value, 1, &n)) {
            return false;
        }
        cfg->blkbad = n;
    } else if (!strcmp(key, "blksector")) {
        return parse_uint(value, UINT64_MAX >> 9, &cfg->blksector);
    } else if (!strcmp(key, "exit")) {
        if (!parse_uint(value, 1, &n)) {
            return false;
        }
        cfg->exit = n;
    } else if (!strcmp(key, "crash")) {
        if (!parse_uint(value, 1, &n)) {
            return false;
        }
        cfg->crash = n;
    } else if (!strcmp(key, "idle")) {
        if (!parse_uint(value, 3600 * 1000, &n)) {
            return false;
        }
        cfg->idle_ms = (uint32_t) n;
    }
    return true;
}

void
config_parse(const char *cmdline, struct config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->ping_count = 3;

    const char *p = cmdline;
    while (*p) {
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (!*p) {
            break;
        }

        /* Copies one word, split at its first '=' into key and value. */
        char word[256];
        size_t n = 0;
        char *value = NULL;
        bool too_long = false;
        for (; *p && *p != ' ' && *p != '\t'; p++) {
            if (n >= sizeof word - 1) {
                too_long = true;
                continue;
            }
            if (*p == '=' && !value) {
                word[n++] = '\0';
                value = &word[n];
            } else {
                word[n++] = *p;
            }
        }
        word[n] = '\0';
        if (too_long || !value) {
            continue;
        }
        if (!config_word(word, value, cfg)) {
            con_printf("skiff-test-guest: bad value in %s=%s\n", word, value);
        }
    }
}

void
config_format_ip(uint32_t ip, char buf[16])
{
    char *p = buf;

    for (int i = 3; i >= 0; i--) {
        unsigned octet = (ip >> (i * 8)) & 0xff;
        if (octet >= 100) {
            *p++ = (char) ('0' + octet / 100);
        }
        if (octet >= 10) {
            *p++ = (char) ('0' + octet / 10 % 10);
        }
        *p++ = (char) ('0' + octet % 10);
        if (i) {
            *p++ = '.';
        }
    }
    *p = '\0';
}
