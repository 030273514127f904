"""Use cases: each opens the unit of work, acts, adds its jobs and commits once."""
