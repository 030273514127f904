"""The dashboard's pages: each module has its `PAGE` (title and path) and its `router`."""
