"""The panel's agents: personas, the model factory and (in ``agents.runtime``) the AutoGen adapter."""
