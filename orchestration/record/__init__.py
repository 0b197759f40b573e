"""The run record: the hash-chained event log, resume and replay from it, the list of saved runs,
the audit of a run folder, and follow-up questions appended to a run's log."""
