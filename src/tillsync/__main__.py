"""python -m tillsync."""

from tillsync.cli import main

main()
