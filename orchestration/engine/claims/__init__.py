"""Checks on what models write, before a reader sees it.

Every model-written statement (coverage-summary sentences, gaps, recommendations, dissent,
sign-off reasons, debate points and follow-up answers) is checked by code: clean text
(``text``), the figures and document names it states (``grounding``), support by the passages
it cites (``support``), and repeats (``checker``). What fails is set aside with its reason, never
silently dropped. Where the panel's review is thin, ``computed`` fills it with findings computed
from the evidence, labelled as such.
"""
