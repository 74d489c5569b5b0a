# vswitchd/: skiff-dbd's main and the database schema (skiff-vswitchd and
# the database-to-bridge reconciliation will join them).

sbin_PROGRAMS += vswitchd/skiff-dbd
dist_man_MANS += docs/skiff-dbd.8
vswitchd_skiff_dbd_SOURCES = vswitchd/skiff-dbd.c
vswitchd_skiff_dbd_CPPFLAGS = $(AM_CPPFLAGS) \
	-DSKIFF_PKGDATADIR='"$(pkgdatadir)"'
vswitchd_skiff_dbd_LDADD = $(LIBSKIFF)

# The schema skiff-dbd creates new databases from.
dist_pkgdata_DATA = vswitchd/vswitch.schema.json
