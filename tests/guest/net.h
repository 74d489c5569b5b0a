/* The test guest's virtio-net driver and its tiny IPv4 stack: it answers
 * ARP requests for its address and ICMP echo requests, and can send echo
 * requests to a peer and count the replies.  Everything is polled from
 * net_poll(); per-packet work is a few header checks and at most one
 * reply, written in place of a copy of the request. */

#ifndef NET_H
#define NET_H 1

#include "config.h"

/* Brings up the virtio-net device 'd' with the addresses in 'cfg'.
 * Returns 0, or -1 after printing what failed. */
int net_init(const struct config_device *d, const struct config *cfg);

/* Handles the packets that arrived, takes back sent buffers and watches
 * the link status. */
void net_poll(void);

/* Sends cfg->ping_count echo requests to cfg->ping_ip, one when the
 * previous one is answered or 100 ms later, waits up to a second for the
 * last replies and prints "ping: N sent, N received".  Returns 0 if
 * every request was answered, else -1. */
int net_ping(const struct config *cfg);

/* Answers packets for 'ms' milliseconds (forever if 0). */
void net_idle(uint64_t ms);

#endif /* net.h */
