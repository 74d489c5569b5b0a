/*
 * ofproto-upcall: the slow path's side of datapath/dp-upcall.h, for every
 * bridge at once.
 *
 * A miss arrives with the datapath's port number in the key's in_port;
 * the port map finds the bridge and the OpenFlow port, the packet is
 * translated (xlate.h) with learning and counters on, and the result's
 * mask is handed back with in_port exact (in the datapath's numbering) and
 * metadata wildcarded (it is always 0 in the datapath).  A packet from a
 * port no bridge has gets a drop megaflow on that port.  Revalidation
 * translates the megaflow's key the same way without learning or
 * counting.  A stats push translates the megaflow's key again, installs
 * nothing, and credits the delta as if its packets had come up: to the
 * input port, every rule the translation hits (last use raised to the
 * delta's), every output port, and NORMAL's learning of the source (a
 * plain refresh does not bump the version).  The version is
 * ofproto_version().
 *
 * Thread-safe: upcalls run in PMD threads, revalidation and pushes in the
 * revalidator thread, while the control thread changes bridges (see
 * ofproto-private.h).
 */
#ifndef SKIFF_OFPROTO_UPCALL_H
#define SKIFF_OFPROTO_UPCALL_H 1

#include "datapath/dp-upcall.h"

/* The ops to register with the datapath; AUX is unused (NULL). */
extern const struct dp_upcall_ops ofproto_upcall_ops;

#endif /* ofproto-upcall.h */
