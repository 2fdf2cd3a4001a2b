#!/usr/bin/env python
"""Django's command-line utility; `liaison` (liaison.cli) is the installed equivalent."""
from liaison.cli import main

if __name__ == "__main__":
    main()
