"""Orchestration: settings, the command line, and (as the panel grows) runs and reports."""
