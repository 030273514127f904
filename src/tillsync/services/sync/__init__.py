"""Pulls from a warehouse: catalog and stock, page by page, and what they repair and report."""
