"""``python -m logos``."""

from logos.cli import main

main()
