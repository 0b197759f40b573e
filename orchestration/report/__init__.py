"""What people read: ``report.md`` (``markdown``), exports of a run (``export``) and the
console's live stream of a run (``console``)."""
