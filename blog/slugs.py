"""Readable ASCII slugs for Chinese and English titles.

Django's `slugify` drops every CJK character, so "倒排索引与搜索" would become "". We spell
Chinese in toneless pinyin, one syllable per hyphen-separated word ("dao-pai-suo-yin-yu-sou-suo"),
and pass Latin text through Django's own slugify so English titles look as usual.
"""

from django.utils.text import slugify
from pypinyin import Style, lazy_pinyin

MAX_SLUG_LENGTH = 80
FALLBACK_SLUG = "untitled"


def pinyin_slug(text, max_length=MAX_SLUG_LENGTH):
    """Return an ASCII slug for `text`, spelling Chinese characters in pinyin; may be ""."""
    # lazy_pinyin yields one item per Chinese character and passes other runs through whole,
    # so joining with spaces separates syllables and keeps "DeepSeek-V3" intact.
    words = lazy_pinyin(text or "", style=Style.NORMAL, errors="default")
    slug = slugify(" ".join(words))
    if len(slug) > max_length:
        # Cut at a hyphen so the slug never ends in half a syllable or word.
        slug = slug[: max_length + 1].rsplit("-", 1)[0] if "-" in slug[:max_length] else slug[:max_length]
    return slug.strip("-")


def unique_slug(text, is_taken, max_length=MAX_SLUG_LENGTH):
    """Return pinyin_slug(text), suffixed -2, -3, … until `is_taken(slug)` is false."""
    base = pinyin_slug(text, max_length=max_length) or FALLBACK_SLUG
    candidate = base
    number = 2
    while is_taken(candidate):
        suffix = f"-{number}"
        candidate = base[: max_length - len(suffix)].rstrip("-") + suffix
        number += 1
    return candidate


def fill_unique_slug(instance, text, taken_among=None):
    """Give a model instance with an empty `slug` one spelled from `text`, unique in its table."""
    fill_unique_slugs([instance], [text], taken_among)


def fill_unique_slugs(instances, texts, taken_among=None):
    """Give each instance of one model with an empty `slug` one spelled from its text.

    Slugs are unique in the table and among the instances. `taken_among(slugs)` returns which
    of `slugs` are taken; by default, those of the table's other rows. One query when the
    names are new; only a taken one costs the extra queries of unique_slug.
    """
    pending = [(instance, text) for instance, text in zip(instances, texts, strict=True) if not instance.slug]
    if not pending:
        return
    if taken_among is None:
        others = type(pending[0][0])._default_manager.exclude(
            pk__in=[instance.pk for instance, _ in pending if instance.pk is not None]
        )

        def taken_among(slugs):
            return set(others.filter(slug__in=slugs).values_list("slug", flat=True))

    bases = [pinyin_slug(text) or FALLBACK_SLUG for _, text in pending]
    taken = taken_among(set(bases))
    for (instance, text), base in zip(pending, bases, strict=True):
        if base in taken:
            base = unique_slug(text, lambda slug: slug in taken or bool(taken_among({slug})))
        instance.slug = base
        taken.add(base)
