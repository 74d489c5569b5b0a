# datapath/: the fast path (DPDK ports, PMD threads, caches, actions).
# See docs/internals/architecture.md; nothing is built here yet.
