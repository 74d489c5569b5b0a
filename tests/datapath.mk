# Tests of datapath; see tests/automake.mk.
