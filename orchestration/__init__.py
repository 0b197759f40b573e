"""The core of a review, in rooms by job (none imports the terminal UI):

- ``engine``: the debate engine (protocol, a theme's debate, prompts, steering, the claim checks,
  the checked review, the whole-strategy pass, and a run of them all);
- ``record``: the run record (event log, resume and replay, saved runs, audit, follow-ups);
- ``report``: what people read (report.md, exports, the console stream);
- ``cli``: the ``review`` command line (the project's entry point).

Shared by all of them: ``settings``, ``strategy`` (the draft under review), ``review_models``
(what the panel produces) and ``events`` (what a run records).
"""
