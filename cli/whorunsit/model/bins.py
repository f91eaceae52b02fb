"""Bin edges of the pooled histograms (time to restore, deployment lead time).

Log-spaced, in hours: 1 minute to about a year, plus 0 and infinity, so every time falls
in a bin. The engine counts into them; reports draw them.
"""

from __future__ import annotations

import numpy as np

HISTOGRAM_EDGES = np.concatenate(([0.0], np.geomspace(1 / 60, 8760.0, 48), [np.inf]))
