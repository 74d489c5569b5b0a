/* The test guest's virtio-blk driver. */

#include "blk.h"
#include "virtio.h"

#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_FLUSH 9

#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8

#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2

#define SECTOR_SIZE 512
#define BLK_ID_LEN 20
#define BLK_TIMEOUT_MS 5000
#define BLK_STATUS_NONE 0xff    /* not written by the device */

struct blk_req_header {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
};

static struct virtio_dev blk_dev;
static struct virtq blk_q __attribute__((aligned(4096)));
static struct blk_req_header blk_header;
static uint8_t blk_data[SECTOR_SIZE] __attribute__((aligned(512)));
static uint8_t blk_status;

/* Runs one request: 'type' on 'sector' with 'len' bytes of blk_data (none
 * if 0), in the device's direction for reads.  Returns the device's
 * status byte, or -1 on a timeout. */
static int
blk_request(uint32_t type, uint64_t sector, uint32_t len)
{
    blk_header = (struct blk_req_header) { .type = type, .sector = sector };
    blk_status = BLK_STATUS_NONE;

    struct virtq_desc *d = blk_q.desc;
    uint16_t n = 0;
    d[n] = (struct virtq_desc) {
        .addr = (uintptr_t) &blk_header, .len = sizeof blk_header,
        .flags = VIRTQ_DESC_F_NEXT, .next = 1,
    };
    n++;
    if (len) {
        bool to_guest = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;
        d[n] = (struct virtq_desc) {
            .addr = (uintptr_t) blk_data, .len = len,
            .flags = VIRTQ_DESC_F_NEXT | (to_guest ? VIRTQ_DESC_F_WRITE : 0),
            .next = 2,
        };
        n++;
    }
    d[n] = (struct virtq_desc) {
        .addr = (uintptr_t) &blk_status, .len = 1,
        .flags = VIRTQ_DESC_F_WRITE,
    };

    virtq_add(&blk_q, 0);
    virtq_kick(&blk_q);

    uint64_t deadline = timer_ms() + BLK_TIMEOUT_MS;
    uint32_t id, used_len;
    while (!virtq_get(&blk_q, &id, &used_len)) {
        if (timer_ms() > deadline) {
            return -1;
        }
        cpu_relax();
    }
    barrier();
    return *(volatile uint8_t *) &blk_status;
}

/* Submits the chain at 'head' and waits up to a second for it: returns
 * true with the used length in '*len' if the device completed it. */
static bool
blk_submit_wait(uint16_t head, uint32_t *len)
{
    virtq_add(&blk_q, head);
    virtq_kick(&blk_q);

    uint64_t deadline = timer_ms() + 1000;
    uint32_t id;
    while (!virtq_get(&blk_q, &id, len)) {
        if (timer_ms() > deadline) {
            return false;
        }
        cpu_relax();
    }
    return true;
}

/* Submits chains a device must refuse, one at a time: (a) a request
 * whose header lies outside guest memory, (b) two descriptors that chain
 * to each other forever.  Prints how the device answered each. */
static void
blk_bad_chains(void)
{
    struct virtq_desc *d = blk_q.desc;
    uint32_t len;

    blk_status = BLK_STATUS_NONE;
    d[3] = (struct virtq_desc) {
        .addr = UINT64_C(0xffffffff00000000), .len = sizeof blk_header,
        .flags = VIRTQ_DESC_F_NEXT, .next = 4,
    };
    d[4] = (struct virtq_desc) {
        .addr = (uintptr_t) blk_data, .len = SECTOR_SIZE,
        .flags = VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, .next = 5,
    };
    d[5] = (struct virtq_desc) {
        .addr = (uintptr_t) &blk_status, .len = 1,
        .flags = VIRTQ_DESC_F_WRITE,
    };
    if (blk_submit_wait(3, &len)) {
        con_printf("blk: bad chain a: completed, len %u\n", len);
    } else {
        con_printf("blk: bad chain a: no completion\n");
    }

    blk_header = (struct blk_req_header) { .type = VIRTIO_BLK_T_IN };
    d[6] = (struct virtq_desc) {
        .addr = (uintptr_t) &blk_header, .len = sizeof blk_header,
        .flags = VIRTQ_DESC_F_NEXT, .next = 7,
    };
    d[7] = (struct virtq_desc) {
        .addr = (uintptr_t) blk_data, .len = SECTOR_SIZE,
        .flags = VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, .next = 6,
    };
    if (blk_submit_wait(6, &len)) {
        con_printf("blk: bad chain b: completed, len %u\n", len);
    } else {
        con_printf("blk: bad chain b: no completion\n");
    }
}

