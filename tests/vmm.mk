# Tests of vmm; see tests/automake.mk.
