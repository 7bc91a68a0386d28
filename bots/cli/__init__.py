"""The ``personae`` command line.

Before anything imports numpy: its BLAS runs single-threaded. Recall's matrix products are
small (a character's vectors against one query), and on two busy cores extra BLAS threads made
them about three times slower; set ``OPENBLAS_NUM_THREADS`` yourself to override.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
