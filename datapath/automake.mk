# datapath/: the fast path (DPDK ports, PMD threads, caches, actions).
# See docs/internals/datapath.md.  DPDK's compiler flags apply only to
# datapath objects and to programs that include DPDK headers.
noinst_LIBRARIES += datapath/libdatapath.a
datapath_libdatapath_a_CPPFLAGS = $(AM_CPPFLAGS) $(DPDK_CFLAGS)
datapath_libdatapath_a_SOURCES = \
	datapath/dp-appctl.c \
	datapath/dp-cls.c \
	datapath/dp-cls.h \
	datapath/dp-dpdk.c \
	datapath/dp-dpdk.h \
	datapath/dp-emc.c \
	datapath/dp-emc.h \
	datapath/dp-execute.c \
	datapath/dp-execute.h \
	datapath/dp-flow.c \
	datapath/dp-flow.h \
	datapath/dp-meter.c \
	datapath/dp-meter.h \
	datapath/dp-pmd.c \
	datapath/dp-pmd.h \
	datapath/dp-port-private.h \
	datapath/dp-port.c \
	datapath/dp-port.h \
	datapath/dp-revalidator.c \
	datapath/dp-revalidator.h \
	datapath/dp-upcall.h \
	datapath/dpif-private.h \
	datapath/dpif.c \
	datapath/dpif.h

# What links with the datapath: $(LIBDATAPATH) $(LIBSKIFF) $(DPDK_LIBS).
LIBDATAPATH = datapath/libdatapath.a
