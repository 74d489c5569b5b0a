/*
 * ofproto-appctl: the slow path's control commands.
 *
 *   ofproto/trace BR FLOW [PACKET]
 *       Runs a packet through BR's tables without changing anything (no
 *       learning, no counters) and shows each table and flow matched, the
 *       actions run, the datapath actions and the megaflow.  FLOW is a
 *       match in flow text (in_port is required); PACKET, if given, is
 *       the packet in hex, parsed for every other field.
 *   fdb/show BR          the MAC learning table.
 *   fdb/flush [BR]       empties it (of every bridge without BR).
 *   ofproto/flow-mod, ofproto/flow-mods, ofproto/dump-flows,
 *   ofproto/dump-ports, ofproto/show
 *       skiff-ofctl's commands; lib/ofp-wire.h is their contract.
 */
#ifndef SKIFF_OFPROTO_APPCTL_H
#define SKIFF_OFPROTO_APPCTL_H 1

/* Registers the commands (once per process). */
void ofproto_appctl_register(void);

#endif /* ofproto-appctl.h */
