"""A Telegram tutor bot that teaches the difference between MLOps and DevOps."""

import os

# numpy's OpenBLAS otherwise starts a worker per core, and its per-question products (a
# 2,000 x 384 cosine matvec) are far too small to share: waking the workers after each idle
# spell cost ~5 ms per question instead of 0.2 ms, and their spin-wait afterwards took the other
# core from the event loop and the database (bench.e2e). The encoder's onnxruntime session is
# one thread for the same reason. Set before numpy is first imported (every numpy user is under
# this package); an operator's own value wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
