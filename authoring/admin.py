"""The authors' admin of posts: Markdown with a live preview, roles, review, revisions, previews.

Posts follow the writer roles of authoring.roles: an Author sees and edits only their own posts
and makes them live only where allowed (else submits them for review); an Editor works on all.
Every step of the review lifecycle is a call into authoring.publishing. Every save keeps a
revision (django-reversion), a stale copy is refused (authoring.edit_locks), and a draft can be
shown through a revocable preview link (authoring.preview_links).
"""

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget
from reversion.admin import VersionAdmin
from reversion.models import Version

from blog.absolute_urls import absolute_url
from blog.admin import PinyinSlugMixin
from blog.models import Post
from blog.permissions import is_editor, may_edit_post

from . import edit_locks, publishing
from .edit_locks import EditLockForm
from .models import PreviewKey, ReviewRequest
from .preview_links import preview_path, revoke_preview_links
from .publishing import awaiting_review, close_review_if_live, submit_for_review
from .revision_diffs import field_diffs, revision_label
from .roles import can_publish


def version_id_param(request, name):
    """The revision id in query parameter `name`; 404 for anything but ASCII digits.

    `str.isdigit` alone also accepts "²", which `int` refuses.
    """
    value = request.GET.get(name, "")
    if not (value.isascii() and value.isdigit()):
        raise Http404(_("Choose two revisions to compare from the history."))
    return int(value)


PRESENCE_HINT = _("If you both save, the second save is refused and keeps its text: agree who edits first.")


class CalendarBoundedChangeList(ChangeList):
    """A changelist whose date-hierarchy links refuse years the calendar cannot hold.

    Django turns ?published_at__year=… into the period's first and last instant, and for a
    year like 2147483648 or 9999 (whose end is in year 10000) that arithmetic overflows
    outside its own error handling. Called an incorrect lookup, it gets the admin's own
    answer: the list again with "?e=1" and a note that the filter is invalid.
    """

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error


