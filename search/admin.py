from django.contrib import admin

from .models import DictionaryWord, SearchDocument


@admin.register(DictionaryWord)
class DictionaryWordAdmin(admin.ModelAdmin):
    """Domain words for the segmenter; saving one re-indexes every post in the background."""

    list_display = ["word", "frequency", "created_at"]
    search_fields = ["word"]
    fields = ["word", "frequency"]


@admin.register(SearchDocument)
class SearchDocumentAdmin(admin.ModelAdmin):
    """Read-only view of what the index holds for a post, for checking why it is (not) found."""

    list_display = ["post", "indexed_at"]
    list_select_related = ["post"]
    search_fields = ["post__title"]
    fields = ["post", "indexed_at", "vector", "text"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
