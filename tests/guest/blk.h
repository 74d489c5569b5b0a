/* The test guest's virtio-blk driver: brings the device up, reports it
 * and, when asked, writes a pattern to one sector, flushes, reads it back
 * and says whether the two match.  Requests are synchronous. */

#ifndef BLK_H
#define BLK_H 1

#include "config.h"

/* Drives the virtio-blk device 'd' as 'cfg' asks.  Returns 0, or -1 after
 * printing what failed. */
int blk_run(const struct config_device *d, const struct config *cfg);

#endif /* blk.h */
