"""Print how many excerpts per second excerpt_of produces over 1,000 realistic posts.

Usage: python bench/excerpts.py [--posts 1000]

The posts are built from the Chinese technical article in bench/data/post.md and the demo
posts, reshuffled section by section so no two are alike. They are rendered once beforehand
(as on save), their outlines kept as the JSON text the database returns; decoding that JSON and
excerpt_of (the HTML and the plain-text excerpt, what the excerpt task stores) are timed, in one
process on one core.
"""

import argparse
import json
import os
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")

import django

django.setup()

from bench.report import report
from blog.excerpts import excerpt_of
from blog.management.commands.load_demo import DEMO_POSTS
from blog.markdown import render_document
from blog.models import Post

ARTICLE = (Path(__file__).resolve().parent / "data" / "post.md").read_text(encoding="utf-8")


def sections():
    """Markdown sections (split at level-2 headings) of every sample text, with their language."""
    samples = [(ARTICLE, "zh")] + [(post["body"], post["language"]) for post in DEMO_POSTS]
    found = []
    for text, language in samples:
        for part in re.split(r"\n(?=## )", text):
            if part.strip():
                found.append((part, language))
    return found


def realistic_posts(count, seed=7):
    """`count` unsaved posts of 3–6 random sections each, rendered as on save."""
    pool = sections()
    rng = random.Random(seed)
    posts = []
    for _ in range(count):
        chosen = rng.sample(pool, k=rng.randint(3, 6))
        body = "\n\n".join(part for part, _ in chosen)
        document = render_document(body)
        post = Post(body=body, body_html=document.html, language=chosen[0][1])
        posts.append((post, json.dumps(document.outline_json(), ensure_ascii=False)))
    return posts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    options = parser.parse_args()
    posts = realistic_posts(options.posts)
    average_size = sum(len(post.body) for post, _ in posts) / len(posts)
    posts[0][0].outline = json.loads(posts[0][1])
    excerpt_of(posts[0][0])  # warm imports
    started = time.perf_counter()
    for post, outline in posts:
        post.outline = json.loads(outline)  # as the JSONField decodes it on load
        excerpt_of(post)
    elapsed = time.perf_counter() - started
    report(
        "excerpts",
        "excerpts per second",
        len(posts) / elapsed,
        "excerpts/s",
        posts=len(posts),
        average_markdown_chars=round(average_size),
        average_outline_bytes=round(sum(len(outline.encode()) for _, outline in posts) / len(posts)),
    )
    print("target: >= 500 excerpts/s on one core")


if __name__ == "__main__":
    main()
