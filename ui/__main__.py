"""`python -m ui` starts the desktop app."""

from .app import main

raise SystemExit(main())
