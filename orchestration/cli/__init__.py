"""The ``review`` command line (``entry.main`` is the installed entry point) and its commands,
one module per group. Commands outside the core (the terminal UI's ``review tui``) are added
through the ``strategy_review.commands`` entry-point group, the core's one seam to the UI."""
