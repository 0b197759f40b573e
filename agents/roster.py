"""The names of the panel's agents, in speaking order of a theme's openings."""

PANEL: tuple[str, ...] = ("national-policy", "leeds-local", "inclusion", "critic", "editor")
