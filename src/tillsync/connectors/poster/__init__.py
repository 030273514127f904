"""Poster POS: a restaurant's back office (suppliers, ingredients, storages, categories)."""
