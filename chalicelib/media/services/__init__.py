"""Media use cases: files (upload, verification, delete) and galleries."""
