"""A person's rights over their data: the download of everything kept, and erasure."""
