"""Print how many excerpts per second make_excerpt produces over 1,000 realistic posts.

Usage: python bench/excerpts.py [--posts 1000]

The posts are built from the Chinese technical article in bench/data/post.md and the demo
posts, reshuffled section by section so no two are alike. They are rendered once beforehand
(as on save); only make_excerpt is timed, in one process on one core.
"""

import argparse
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
from blog.excerpts import make_excerpt
from blog.management.commands.load_demo import DEMO_POSTS
from blog.markdown import render_markdown
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
        posts.append(Post(body=body, body_html=render_markdown(body), language=chosen[0][1]))
    return posts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    options = parser.parse_args()
    posts = realistic_posts(options.posts)
    average_size = sum(len(post.body) for post in posts) / len(posts)
    make_excerpt(posts[0])  # warm imports
    started = time.perf_counter()
    for post in posts:
        make_excerpt(post)
    elapsed = time.perf_counter() - started
    report(
        "excerpts",
        "excerpts per second",
        len(posts) / elapsed,
        "excerpts/s",
        posts=len(posts),
        average_markdown_chars=round(average_size),
    )


if __name__ == "__main__":
    main()
