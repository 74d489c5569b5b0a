# Tests of ofproto; see tests/automake.mk.
