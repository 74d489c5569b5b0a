/* The test guest's virtio-net driver, ARP and ICMP echo. */

#include "net.h"
#include "virtio.h"

#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_STATUS 16
#define VIRTIO_NET_S_LINK_UP 1
#define NET_CONFIG_STATUS 6         /* offset of 'status' in the config */

#define NET_HDR_LEN 12              /* struct virtio_net_hdr, VERSION_1 */
#define NET_BUF_SIZE 2048
#define NET_RXQ 0
#define NET_TXQ 1

#define ETH_HLEN 14
#define ETH_ZLEN 60                 /* shortest frame, without the FCS */
#define ETH_TYPE_IP 0x0800
#define ETH_TYPE_ARP 0x0806
#define ARP_LEN 28
#define ARP_REQUEST 1
#define ARP_REPLY 2
#define IP_HLEN 20
#define IP_PROTO_ICMP 1
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define ICMP_HLEN 8
#define PING_PAYLOAD 56
#define PING_ID 0x534b              /* "SK" */
#define PING_MAX 65536              /* echo sequence numbers are 16 bits */
#define PING_INTERVAL_MS 100
#define PING_LINGER_MS 1000
#define ARP_INTERVAL_MS 200
#define ARP_TIMEOUT_MS 10000
#define LINK_POLL_MS 100

static struct virtio_dev net_dev;
static struct virtq net_rxq __attribute__((aligned(4096)));
static struct virtq net_txq __attribute__((aligned(4096)));
static uint8_t net_rx_bufs[VIRTQ_MAX][NET_BUF_SIZE];
static uint8_t net_tx_bufs[VIRTQ_MAX][NET_BUF_SIZE];
static bool net_tx_busy[VIRTQ_MAX];
static bool net_up;

static uint8_t my_mac[6];
static uint32_t my_ip;              /* host byte order; 0: not answering */

static bool link_watch;
static bool link_up;
static uint64_t link_checked;

/* The ping in progress. */
static uint32_t peer_ip;
static uint8_t peer_mac[6];
static bool peer_known;
static uint32_t ping_sent;
static uint32_t ping_received;
static uint8_t ping_seen[PING_MAX / 8];

static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static uint16_t
get16(const uint8_t *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
    return (uint32_t) p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static void
put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t) (v >> 8);
    p[1] = (uint8_t) v;
}

static void
put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t) (v >> 16));
    put16(p + 2, (uint16_t) v);
}

/* The Internet checksum of 'n' bytes at 'p' (RFC 1071). */
static uint16_t
inet_csum(const uint8_t *p, size_t n)
{
    uint32_t sum = 0;

    for (size_t i = 0; i + 1 < n; i += 2) {
        sum += get16(p + i);
    }
    if (n & 1) {
        sum += p[n - 1] << 8;
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t) ~sum;
}

static void
net_tx_reclaim(void)
{
    uint32_t id, len;

    while (virtq_get(&net_txq, &id, &len)) {
        if (id < net_txq.size) {
            net_tx_busy[id] = false;
        }
    }
}

/* Returns a free transmit buffer's frame area (after the virtio-net
 * header) and its slot in '*slot', or NULL if all are in flight. */
static uint8_t *
net_tx_alloc(uint16_t *slot)
{
    net_tx_reclaim();
    for (uint16_t i = 0; i < net_txq.size; i++) {
        if (!net_tx_busy[i]) {
            *slot = i;
            memset(net_tx_bufs[i], 0, NET_HDR_LEN);
            return net_tx_bufs[i] + NET_HDR_LEN;
        }
    }
    return NULL;
}

static void
net_tx_send(uint16_t slot, size_t len)
{
    uint8_t *frame = net_tx_bufs[slot] + NET_HDR_LEN;

    if (len < ETH_ZLEN) {
        memset(frame + len, 0, ETH_ZLEN - len);
        len = ETH_ZLEN;
    }
    net_txq.desc[slot] = (struct virtq_desc) {
        .addr = (uintptr_t) net_tx_bufs[slot],
        .len = (uint32_t) (NET_HDR_LEN + len),
    };
    net_tx_busy[slot] = true;
    virtq_add(&net_txq, slot);
    virtq_kick(&net_txq);
}

