# utilities/: command-line tools.

bin_PROGRAMS += utilities/skiff-appctl
utilities_skiff_appctl_SOURCES = utilities/skiff-appctl.c
utilities_skiff_appctl_LDADD = $(LIBSKIFF)
dist_man_MANS += docs/skiff-appctl.8

EXTRA_DIST += utilities/quickstart.sh
