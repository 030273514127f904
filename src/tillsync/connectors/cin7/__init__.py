"""CIN7 Core (ex-DEAR) External API v2 connector."""
