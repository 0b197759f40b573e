"""Shared tools of the review panel: corpus ingestion, the index, hybrid search and evidence.

Nothing here imports the agent runtime or the terminal UI; agents and orchestration build on it.
"""
