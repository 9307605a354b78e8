"""The authors' admin: Markdown with a live preview, series order inline, bulk publishing."""

from django.contrib import admin, messages
from django.db import models
from django.http import JsonResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget

from .models import Post, Series, Source, Tag
from .slugs import pinyin_slug


class PinyinSlugMixin:
    """Fills the slug from the title as the author types, spelled in pinyin by the server.

    Django's prepopulated_fields uses URLify in the browser, which drops Chinese characters;
    this asks the same `pinyin_slug` the model uses instead.
    """

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "slug-for-title/",
                self.admin_site.admin_view(self.slug_for_title),
                name=f"{opts.app_label}_{opts.model_name}_slug_for_title",
            ),
            *super().get_urls(),
        ]

    def slug_for_title(self, request):
        if not self.has_add_permission(request) and not self.has_change_permission(request):
            return JsonResponse({"error": "forbidden"}, status=403)
        return JsonResponse({"slug": pinyin_slug(request.GET.get("title", "")[:200])})


@admin.register(Post)
class PostAdmin(PinyinSlugMixin, admin.ModelAdmin):
    list_display = ["title", "status", "published_at", "author", "series", "series_order", "language"]
    list_filter = ["status", "language", "series", "tags", "author"]
    search_fields = ["title", "slug", "body"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["series"]
    list_select_related = ["author", "series"]
    actions = ["publish_selected", "unpublish_selected"]
    readonly_fields = ["created_at", "updated_at", "source", "source_guid"]
    formfield_overrides = {
        MarkdownxField: {"widget": AdminMarkdownxWidget},
        models.URLField: {"assume_scheme": "https"},
    }
    fieldsets = [
        (None, {"fields": ["title", "slug", "body", "summary"]}),
        (_("Publishing"), {"fields": ["status", "published_at", "author", "language", "tags"]}),
        (_("Series"), {"fields": ["series", "series_order"]}),
        (
            _("Origin"),
            {
                "fields": ["original_url", "source", "source_guid", "created_at", "updated_at"],
                "classes": ["collapse"],
            },
        ),
    ]

    class Media:
        css = {"all": ["css/markdown.css", "css/admin-editor.css"]}
        js = ["js/admin-slug.js"]

    def get_changeform_initial_data(self, request):
        return {"author": request.user.pk, **super().get_changeform_initial_data(request)}

    def get_queryset(self, request):
        return super().get_queryset(request).defer("body_html")

    @admin.action(description=_("Publish selected posts now"), permissions=["change"])
    def publish_selected(self, request, queryset):
        count = queryset.publish()
        self.message_user(
            request,
            ngettext("%(count)d post published.", "%(count)d posts published.", count) % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish selected posts (back to draft)"), permissions=["change"])
    def unpublish_selected(self, request, queryset):
        count = queryset.unpublish()
        self.message_user(
            request,
            ngettext("%(count)d post unpublished.", "%(count)d posts unpublished.", count) % {"count": count},
            messages.SUCCESS,
        )


class SeriesPostInline(admin.TabularInline):
    model = Post
    fields = ["series_order", "title", "status", "published_at"]
    readonly_fields = ["title", "status", "published_at"]
    ordering = ["series_order", "id"]
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = _("part")
    verbose_name_plural = _("parts, in order")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Series)
class SeriesAdmin(PinyinSlugMixin, admin.ModelAdmin):
    list_display = ["title", "slug", "updated_at"]
    search_fields = ["title", "slug", "description"]
    inlines = [SeriesPostInline]

    class Media:
        js = ["js/admin-slug.js"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    readonly_fields = ["slug"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "feed_url", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["title", "feed_url", "site_url"]
