# docs/: user guide, man pages, internals.

EXTRA_DIST += \
	docs/flow-syntax.md \
	docs/internals/architecture.md \
	docs/internals/coding-style.md \
	docs/internals/datapath.md \
	docs/internals/ofproto.md \
	docs/internals/testing.md \
	docs/schema.md \
	docs/user-guide.md \
	docs/vlans.md
