"""A scenario compiled for the loops: indices and tables (``plan``), the same as flat
arrays (``kernel_plan``), the working-week calendar and the events known in advance."""
