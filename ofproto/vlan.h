/*
 * vlan: a port's VLAN configuration and what it means for NORMAL, as the
 * Port table's vlan_mode, tag, trunks and cvlans columns define it.
 *
 *   access          carries only VLAN 'tag'; sends untagged; drops
 *                   packets that arrive with a tag of nonzero VID (a
 *                   priority tag, VID 0, is accepted into 'tag').
 *   trunk           carries the VLANs in 'trunks' (empty: all); an
 *                   untagged packet arrives in VLAN 0; sends with a tag
 *                   unless the VLAN is 0; drops arrivals in VLANs it does
 *                   not trunk.
 *   native-tagged   a trunk whose untagged (or priority-tagged) arrivals
 *                   are in 'tag', the native VLAN, which it also carries;
 *                   sends every VLAN tagged.
 *   native-untagged like native-tagged, but sends the native VLAN
 *                   untagged.
 *   dot1q-tunnel    carries only VLAN 'tag', the service VLAN: an arrival,
 *                   tagged or not, gets an outer service tag (TPID
 *                   802.1ad) and keeps its own tags inside; sending
 *                   removes the service tag.  With 'cvlans', only arrivals
 *                   whose customer VLAN (0 when untagged) is listed are
 *                   accepted.
 * With vlan_mode unset: access when 'tag' is set, else trunk.
 */
#ifndef SKIFF_VLAN_H
#define SKIFF_VLAN_H 1

#include <stdbool.h>
#include <stdint.h>

#include "packets.h"
#include "util.h"

struct ds;

enum vlan_mode {
    VLAN_MODE_DEFAULT,          /* Unset: access if tag, else trunk. */
    VLAN_MODE_ACCESS,
    VLAN_MODE_TRUNK,
    VLAN_MODE_NATIVE_TAGGED,
    VLAN_MODE_NATIVE_UNTAGGED,
    VLAN_MODE_DOT1Q_TUNNEL,
};

#define VLAN_N_VIDS 4096

struct vlan_bitmap {
    uint64_t bits[VLAN_N_VIDS / 64];
};

struct vlan_port_config {
    enum vlan_mode mode;
    int tag;                    /* 0 to 4095, or -1 for none. */
    bool has_trunks;            /* False: every VLAN. */
    struct vlan_bitmap trunks;
    bool has_cvlans;            /* False: every customer VLAN. */
    struct vlan_bitmap cvlans;
};

/* A trunk of every VLAN, no tag. */
void vlan_port_config_init(struct vlan_port_config *);

/* "access", "trunk", "native-tagged", "native-untagged", "dot1q-tunnel". */
const char *vlan_mode_to_string(enum vlan_mode);
/* Returns false for an unknown name. */
bool vlan_mode_from_string(const char *, enum vlan_mode *);

/* Parses a VLAN list "10,20,30-40" (also spaces) into BITMAP.  Returns
 * NULL or an error message naming the bad item (the caller frees it). */
char *vlan_bitmap_parse(const char *s, struct vlan_bitmap *bitmap)
    WARN_UNUSED_RESULT;
void vlan_bitmap_set(struct vlan_bitmap *, uint16_t vid);
bool vlan_bitmap_has(const struct vlan_bitmap *, uint16_t vid);

/* Checks CFG (mode vs tag: access, native and dot1q-tunnel need a tag).
 * Returns NULL or an error message. */
char *vlan_port_config_check(const struct vlan_port_config *)
    WARN_UNUSED_RESULT;

/* The effective mode (resolves VLAN_MODE_DEFAULT). */
enum vlan_mode vlan_port_mode(const struct vlan_port_config *);

/* Ingress: a packet arrives whose outermost tag has VID OUTER_VID
 * (HAS_TAG false: untagged).  Returns true and *VLAN, the VLAN it is in
 * for NORMAL, or false if the port drops it. */
bool vlan_port_input(const struct vlan_port_config *, bool has_tag,
                     uint16_t outer_vid, uint16_t *vlan);

/* True if the port carries VLAN. */
bool vlan_port_includes(const struct vlan_port_config *, uint16_t vlan);

/* Egress in VLAN (which the port carries): the VID of the tag to send
 * with, or 0 for none. */
uint16_t vlan_port_output_vid(const struct vlan_port_config *,
                              uint16_t vlan);

/* Appends "vlan_mode=trunk tag=10 trunks=10,20-30" (only what is set). */
void vlan_port_config_format(struct ds *, const struct vlan_port_config *);

#endif /* vlan.h */
