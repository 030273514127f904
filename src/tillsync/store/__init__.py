"""Tables, engine, unit of work and migrations."""
