# ofproto/: the slow path (flow tables, translation, NORMAL, VLANs,
# bonds, mirrors, NetFlow, QoS).  See docs/internals/architecture.md;
# nothing is built here yet.
