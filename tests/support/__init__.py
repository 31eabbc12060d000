"""Helpers shared by test folders (importable as ``support`` via pytest ``pythonpath``)."""