static void
eth_header(uint8_t *frame, const uint8_t *dst, uint16_t type)
{
    memcpy(frame, dst, 6);
    memcpy(frame + 6, my_mac, 6);
    put16(frame + 12, type);
}

static void
arp_send(uint16_t op, const uint8_t *dst_mac, uint32_t dst_ip)
{
    uint16_t slot;
    uint8_t *f = net_tx_alloc(&slot);
    if (!f) {
        return;
    }

    eth_header(f, op == ARP_REQUEST ? broadcast : dst_mac, ETH_TYPE_ARP);
    uint8_t *a = f + ETH_HLEN;
    put16(a, 1);                        /* Ethernet */
    put16(a + 2, ETH_TYPE_IP);
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, op);
    memcpy(a + 8, my_mac, 6);
    put32(a + 14, my_ip);
    if (op == ARP_REQUEST) {
        memset(a + 18, 0, 6);
    } else {
        memcpy(a + 18, dst_mac, 6);
    }
    put32(a + 24, dst_ip);
    net_tx_send(slot, ETH_HLEN + ARP_LEN);
}

static void
arp_input(const uint8_t *a, size_t len)
{
    if (len < ARP_LEN || get16(a) != 1 || get16(a + 2) != ETH_TYPE_IP
        || a[4] != 6 || a[5] != 4) {
        return;
    }
    uint16_t op = get16(a + 6);
    uint32_t spa = get32(a + 14);
    uint32_t tpa = get32(a + 24);

    if (peer_ip && spa == peer_ip && !(a[8] & 1)) {
        memcpy(peer_mac, a + 8, 6);
        peer_known = true;
    }
    if (op == ARP_REQUEST && my_ip && tpa == my_ip) {
        uint8_t sha[6];
        memcpy(sha, a + 8, 6);
        arp_send(ARP_REPLY, sha, spa);
    }
}

/* Answers the echo request 'frame', whose IP header is 'ihl' bytes and
 * IP datagram 'total' bytes long. */
static void
icmp_echo_reply(const uint8_t *frame, size_t ihl, size_t total)
{
    uint16_t slot;
    uint8_t *f = net_tx_alloc(&slot);
    if (!f) {
        return;
    }

    memcpy(f, frame, ETH_HLEN + total);
    memcpy(f, frame + 6, 6);
    memcpy(f + 6, my_mac, 6);

    uint8_t *ip = f + ETH_HLEN;
    memcpy(ip + 12, frame + ETH_HLEN + 16, 4);
    memcpy(ip + 16, frame + ETH_HLEN + 12, 4);
    ip[8] = 64;
    put16(ip + 10, 0);
    put16(ip + 10, inet_csum(ip, ihl));

    /* Type 8 becomes 0: adjust the checksum for that word (RFC 1624). */
    uint8_t *icmp = ip + ihl;
    uint16_t old_word = get16(icmp);
    icmp[0] = ICMP_ECHO_REPLY;
    uint32_t sum = (uint16_t) ~get16(icmp + 2);
    sum += (uint16_t) ~old_word;
    sum += get16(icmp);
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    put16(icmp + 2, (uint16_t) ~sum);

    net_tx_send(slot, ETH_HLEN + total);
}

static void
ip_input(const uint8_t *frame, size_t len)
{
    const uint8_t *ip = frame + ETH_HLEN;
    size_t avail = len - ETH_HLEN;

    if (avail < IP_HLEN || ip[0] >> 4 != 4) {
        return;
    }
    size_t ihl = (size_t) (ip[0] & 0xf) * 4;
    size_t total = get16(ip + 2);
    if (ihl < IP_HLEN || total < ihl + ICMP_HLEN || total > avail
        || ip[9] != IP_PROTO_ICMP || !my_ip || get32(ip + 16) != my_ip
        || (get16(ip + 6) & 0x3fff)      /* a fragment */
        || inet_csum(ip, ihl)) {
        return;
    }

    const uint8_t *icmp = ip + ihl;
    if (icmp[0] == ICMP_ECHO_REQUEST && icmp[1] == 0) {
        icmp_echo_reply(frame, ihl, total);
    } else if (icmp[0] == ICMP_ECHO_REPLY && peer_ip
               && get32(ip + 12) == peer_ip && get16(icmp + 4) == PING_ID) {
        uint16_t seq = get16(icmp + 6);
        uint8_t bit = (uint8_t) (1 << (seq & 7));
        if (seq < ping_sent && !(ping_seen[seq / 8] & bit)) {
            ping_seen[seq / 8] |= bit;
            ping_received++;
        }
    }
}

