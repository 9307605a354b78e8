"""The authors' admin: Markdown with a live preview, series order inline, bulk publishing."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.http import JsonResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget

from .ingest.sources import SourceError, discover_feed
from .models import Post, Series, Source, Tag
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
            raise forms.ValidationError(str(error)) from None
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
        "etag", "last_modified", "last_polled_at", "last_success_at", "consecutive_errors", "last_error",
        "last_warning", "next_poll_at", "created_at",
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

    @admin.display(description=_("last error"))
    def error_summary(self, source):
        return source.last_error[:120]

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
