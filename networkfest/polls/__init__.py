"""Live polls: prepared in the schedule file or written on the spot, answered in the room."""
