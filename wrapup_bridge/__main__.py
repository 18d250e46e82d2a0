"""``python -m wrapup_bridge``: the same as the ``wrapup-bridge`` command."""

from wrapup_bridge.cli import main

if __name__ == "__main__":
    main()
