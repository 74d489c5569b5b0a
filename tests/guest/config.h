/* The test guest's command line, parsed.  Keys the guest does not know
 * are ignored, so the same command line can also carry a kernel's
 * options; a known key with a bad value is reported and ignored.
 *
 *   virtio_mmio.device=SIZE@ADDR:IRQ[:ID]  a virtio-mmio device (its type
 *                                           is read from the device)
 *   net=mmio:SIZE@ADDR:IRQ                  a virtio-net device
 *   blk=mmio:SIZE@ADDR:IRQ                  a virtio-blk device
 *   ip=A.B.C.D  mac=XX:XX:XX:XX:XX:XX      the guest's addresses
 *   ping=A.B.C.D  count=N                   send N echo requests
 *   blktest=1  blksector=S                  write, flush, read back S
 *   blkbad=1                                first submit two descriptor
 *                                           chains a device must refuse
 *   exit=1  idle=MS                         exit when done (after
 *                                           answering MS ms more)
 *   crash=1                                 raise an invalid-opcode
 *                                           exception after the report */

#ifndef CONFIG_H
#define CONFIG_H 1

#include "guest.h"

#define CONFIG_MAX_DEVICES 8

enum config_kind {
    CONFIG_ANY,                 /* from virtio_mmio.device= */
    CONFIG_NET,                 /* from net= */
    CONFIG_BLK,                 /* from blk= */
};

struct config_device {
    uint64_t base;
    uint64_t size;
    uint32_t irq;
    enum config_kind kind;
};

struct config {
    struct config_device devices[CONFIG_MAX_DEVICES];
    size_t n_devices;

    bool has_ip;
    uint32_t ip;                /* host byte order */
    bool has_mac;
    uint8_t mac[6];

    bool has_ping;
    uint32_t ping_ip;           /* host byte order */
    uint32_t ping_count;        /* default 3 */

    bool blktest;
    uint64_t blksector;
    bool blkbad;

    bool exit;
    uint32_t idle_ms;
    bool crash;
};

/* Parses 'cmdline' into 'cfg', printing a line for each bad value. */
void config_parse(const char *cmdline, struct config *cfg);

/* Formats 'ip' (host byte order) as A.B.C.D into 'buf'. */
void config_format_ip(uint32_t ip, char buf[16]);

#endif /* config.h */
