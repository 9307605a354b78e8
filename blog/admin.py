"""Blog's admin: series (with their parts in order), tags, feed sources and old addresses.

Posts are edited in authoring.admin (roles, review, revisions, preview links, edit locks), which
uses PinyinSlugMixin from here; this module imports nothing from authoring.
"""

import taggit.models
from django import forms
from django.contrib import admin, messages
from django.http import JsonResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from .ingest.messages import localize
from .ingest.sources import SourceError, discover_feed
from .models import Post, Series, SlugRedirect, Source, Tag
from .slugs import pinyin_slug
from .tasks import ingest_source


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


@admin.register(SlugRedirect)
class SlugRedirectAdmin(admin.ModelAdmin):
    """Old post addresses, made when a slug changes; delete one to let a new post have it."""

    list_display = ["old_slug", "post", "created_at"]
    search_fields = ["old_slug", "post__title", "post__slug"]
    raw_id_fields = ["post"]
    list_select_related = ["post"]


# Inkstone's tags are blog.Tag. taggit's own Tag model is never used, so its admin would only
# list an empty table beside the real one (and its merge view fails on a POST with no selection).
admin.site.unregister(taggit.models.Tag)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    readonly_fields = ["slug"]


class SourceAddForm(forms.ModelForm):
    """Adding a source asks only for a URL: the feed, its title and site are discovered."""

    feed_url = forms.URLField(
        label=_("Feed or page URL"),
        assume_scheme="https",
        max_length=1000,
        help_text=_("An RSS/Atom feed, or a web page that links to its feed."),
    )

    class Meta:
        model = Source
        fields = [
            "feed_url", "default_tags", "default_series", "default_author", "publish_immediately",
            "poll_interval_minutes",
        ]  # fmt: skip

    def clean_feed_url(self):
        try:
            self.discovered = discover_feed(self.cleaned_data["feed_url"])
        except SourceError as error:
            raise forms.ValidationError(localize(str(error))) from None
        return self.discovered.feed_url

    def save(self, commit=True):
        self.instance.title = self.discovered.title
        self.instance.site_url = self.discovered.site_url
        return super().save(commit)


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "is_active",
        "last_success_at",
        "consecutive_errors",
        "error_summary",
        "next_poll_at",
    ]
    list_filter = ["is_active", "publish_immediately"]
    search_fields = ["title", "feed_url", "site_url"]
    actions = ["poll_now", "enable", "disable"]
    readonly_fields = [
        "etag", "last_modified", "last_polled_at", "last_success_at", "consecutive_errors",
        "last_error_text", "last_warning_text", "next_poll_at", "created_at",
    ]  # fmt: skip

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = SourceAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return SourceAddForm.Meta.fields
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    # Polls store their messages in English; each editor reads them in their own language.
    @admin.display(description=_("last error"))
    def error_summary(self, source):
        return localize(source.last_error)[:120]

    @admin.display(description=_("last error"))
    def last_error_text(self, source):
        return localize(source.last_error)

    @admin.display(description=_("last warning"))
    def last_warning_text(self, source):
        return localize(source.last_warning)

    @admin.action(description=_("Poll selected sources now"), permissions=["change"])
    def poll_now(self, request, queryset):
        for source_id in queryset.values_list("pk", flat=True):
            ingest_source.delay(source_id)
        self.message_user(
            request, _("Polling queued; refresh in a moment to see the result."), messages.SUCCESS
        )

    @admin.action(description=_("Enable selected sources"), permissions=["change"])
    def enable(self, request, queryset):
        queryset.update(is_active=True, consecutive_errors=0, next_poll_at=None)

    @admin.action(description=_("Disable selected sources"), permissions=["change"])
    def disable(self, request, queryset):
        queryset.update(is_active=False)
