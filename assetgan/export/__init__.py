"""Collections and their export: the collection file and its rendering into game-ready files."""
