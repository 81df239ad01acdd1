"""A session's state: its journal (``state.jsonl``), snapshot (``state.json``), restart, and
the results rebuilt from the journal (docs/state.md)."""
