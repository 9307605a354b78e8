"""Feed ingestion: fetch outside RSS/Atom feeds safely and turn their entries into posts.

fetch.py talks HTTP, parse.py reads feeds, convert.py turns entry HTML into the Markdown
authors edit (formulas included), store.py upserts posts, poll.py ties them together for one
source and keeps its fetch state. Celery tasks and management commands call poll.py.
"""