class AwaitingReviewFilter(admin.SimpleListFilter):
    """Drafts whose author submitted them for an editor's review."""

    title = _("review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("waiting", _("Awaiting review"))]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return awaiting_review(queryset)
        return queryset


@admin.register(Post)
class PostAdmin(PinyinSlugMixin, VersionAdmin):
    form = EditLockForm
    list_display = ["title", "status", "published_at", "author", "series", "series_order", "language"]
    # The author filter offers only the authors of posts this user may list (get_queryset): an
    # Author sees just themselves, an Editor everyone with posts, and no one sees the readers.
    list_filter = [
        "status",
        AwaitingReviewFilter,
        "language",
        "series",
        "tags",
        ("author", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["title", "slug", "body"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["series"]
    list_select_related = ["author", "series"]
    actions = ["publish_selected", "unpublish_selected", "revoke_preview_links"]
    readonly_fields = ["created_at", "updated_at", "source", "source_guid", "preview_link"]
    object_history_template = "authoring/admin/post_history.html"
    change_form_template = "authoring/admin/post_change_form.html"
    formfield_overrides = {
        MarkdownxField: {"widget": AdminMarkdownxWidget},
        models.URLField: {"assume_scheme": "https"},
    }
    fieldsets = [
        (None, {"fields": ["title", "slug", "body", "summary", "edit_lock"]}),
        (
            _("Publishing"),
            {"fields": ["status", "published_at", "author", "language", "tags", "preview_link"]},
        ),
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
        css = {"all": ["css/markdown.css", "css/admin-editor.css", "authoring/editor.css"]}
        js = ["js/admin-slug.js", "authoring/edit-presence.js"]

    def get_changelist(self, request, **kwargs):
        return CalendarBoundedChangeList

    # --- who sees and edits what ---------------------------------------------------------------

    def get_queryset(self, request):
        posts = super().get_queryset(request).defer("body_html")
        if not is_editor(request.user):
            posts = posts.filter(author=request.user)
        return posts

    def get_object(self, request, object_id, from_field=None):
        # Another author's post answers 404 rather than the admin's "doesn't exist" redirect,
        # exactly like a post that does not exist: ids of others' drafts cannot be probed.
        post = super().get_object(request, object_id, from_field)
        if post is None:
            raise Http404(_("No post with this id, or not one of yours."))
        return post

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None:
            return True
        # A live post changes only through someone who may publish: editing it is publishing.
        return may_edit_post(request.user, obj) and (can_publish(request.user) or not obj.is_live)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_edit_post(request.user, obj))

    def has_publish_permission(self, request):
        """Bulk publishing and unpublishing: Editors, superusers, and Authors where allowed."""
        return can_publish(request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not is_editor(request.user):
            fields.append("author")
        return fields

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status" and not can_publish(request.user):
            kwargs["choices"] = [(Post.Status.DRAFT, Post.Status.DRAFT.label)]
            kwargs["help_text"] = _(
                "Save as a draft, then use “Submit for review” to ask an editor to publish it."
            )
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        return {"author": request.user.pk, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        if not change and not is_editor(request.user):
            obj.author = request.user
        if obj.status != Post.Status.DRAFT and not can_publish(request.user):
            raise PermissionDenied  # the form offers only "draft"; this guards a forged POST
        super().save_model(request, obj, form, change)
        close_review_if_live(obj)

    def response_add(self, request, obj, post_url_continue=None):
        self._submit_for_review_if_asked(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        self._submit_for_review_if_asked(request, obj)
        return super().response_change(request, obj)

    def _submit_for_review_if_asked(self, request, obj):
        if "_submit_for_review" in request.POST and obj.status == Post.Status.DRAFT:
            submit_for_review(obj, request.user)
            self.message_user(
                request, _("Submitted for review: an editor will publish it."), messages.SUCCESS
            )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["show_submit_for_review"] = not can_publish(request.user)
        if obj is not None and obj.pk:
            context["edit_presence"] = {
                "others": self._note_presence(request, obj),
                "url": reverse("admin:blog_post_presence", args=[obj.pk]),
                "interval": edit_locks.HEARTBEAT_SECONDS,
                "hint": PRESENCE_HINT,
            }
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _note_presence(self, request, post):
        """Note this writer on `post` if they may change it (a reader of a locked form is no
        rival), and return the others who have it open."""
        if self.has_change_permission(request, post):
            return edit_locks.note_open(post.pk, request.user)
        return edit_locks.others_editing(post.pk, request.user)

    def presence_view(self, request, object_id):
        """The open change form's heartbeat (POST): renews this writer's note, returns the others.

        With `leave` the note is dropped instead (the page closed); the answer is then empty.
        """
        post = self.get_object(request, object_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_or_change_permission(request, post):
            raise PermissionDenied
        if request.POST.get("leave"):
            edit_locks.note_closed(post.pk, request.user)
            return HttpResponse(status=204)
        others = self._note_presence(request, post)
        return JsonResponse(
            {
                "others": [{"name": other.name, "message": other.message} for other in others],
                "hint": str(PRESENCE_HINT),
            }
        )

    # --- revisions -----------------------------------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if getattr(request, "_restoring_revision", False):
            # Restoring an old revision replaces the current text on purpose.
            form = type(form.__name__, (form,), {"check_edit_lock": False})
        return form

    def revision_view(self, request, object_id, version_id, extra_context=None):
        self.get_object(request, object_id)  # 404 before reversion reverts anything
        request._restoring_revision = True
        return super().revision_view(request, object_id, version_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        post = self.get_object(request, object_id)
        versions = list(Version.objects.get_for_object(post).select_related("revision__user"))
        compare_url = reverse("admin:blog_post_compare", args=[post.pk])
        rows = [
            {
                "version": version,
                # Comments the lifecycle stores untranslated ("Published") read in the writer's language.
                "comment": gettext(version.revision.get_comment()),
                "revert_url": reverse("admin:blog_post_revision", args=[post.pk, version.pk]),
                "compare_previous_url": (
                    f"{compare_url}?from={versions[index + 1].pk}&to={version.pk}"
                    if index + 1 < len(versions)
                    else ""
                ),
                "compare_current_url": f"{compare_url}?from={version.pk}",
            }
            for index, version in enumerate(versions)
        ]
        return super().history_view(request, object_id, {"revision_rows": rows, **(extra_context or {})})

    def compare_view(self, request, object_id):
        """A unified diff of title, summary and body between two revisions (or one and now)."""
        post = self.get_object(request, object_id)
        if not self.has_view_or_change_permission(request, post):
            raise PermissionDenied
        versions = Version.objects.get_for_object(post).select_related("revision__user")
        old = get_object_or_404(versions, pk=version_id_param(request, "from"))
        old_label = revision_label(old)
        if request.GET.get("to"):
            new = get_object_or_404(versions, pk=version_id_param(request, "to"))
            new_fields, new_label = new.field_dict, revision_label(new)
        else:
            new_fields = {name: getattr(post, name) for name in ("title", "summary")}
            new_fields["body"] = Post.objects.values_list("body", flat=True).get(pk=post.pk)
            new_label = _("current version")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": post,
            "title": _("Compare revisions of “%(title)s”") % {"title": post.title},
            "diffs": field_diffs(old.field_dict, new_fields, str(old_label), str(new_label)),
            "restore_url": reverse("admin:blog_post_revision", args=[post.pk, old.pk]),
        }
        return TemplateResponse(request, "authoring/admin/post_compare.html", context)

    # --- preview links -------------------------------------------------------------------------

    @admin.display(description=_("preview link"))
    def preview_link(self, post):
        if not post.pk:
            return _("Save the post first.")
        create_url = reverse("admin:blog_post_preview_link", args=[post.pk])
        revoke_url = reverse("admin:blog_post_revoke_preview", args=[post.pk])
        if not PreviewKey.objects.filter(post=post).exists():
            return format_html(
                '<button type="submit" class="button" formaction="{}" formnovalidate>{}</button>',
                create_url,
                _("Create a preview link"),
            )
        link = absolute_url(preview_path(post))
        return format_html(
            '<input type="text" readonly class="vTextField" value="{}"> '
            '<button type="submit" class="button" formaction="{}" formnovalidate>{}</button>'
            '<div class="help">{}</div>',
            link,
            revoke_url,
            _("Revoke all preview links"),
            _("Anyone with this link can read the draft until it expires or is revoked."),
        )

    def create_preview_link_view(self, request, object_id):
        """Make a preview link for the post (POST only) and show it."""
        post = self.get_object(request, object_id)
        if request.method != "POST" or not self.has_view_or_change_permission(request, post):
            raise PermissionDenied
        link = absolute_url(preview_path(post, request.user))
        self.message_user(request, _("Preview link: %(link)s") % {"link": link}, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:blog_post_change", args=[post.pk]))

    def revoke_preview_view(self, request, object_id):
        """Make every preview link of the post stop working (POST only)."""
        post = self.get_object(request, object_id)
        if request.method != "POST" or not self.has_view_or_change_permission(request, post):
            raise PermissionDenied
        revoke_preview_links(post, request.user)
        self.message_user(request, _("All preview links of this post were revoked."), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:blog_post_change", args=[post.pk]))

    def get_urls(self):
        return [
            path(
                "<path:object_id>/compare/",
                self.admin_site.admin_view(self.compare_view),
                name="blog_post_compare",
            ),
            path(
                "<path:object_id>/presence/",
                self.admin_site.admin_view(self.presence_view),
                name="blog_post_presence",
            ),
            path(
                "<path:object_id>/preview-link/",
                self.admin_site.admin_view(self.create_preview_link_view),
                name="blog_post_preview_link",
            ),
            path(
                "<path:object_id>/preview-link/revoke/",
                self.admin_site.admin_view(self.revoke_preview_view),
                name="blog_post_revoke_preview",
            ),
            *super().get_urls(),
        ]

    # --- bulk actions --------------------------------------------------------------------------

    @admin.action(description=_("Publish selected posts now"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        count = publishing.publish(queryset, request.user)
        self.message_user(
            request,
            ngettext("%(count)d post published.", "%(count)d posts published.", count) % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish selected posts (back to draft)"), permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        count = publishing.unpublish(queryset, request.user)
        self.message_user(
            request,
            ngettext("%(count)d post unpublished.", "%(count)d posts unpublished.", count) % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Revoke preview links of selected posts"), permissions=["change"])
    def revoke_preview_links(self, request, queryset):
        for post in queryset:
            revoke_preview_links(post, request.user)
        self.message_user(request, _("Preview links revoked."), messages.SUCCESS)


@admin.register(ReviewRequest)
class ReviewRequestAdmin(admin.ModelAdmin):
    list_display = ["post", "requested_by", "requested_at"]
    raw_id_fields = ["post", "requested_by"]
