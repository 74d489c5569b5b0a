# vmm/: skiff-vmm, the KVM VMM with vhost-user virtio-net.  See
# docs/internals/architecture.md; nothing is built here yet.
