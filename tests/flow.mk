# Tests of flow; see tests/automake.mk.
