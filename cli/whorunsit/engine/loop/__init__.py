"""The event loop: the only general engine, compiled with numba (``kernel`` drives it:
one replication, its state, its draws; ``kernel_loop`` is the loop itself)."""
