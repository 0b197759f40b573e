"""The only package that imports AutoGen: adapters from our tools, models and events to it.

Swapping the agent runtime means rewriting this package, not the rest of the tree.
"""
