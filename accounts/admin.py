"""Staff see readers' data only here, in the admin, and writers' public profiles."""

from django.contrib import admin

from .forms import AdminLoginForm
from .models import AuthorProfile, Bookmark, FeedToken, Follow

# The admin's log-in counts failures like the readers' one (accounts.rate_limits).
admin.site.login_form = AdminLoginForm


@admin.register(AuthorProfile)
class AuthorProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "display_name", "updated_at"]
    search_fields = ["user__username", "display_name"]
    raw_id_fields = ["user"]


@admin.register(Bookmark)
class BookmarkAdmin(admin.ModelAdmin):
    list_display = ["user", "post", "created_at"]
    raw_id_fields = ["user", "post"]
    search_fields = ["user__email", "post__title"]


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["user", "tag", "series", "author", "source", "created_at"]
    raw_id_fields = ["user", "tag", "series", "author", "source"]
    search_fields = ["user__email"]


@admin.register(FeedToken)
class FeedTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    # The token is a credential: staff can revoke it (delete) but never read it.
    exclude = ["token"]
    readonly_fields = ["user", "created_at"]

    def has_add_permission(self, request):
        return False