static void
net_input(const uint8_t *frame, size_t len)
{
    if (len < ETH_HLEN
        || (memcmp(frame, my_mac, 6) && memcmp(frame, broadcast, 6))) {
        return;
    }
    switch (get16(frame + 12)) {
    case ETH_TYPE_ARP:
        arp_input(frame + ETH_HLEN, len - ETH_HLEN);
        break;
    case ETH_TYPE_IP:
        ip_input(frame, len);
        break;
    }
}

static void
net_check_link(void)
{
    uint64_t now = timer_ms();

    if (now - link_checked < LINK_POLL_MS) {
        return;
    }
    link_checked = now;
    bool up = virtio_config8(&net_dev, NET_CONFIG_STATUS)
              & VIRTIO_NET_S_LINK_UP;
    if (up != link_up) {
        link_up = up;
        con_printf("net: link %s\n", up ? "up" : "down");
    }
}

void
net_poll(void)
{
    if (!net_up) {
        return;
    }

    uint32_t id, len;
    int n = 0;
    while (virtq_get(&net_rxq, &id, &len)) {
        if (id >= net_rxq.size) {
            continue;
        }
        if (len > NET_HDR_LEN && len <= NET_BUF_SIZE) {
            net_input(net_rx_bufs[id] + NET_HDR_LEN, len - NET_HDR_LEN);
        }
        virtq_add(&net_rxq, (uint16_t) id);
        n++;
    }
    if (n) {
        virtq_kick(&net_rxq);
    }
    net_tx_reclaim();
    if (link_watch) {
        net_check_link();
    }
}

static void
net_format_mac(const uint8_t mac[6], char buf[18])
{
    for (int i = 0; i < 6; i++) {
        buf[i * 3] = "0123456789abcdef"[mac[i] >> 4];
        buf[i * 3 + 1] = "0123456789abcdef"[mac[i] & 0xf];
        buf[i * 3 + 2] = i < 5 ? ':' : '\0';
    }
}

int
net_init(const struct config_device *d, const struct config *cfg)
{
    uint64_t wanted = UINT64_C(1) << VIRTIO_NET_F_MAC
                      | UINT64_C(1) << VIRTIO_NET_F_STATUS;

    if (virtio_start(&net_dev, d->base, d->irq, wanted)
        || virtio_queue_init(&net_dev, &net_rxq, NET_RXQ, VIRTQ_MAX)
        || virtio_queue_init(&net_dev, &net_txq, NET_TXQ, VIRTQ_MAX)) {
        con_printf("net: device at 0x%lx failed\n", d->base);
        return -1;
    }

    my_ip = cfg->has_ip ? cfg->ip : 0;
    if (cfg->has_mac) {
        memcpy(my_mac, cfg->mac, 6);
    } else if (net_dev.features & (UINT64_C(1) << VIRTIO_NET_F_MAC)) {
        for (uint32_t i = 0; i < 6; i++) {
            my_mac[i] = virtio_config8(&net_dev, i);
        }
    } else {
        /* A locally administered address made from the IP address. */
        my_mac[0] = 0x02;
        my_mac[1] = 0x00;
        put32(my_mac + 2, my_ip);
    }

    for (uint16_t i = 0; i < net_rxq.size; i++) {
        net_rxq.desc[i] = (struct virtq_desc) {
            .addr = (uintptr_t) net_rx_bufs[i], .len = NET_BUF_SIZE,
            .flags = VIRTQ_DESC_F_WRITE,
        };
        virtq_add(&net_rxq, i);
    }
    if (virtio_ready(&net_dev)) {
        con_printf("net: device at 0x%lx failed\n", d->base);
        return -1;
    }
    virtq_kick(&net_rxq);
    net_up = true;

    char mac[18], ip[16];
    net_format_mac(my_mac, mac);
    config_format_ip(my_ip, ip);
    con_printf("net: device at 0x%lx irq %u mac %s ip %s\n", d->base,
               d->irq, mac, my_ip ? ip : "none (not answering)");

    link_watch = net_dev.features & (UINT64_C(1) << VIRTIO_NET_F_STATUS);
    if (link_watch) {
        link_up = virtio_config8(&net_dev, NET_CONFIG_STATUS)
                  & VIRTIO_NET_S_LINK_UP;
        link_checked = timer_ms();
        con_printf("net: link %s\n", link_up ? "up" : "down");
    }
    return 0;
}

