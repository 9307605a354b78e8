"""Authors and editors in the post admin (authoring.admin): write, preview, publish, filter."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from authoring.roles import AUTHOR, EDITOR, grant_role
from blog.models import Post
from tests.factories import make_post, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = make_user("editor", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def post_form(**overrides):
    data = {
        "title": "梯度检查点：用计算换显存",
        "slug": "",
        "body": "省显存的办法：$O(\\sqrt{n})$ 的激活。\n\n$$E = mc^2$$\n",
        "summary": "",
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
        "language": "zh",
        "tags": "训练, PyTorch",
        "series": "",
        "series_order": "",
        "original_url": "",
    }
    data.update(overrides)
    return data


def test_staff_adds_a_post_and_gets_a_pinyin_slug(client, editor):
    response = client.post(reverse("admin:blog_post_add"), post_form(author=editor.pk))
    assert response.status_code == 302, response.context["adminform"].form.errors
    post = Post.objects.get()
    assert post.slug == "ti-du-jian-cha-dian-yong-ji-suan-huan-xian-cun"
    assert post.author == editor
    assert sorted(post.tags.names()) == ["PyTorch", "训练"]
    assert "<math" in post.body_html or "E = mc^2" in post.body_html


def test_staff_edits_and_publishes_a_post(client, editor):
    post = make_post("Draft", author=editor, status=Post.Status.DRAFT)
    url = reverse("admin:blog_post_change", args=[post.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "markdownx" in page.text
    token = page.context["adminform"].form["edit_lock"].value()  # the version the form was opened at
    response = client.post(
        url,
        post_form(
            title="Draft, now live", slug=post.slug, status="published", author=editor.pk, edit_lock=token
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    assert post.published_at is not None
    assert client.get(post.get_absolute_url()).status_code == 200


def test_scheduling_without_a_time_is_a_form_error_not_a_500(client, editor):
    response = client.post(reverse("admin:blog_post_add"), post_form(status="scheduled", author=editor.pk))
    assert response.status_code == 200
    assert "published_at" in response.context["adminform"].form.errors
    assert "请选择这篇文章上线的发布时间。" in response.text  # the default UI language is Chinese
    assert not Post.objects.exists()


def test_bulk_publish_and_unpublish(client, editor):
    drafts = [make_post(f"D{i}", status=Post.Status.DRAFT) for i in range(3)]
    changelist = reverse("admin:blog_post_changelist")
    client.post(changelist, {"action": "publish_selected", "_selected_action": [p.pk for p in drafts]})
    assert Post.objects.published().count() == 3
    client.post(changelist, {"action": "unpublish_selected", "_selected_action": [drafts[0].pk]})
    assert Post.objects.published().count() == 2


def test_changelist_filters_and_search(client, editor):
    make_post("倒排索引", tags=["搜索"])
    make_post("Gumbel softmax", status=Post.Status.DRAFT)
    changelist = reverse("admin:blog_post_changelist")
    assert client.get(changelist, {"status__exact": "draft"}).context["cl"].result_count == 1
    assert client.get(changelist, {"q": "倒排"}).context["cl"].result_count == 1


@pytest.fixture
def site_people(roles):
    """An Author and an Editor with posts, a second Author with posts, and a reader."""
    people = {
        "author": make_user("zhang-author"),
        "other_author": make_user("wang-author"),
        "editor": make_user("li-editor"),
        "reader": make_user("chen-reader"),
    }
    grant_role(people["author"], AUTHOR)
    grant_role(people["other_author"], AUTHOR)
    grant_role(people["editor"], EDITOR)
    for role in ("author", "other_author", "editor"):
        make_post(author=people[role], status=Post.Status.DRAFT)
    return people


def author_choices(page, people):
    """Who the changelist's author filter offers, of `people`."""
    return {name for name, user in people.items() if f"?author__id__exact={user.pk}" in page.text}


def test_an_authors_author_filter_names_no_one_else(client, site_people):
    client.force_login(site_people["author"])
    page = client.get(reverse("admin:blog_post_changelist"))
    assert page.status_code == 200
    assert author_choices(page, site_people) == set()  # only themselves: nothing to choose
    for name in ("wang-author", "li-editor", "chen-reader"):
        assert name not in page.text


def test_an_editors_author_filter_offers_the_authors_of_posts_not_readers(client, site_people):
    client.force_login(site_people["editor"])
    page = client.get(reverse("admin:blog_post_changelist"))
    assert author_choices(page, site_people) == {"author", "other_author", "editor"}
    assert "chen-reader" not in page.text


def test_view_on_site_works_for_a_draft_for_staff(client, editor):
    post = make_post("Draft", status=Post.Status.DRAFT)
    page = client.get(reverse("admin:blog_post_change", args=[post.pk]))
    view_on_site = re.search(r'href="(/admin/r/[^"]+)" class="viewsitelink"', page.text).group(1)
    response = client.get(view_on_site, follow=True)
    assert response.redirect_chain[-1][0].endswith(post.get_absolute_url())
    assert response.status_code == 200
    assert response.context["post"] == post


def test_markdown_preview_is_for_staff_only(client, editor):
    response = client.post("/markdownx/markdownify/", {"content": "**粗体**"})
    assert response.status_code == 200
    assert "粗体" in response.text
    client.logout()
    assert client.post("/markdownx/markdownify/", {"content": "x"}).status_code == 302


@pytest.mark.parametrize(
    "query",
    [
        {"published_at__year": "2147483648"},
        {"published_at__year": "0"},
        {"published_at__year": "9999"},  # the year's end would be in year 10000
        {"published_at__year": "9999", "published_at__month": "12"},
    ],
)
def test_a_date_hierarchy_year_outside_the_calendar_is_an_invalid_filter(client, editor, query):
    make_post("Dated")
    response = client.get(reverse("admin:blog_post_changelist"), query)
    assert response.status_code == 302 and response["Location"].endswith("?e=1")
    assert client.get(response["Location"]).status_code == 200


def test_a_date_hierarchy_year_inside_the_calendar_still_filters(client, editor):
    post = make_post("Dated")
    year = post.published_at.astimezone(timezone.get_current_timezone()).year
    response = client.get(reverse("admin:blog_post_changelist"), {"published_at__year": year})
    assert response.status_code == 200 and "Dated" in response.text


def test_editor_endpoints_answer_malformed_requests_with_4xx(client, editor):
    assert client.post("/markdownx/markdownify/", {}).status_code == 400
    assert client.get("/markdownx/upload/").status_code == 405
    assert client.post("/markdownx/upload/", {}).status_code == 400
