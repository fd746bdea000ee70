"""The realtime transport: the `/live` protocol's plumbing, emits and per-person event limits.

Infrastructure: it knows no domain slice. The live room's events live in the slices that
own them (`qa`, `timing`, `live`, `insights`), which build on this package.
"""