static void
icmp_echo_send(uint16_t seq)
{
    uint16_t slot;
    uint8_t *f = net_tx_alloc(&slot);
    if (!f) {
        return;
    }

    eth_header(f, peer_mac, ETH_TYPE_IP);
    uint8_t *ip = f + ETH_HLEN;
    size_t total = IP_HLEN + ICMP_HLEN + PING_PAYLOAD;
    ip[0] = 0x45;
    ip[1] = 0;
    put16(ip + 2, (uint16_t) total);
    put16(ip + 4, seq);                 /* identification */
    put16(ip + 6, 0x4000);              /* don't fragment */
    ip[8] = 64;
    ip[9] = IP_PROTO_ICMP;
    put16(ip + 10, 0);
    put32(ip + 12, my_ip);
    put32(ip + 16, peer_ip);
    put16(ip + 10, inet_csum(ip, IP_HLEN));

    uint8_t *icmp = ip + IP_HLEN;
    icmp[0] = ICMP_ECHO_REQUEST;
    icmp[1] = 0;
    put16(icmp + 2, 0);
    put16(icmp + 4, PING_ID);
    put16(icmp + 6, seq);
    for (size_t i = 0; i < PING_PAYLOAD; i++) {
        icmp[ICMP_HLEN + i] = (uint8_t) i;
    }
    put16(icmp + 2, inet_csum(icmp, ICMP_HLEN + PING_PAYLOAD));

    net_tx_send(slot, ETH_HLEN + total);
}

/* Resolves peer_ip; returns false if no ARP reply came in time. */
static bool
arp_resolve(void)
{
    uint64_t deadline = timer_ms() + ARP_TIMEOUT_MS;

    while (!peer_known && timer_ms() < deadline) {
        arp_send(ARP_REQUEST, NULL, peer_ip);
        uint64_t next = timer_ms() + ARP_INTERVAL_MS;
        while (!peer_known && timer_ms() < next) {
            net_poll();
            cpu_relax();
        }
    }
    return peer_known;
}

int
net_ping(const struct config *cfg)
{
    char ip[16];
    uint32_t count = cfg->ping_count;

    config_format_ip(cfg->ping_ip, ip);
    if (!net_up || !my_ip) {
        con_printf("ping: no network device with an ip= address\n");
        con_printf("ping: 0 sent, 0 received\n");
        return -1;
    }
    if (count > PING_MAX) {
        count = PING_MAX;
    }

    peer_ip = cfg->ping_ip;
    ping_sent = 0;
    ping_received = 0;
    memset(ping_seen, 0, sizeof ping_seen);
    if (!arp_resolve()) {
        con_printf("ping: no ARP reply from %s\n", ip);
        con_printf("ping: 0 sent, 0 received\n");
        return -1;
    }

    for (uint32_t seq = 0; seq < count; seq++) {
        uint32_t before = ping_received;
        icmp_echo_send((uint16_t) seq);
        ping_sent++;
        uint64_t next = timer_ms() + PING_INTERVAL_MS;
        while (ping_received == before && timer_ms() < next) {
            net_poll();
            cpu_relax();
        }
    }
    uint64_t deadline = timer_ms() + PING_LINGER_MS;
    while (ping_received < ping_sent && timer_ms() < deadline) {
        net_poll();
        cpu_relax();
    }

    con_printf("ping: %u sent, %u received\n", ping_sent, ping_received);
    return ping_received == ping_sent ? 0 : -1;
}

void
net_idle(uint64_t ms)
{
    uint64_t deadline = timer_ms() + ms;

    while (!ms || timer_ms() < deadline) {
        net_poll();
        cpu_relax();
    }
}
