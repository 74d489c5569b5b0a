# vswitchd/: skiff-dbd's main, the database schema, and the parts of
# skiff-vswitchd that turn the database into a running switch.

# What skiff-vswitchd is built from, apart from its main (so that unit
# tests link the same code).
noinst_LIBRARIES += vswitchd/libvswitchd.a
vswitchd_libvswitchd_a_SOURCES = \
	vswitchd/bridge.c \
	vswitchd/bridge.h \
	vswitchd/vsw-config.c \
	vswitchd/vsw-config.h \
	vswitchd/vsw-status.c \
	vswitchd/vsw-status.h

sbin_PROGRAMS += vswitchd/skiff-vswitchd
dist_man_MANS += docs/skiff-vswitchd.8
vswitchd_skiff_vswitchd_SOURCES = vswitchd/skiff-vswitchd.c
vswitchd_skiff_vswitchd_LDADD = vswitchd/libvswitchd.a $(LIBOFPROTO) \
	$(LIBDATAPATH) $(LIBSKIFF) $(DPDK_LIBS)

sbin_PROGRAMS += vswitchd/skiff-dbd
dist_man_MANS += docs/skiff-dbd.8
vswitchd_skiff_dbd_SOURCES = vswitchd/skiff-dbd.c
vswitchd_skiff_dbd_CPPFLAGS = $(AM_CPPFLAGS) \
	-DSKIFF_PKGDATADIR='"$(pkgdatadir)"'
vswitchd_skiff_dbd_LDADD = $(LIBSKIFF)

# The schema skiff-dbd creates new databases from.
dist_pkgdata_DATA = vswitchd/vswitch.schema.json