static const char *
blk_status_name(int status)
{
    switch (status) {
    case -1: return "timeout";
    case VIRTIO_BLK_S_OK: return "ok";
    case VIRTIO_BLK_S_IOERR: return "IOERR";
    case VIRTIO_BLK_S_UNSUPP: return "UNSUPP";
    case BLK_STATUS_NONE: return "no status";
    default: return "unknown status";
    }
}

/* Fills blk_data with the pattern for 'sector': the line
 * "skiff-test-guest blktest sector=S\n" repeated. */
static void
blk_pattern(uint64_t sector, uint8_t *buf)
{
    static const char prefix[] = "skiff-test-guest blktest sector=";
    char line[64];
    size_t n = sizeof prefix - 1;
    char digits[24];
    int nd = 0;

    memcpy(line, prefix, n);
    do {
        digits[nd++] = (char) ('0' + sector % 10);
        sector /= 10;
    } while (sector);
    while (nd) {
        line[n++] = digits[--nd];
    }
    line[n++] = '\n';
    for (size_t i = 0; i < SECTOR_SIZE; i++) {
        buf[i] = (uint8_t) line[i % n];
    }
}

static int
blk_test(uint64_t sector, uint64_t capacity, bool flush)
{
    static uint8_t expected[SECTOR_SIZE];

    if (sector >= capacity) {
        con_printf("blk: sector %lu is past the end (%lu sectors)\n",
                   sector, capacity);
        return -1;
    }

    blk_pattern(sector, expected);
    memcpy(blk_data, expected, SECTOR_SIZE);
    int status = blk_request(VIRTIO_BLK_T_OUT, sector, SECTOR_SIZE);
    if (status != VIRTIO_BLK_S_OK) {
        con_printf("blk: write of sector %lu failed: %s\n", sector,
                   blk_status_name(status));
        return -1;
    }
    if (flush) {
        status = blk_request(VIRTIO_BLK_T_FLUSH, 0, 0);
        if (status != VIRTIO_BLK_S_OK) {
            con_printf("blk: flush failed: %s\n", blk_status_name(status));
            return -1;
        }
    }

    memset(blk_data, 0, SECTOR_SIZE);
    status = blk_request(VIRTIO_BLK_T_IN, sector, SECTOR_SIZE);
    if (status != VIRTIO_BLK_S_OK) {
        con_printf("blk: read of sector %lu failed: %s\n", sector,
                   blk_status_name(status));
        return -1;
    }
    for (size_t i = 0; i < SECTOR_SIZE; i++) {
        if (blk_data[i] != expected[i]) {
            con_printf("blk: sector %lu differs at byte %u: wrote 0x%02x, "
                       "read 0x%02x\n", sector, (unsigned) i, expected[i],
                       blk_data[i]);
            return -1;
        }
    }
    con_printf("blk: ok (sector %lu written%s, read back)\n", sector,
               flush ? ", flushed" : "");
    return 0;
}

int
blk_run(const struct config_device *d, const struct config *cfg)
{
    uint64_t wanted = UINT64_C(1) << VIRTIO_BLK_F_RO
                      | UINT64_C(1) << VIRTIO_BLK_F_FLUSH;

    if (virtio_start(&blk_dev, d->base, d->irq, wanted)
        || virtio_queue_init(&blk_dev, &blk_q, 0, 8)
        || virtio_ready(&blk_dev)) {
        con_printf("blk: device at 0x%lx failed\n", d->base);
        return -1;
    }

    uint64_t capacity = virtio_config32(&blk_dev, 0)
                        | (uint64_t) virtio_config32(&blk_dev, 4) << 32;
    bool ro = blk_dev.features & (UINT64_C(1) << VIRTIO_BLK_F_RO);
    bool flush = blk_dev.features & (UINT64_C(1) << VIRTIO_BLK_F_FLUSH);
    con_printf("blk: device at 0x%lx irq %u: %lu sectors%s\n", d->base,
               d->irq, capacity, ro ? ", read-only" : "");

    memset(blk_data, 0, BLK_ID_LEN + 1);
    int status = blk_request(VIRTIO_BLK_T_GET_ID, 0, BLK_ID_LEN);
    if (status == VIRTIO_BLK_S_OK) {
        con_printf("blk: id \"");
        for (size_t i = 0; i < BLK_ID_LEN && blk_data[i]; i++) {
            uint8_t c = blk_data[i];
            con_putc(c >= ' ' && c <= '~' ? (char) c : '?');
        }
        con_printf("\"\n");
    } else {
        con_printf("blk: get id: %s\n", blk_status_name(status));
    }

    if (cfg->blkbad) {
        if (blk_q.size < 8) {
            con_printf("blk: queue of %u entries, too short for bad chains\n",
                       blk_q.size);
        } else {
            blk_bad_chains();
        }
    }
    return cfg->blktest ? blk_test(cfg->blksector, capacity, flush) : 0;
}
