"""Per-thread autograd flags (recording, training), shared by NDArray, the dispatcher, the ops
that behave differently in training (Dropout, BatchNorm) and ``regluon.autograd``."""

from __future__ import annotations

import threading


class _AutogradState(threading.local):
    recording = False
    training = False


autograd_state = _AutogradState()
