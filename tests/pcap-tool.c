/* pcap-tool: writes and prints pcap files for the datapath's tests.
 *
 *   pcap-tool write FILE HEX...     one packet per HEX argument (bytes in
 *                                   hex, ':' and '.' ignored)
 *   pcap-tool print FILE            one line per packet: its bytes in hex
 *   pcap-tool count FILE            the number of packets
 *   pcap-tool udp SRC_MAC DST_MAC SRC_IP DST_IP SPORT DPORT PAYLOAD_LEN
 *                                   prints the hex of an Ethernet / IPv4 /
 *                                   UDP frame with correct checksums and a
 *                                   payload of PAYLOAD_LEN counting bytes
 *
 * Exit status: 0 ok, 1 failure (an unreadable file), 2 usage.
 */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PACKET 65535

static void
usage(void)
{
    fprintf(stderr,
            "usage: pcap-tool write FILE HEX...\n"
            "       pcap-tool print FILE\n"
            "       pcap-tool count FILE\n"
            "       pcap-tool udp SRC_MAC DST_MAC SRC_IP DST_IP SPORT DPORT "
            "PAYLOAD_LEN\n");
    exit(2);
}

static int
hex_value(int c)
{
    return (c >= '0' && c <= '9' ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
            : -1);
}

/* Parses HEX into BUF; returns the length or -1. */
static int
parse_hex(const char *hex, uint8_t *buf, size_t max)
{
    size_t n = 0;
    int hi = -1;

    for (const char *p = hex; *p; p++) {
        if (*p == ':' || *p == '.' || *p == ' ') {
            continue;
        }
        int v = hex_value((unsigned char) *p);
        if (v < 0) {
            return -1;
        }
        if (hi < 0) {
            hi = v;
        } else {
            if (n >= max) {
                return -1;
            }
            buf[n++] = hi << 4 | v;
            hi = -1;
        }
    }
    return hi < 0 ? (int) n : -1;
}

static int
cmd_write(int argc, char *argv[])
{
    static uint8_t buf[MAX_PACKET];
    pcap_t *p = pcap_open_dead(DLT_EN10MB, MAX_PACKET);
    pcap_dumper_t *d = pcap_dump_open(p, argv[0]);

    if (!d) {
        fprintf(stderr, "pcap-tool: %s: %s\n", argv[0], pcap_geterr(p));
        pcap_close(p);
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        int len = parse_hex(argv[i], buf, sizeof buf);
        if (len < 0) {
            fprintf(stderr, "pcap-tool: \"%s\" is not a packet in hex\n",
                    argv[i]);
            pcap_dump_close(d);
            pcap_close(p);
            return 2;
        }
        struct pcap_pkthdr h = { .caplen = len, .len = len };
        h.ts.tv_sec = i;
        pcap_dump((u_char *) d, &h, buf);
    }
    pcap_dump_close(d);
    pcap_close(p);
    return 0;
}

static int
cmd_read(const char *file, bool print)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(file, errbuf);
    struct pcap_pkthdr *h;
    const u_char *data;
    long n = 0;

    if (!p) {
        fprintf(stderr, "pcap-tool: %s: %s\n", file, errbuf);
        return 1;
    }
    while (pcap_next_ex(p, &h, &data) == 1) {
        n++;
        if (print) {
            for (bpf_u_int32 i = 0; i < h->caplen; i++) {
                printf("%02x", data[i]);
            }
            putchar('\n');
        }
    }
    if (!print) {
        printf("%ld\n", n);
    }
    pcap_close(p);
    return 0;
}

static uint32_t
sum16(const uint8_t *p, size_t n, uint32_t sum)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        sum += p[i] << 8 | p[i + 1];
    }
    if (n & 1) {
        sum += p[n - 1] << 8;
    }
    return sum;
}

static uint16_t
fold(uint32_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return ~sum & 0xffff;
}

static int
parse_mac(const char *s, uint8_t mac[6])
{
    unsigned int b[6];
    char c;
    if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4],
               &b[5], &c) != 6) {
        return -1;
    }
    for (int i = 0; i < 6; i++) {
        if (b[i] > 255) {
            return -1;
        }
        mac[i] = b[i];
    }
    return 0;
}

static int
parse_num(const char *s, long max, long *v)
{
    char *end;
    errno = 0;
    *v = strtol(s, &end, 10);
    return errno || *end || end == s || *v < 0 || *v > max ? -1 : 0;
}

static int
cmd_udp(char *argv[])
{
    static uint8_t f[MAX_PACKET];
    uint8_t src_mac[6], dst_mac[6];
    struct in_addr src, dst;
    long sport, dport, plen;

    if (parse_mac(argv[0], src_mac) || parse_mac(argv[1], dst_mac)
        || inet_pton(AF_INET, argv[2], &src) != 1
        || inet_pton(AF_INET, argv[3], &dst) != 1
        || parse_num(argv[4], 65535, &sport)
        || parse_num(argv[5], 65535, &dport)
        || parse_num(argv[6], 1400, &plen)) {
        fprintf(stderr, "pcap-tool: bad udp arguments\n");
        return 2;
    }

    size_t len = 14 + 20 + 8 + plen;
    memset(f, 0, len);
    memcpy(f, dst_mac, 6);
    memcpy(f + 6, src_mac, 6);
    f[12] = 0x08;

    uint8_t *ip = f + 14;
    ip[0] = 0x45;
    ip[2] = (20 + 8 + plen) >> 8;
    ip[3] = (20 + 8 + plen) & 0xff;
    ip[8] = 64;
    ip[9] = 17;
    memcpy(ip + 12, &src, 4);
    memcpy(ip + 16, &dst, 4);
    uint16_t c = fold(sum16(ip, 20, 0));
    ip[10] = c >> 8;
    ip[11] = c & 0xff;

    uint8_t *udp = ip + 20;
    udp[0] = sport >> 8;
    udp[1] = sport & 0xff;
    udp[2] = dport >> 8;
    udp[3] = dport & 0xff;
    udp[4] = (8 + plen) >> 8;
    udp[5] = (8 + plen) & 0xff;
    for (long i = 0; i < plen; i++) {
        udp[8 + i] = i & 0xff;
    }
    uint32_t sum = sum16(ip + 12, 8, 0) + 17 + 8 + plen;
    c = fold(sum16(udp, 8 + plen, sum));
    if (!c) {
        c = 0xffff;
    }
    udp[6] = c >> 8;
    udp[7] = c & 0xff;

    for (size_t i = 0; i < len; i++) {
        printf("%02x", f[i]);
    }
    putchar('\n');
    return 0;
}

int
main(int argc, char *argv[])
{
    if (argc < 3) {
        usage();
    }
    if (!strcmp(argv[1], "write")) {
        return cmd_write(argc - 2, argv + 2);
    } else if (!strcmp(argv[1], "print") && argc == 3) {
        return cmd_read(argv[2], true);
    } else if (!strcmp(argv[1], "count") && argc == 3) {
        return cmd_read(argv[2], false);
    } else if (!strcmp(argv[1], "udp") && argc == 9) {
        return cmd_udp(argv + 2);
    }
    usage();
}
