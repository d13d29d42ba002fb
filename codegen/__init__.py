"""Generate group-equivariant PyTorch layers from declared groups."""
