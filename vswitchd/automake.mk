# vswitchd/: skiff-vswitchd and skiff-dbd mains, database-to-bridge
# reconciliation, the schema.  See docs/internals/architecture.md;
# nothing is built here yet.
