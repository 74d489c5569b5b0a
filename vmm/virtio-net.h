/*
 * virtio-net: a network device whose queues (one receive, one transmit)
 * are served by a vhost-user backend, normally the switch.  The VMM never
 * touches a packet: the backend gets the guest's memory (the memfd), the
 * rings' addresses, the queues' ioeventfds as kick fds and the device's
 * irqfd as call fd.
 *
 * The VMM keeps the configuration space: the MAC address and the link
 * status.  When the backend goes away (its socket closes), the link goes
 * down and the guest gets a configuration interrupt; the VMM reconnects
 * (client: every second; server: when the backend connects again), sets
 * the rings up again from where the guest's used rings stand, and the
 * link comes back up.
 */
#ifndef SKIFF_VMM_VIRTIO_NET_H
#define SKIFF_VMM_VIRTIO_NET_H 1

#include <stdbool.h>
#include <stdint.h>

struct kvm_vm;
struct virtio_mmio;

struct virtio_net_options {
    char path[108];             /* The vhost-user socket. */
    bool server;                /* Listen instead of connecting. */
    bool has_mac;
    uint8_t mac[6];
};

/* Parses "vhost-user=PATH[,mac=MAC][,server]".  Returns NULL or an error
 * message (to free). */
char *virtio_net_parse(const char *arg, struct virtio_net_options *);

/* Creates the device at BASE with interrupt IRQ; INDEX makes the default
 * MAC (52:54:00:5k:ff:INDEX... see virtio-net.c).  Connects to (or
 * listens on) the socket now.  Returns 0 or a positive errno value with
 * *ERRORP saying why. */
int virtio_net_create(struct kvm_vm *, const struct virtio_net_options *,
                      int index, uint64_t base, uint32_t irq,
                      struct virtio_mmio **, char **errorp);

#endif /* virtio-net.h */
