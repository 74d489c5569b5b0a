# utilities/: command-line tools.

bin_PROGRAMS += utilities/skiff-appctl
utilities_skiff_appctl_SOURCES = utilities/skiff-appctl.c
utilities_skiff_appctl_LDADD = $(LIBSKIFF)
dist_man_MANS += docs/skiff-appctl.8

EXTRA_DIST += utilities/quickstart.sh utilities/skiff-demo.sh

# skiff-ctl is a shell script with the install directories filled in.
sbin_SCRIPTS = utilities/skiff-ctl
EXTRA_DIST += utilities/skiff-ctl.in
CLEANFILES += utilities/skiff-ctl
dist_man_MANS += docs/skiff-ctl.8
utilities/skiff-ctl: utilities/skiff-ctl.in Makefile
	@$(MKDIR_P) utilities
	$(AM_V_GEN)sed -e 's|@sbindir[@]|$(sbindir)|g' \
	    -e 's|@bindir[@]|$(bindir)|g' \
	    -e 's|@pkgdatadir[@]|$(pkgdatadir)|g' \
	    -e 's|@PACKAGE_VERSION[@]|$(PACKAGE_VERSION)|g' \
	    $(srcdir)/utilities/skiff-ctl.in > $@.tmp && \
	chmod +x $@.tmp && mv $@.tmp $@

bin_PROGRAMS += utilities/skiff-ofctl
utilities_skiff_ofctl_SOURCES = utilities/skiff-ofctl.c
utilities_skiff_ofctl_LDADD = $(LIBSKIFF)
dist_man_MANS += docs/skiff-ofctl.8

bin_PROGRAMS += utilities/skiff-vsctl
utilities_skiff_vsctl_SOURCES = \
	utilities/skiff-vsctl.c \
	utilities/vsctl-bridge.c \
	utilities/vsctl-commit.c \
	utilities/vsctl-core.c \
	utilities/vsctl-format.c \
	utilities/vsctl-generic.c \
	utilities/vsctl-value.c \
	utilities/vsctl.h
utilities_skiff_vsctl_LDADD = $(LIBSKIFF)
dist_man_MANS += docs/skiff-vsctl.8

# Bash completion, installed where bash-completion looks for it.
bashcompletiondir = $(datadir)/bash-completion/completions
dist_bashcompletion_DATA = utilities/bash-completion/skiff-vsctl
