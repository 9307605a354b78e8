from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Search")

    def ready(self):
        """Keep search documents in step with posts, tags, series and the domain dictionary."""
        from django.db.models.signals import post_delete, post_save, pre_delete

        from blog.events import posts_changed
        from blog.models import Series, Tag

        from . import signals
        from .models import DictionaryWord

        posts_changed.connect(signals.posts_changed, dispatch_uid="search.posts_changed")
        post_save.connect(signals.series_saved, sender=Series, dispatch_uid="search.series_saved")
        pre_delete.connect(signals.series_deleting, sender=Series, dispatch_uid="search.series_deleting")
        post_save.connect(signals.tag_saved, sender=Tag, dispatch_uid="search.tag_saved")
        pre_delete.connect(signals.tag_deleting, sender=Tag, dispatch_uid="search.tag_deleting")
        post_save.connect(signals.dictionary_changed, sender=DictionaryWord, dispatch_uid="search.word_saved")
        post_delete.connect(
            signals.dictionary_changed, sender=DictionaryWord, dispatch_uid="search.word_deleted"
        )
