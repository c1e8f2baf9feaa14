"""Command-line tools (``python -m regluon.tools.im2rec``)."""
