"""The screens of the terminal UI: a run (live or saved), its report, saved runs, an audit."""
