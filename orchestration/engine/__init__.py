"""The debate engine: the rule-based protocol, a theme's debate (turns, evidence packs, the
chair's steers), prompts, what models write in structured form, the claim checks (``claims``),
the checked review, the whole-strategy pass, and ``run``, which runs a whole review."""
