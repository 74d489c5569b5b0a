# ofproto/: the slow path (flow tables, translation, NORMAL with MAC
# learning and VLANs; bonds, mirrors, NetFlow and QoS are to come).  See
# docs/internals/ofproto.md.
# It links without DPDK: programs add $(LIBOFPROTO) before $(LIBSKIFF).

noinst_LIBRARIES += ofproto/libofproto.a

ofproto_libofproto_a_SOURCES = \
	ofproto/classifier.c \
	ofproto/classifier.h \
	ofproto/mac-learning.c \
	ofproto/mac-learning.h \
	ofproto/normal.c \
	ofproto/ofproto-appctl.c \
	ofproto/ofproto-appctl.h \
	ofproto/ofproto-private.h \
	ofproto/ofproto-upcall.c \
	ofproto/ofproto-upcall.h \
	ofproto/ofproto.c \
	ofproto/ofproto.h \
	ofproto/rcu.c \
	ofproto/rcu.h \
	ofproto/vlan.c \
	ofproto/vlan.h \
	ofproto/xlate-private.h \
	ofproto/xlate.c \
	ofproto/xlate.h

LIBOFPROTO = ofproto/libofproto.a
