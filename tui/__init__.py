"""The Textual terminal UI (watch and steer a debate). The core packages never import it."""
