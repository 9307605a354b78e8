"""The Markdown editor's drag-and-drop image upload, through blog.image_uploads.

markdownx's own form trusts the declared content type and keeps the uploaded file name's
extension (and passes SVG through); this form and view replace both. config/urls.py serves
EditorImageUploadView behind staff_member_required.
"""

from django import forms
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from markdownx.views import ImageUploadView

from blog.image_uploads import ImageUploadError, open_checked_image, store_post_image


class EditorImageForm(forms.Form):
    """One image from the editor, accepted only if Pillow can read it as an allowed format."""

    image = forms.FileField(label=_("image"))

    def clean_image(self):
        upload = self.cleaned_data["image"]
        try:
            open_checked_image(upload)
        except ImageUploadError as error:
            raise forms.ValidationError(str(error)) from None
        upload.seek(0)
        return upload

    def save(self, commit=True):
        """Store the image and return its URL."""
        return store_post_image(self.cleaned_data["image"])


class EditorImageUploadView(ImageUploadView):
    """markdownx's upload endpoint with a safe form; answers JSON for every request."""

    form_class = EditorImageForm
    # The editor only ever POSTs here; markdownx's GET would look for a template that isn't there.
    http_method_names = ["post", "options"]

    def form_invalid(self, form):
        return JsonResponse(form.errors, status=400)

    def form_valid(self, form):
        return JsonResponse({"image_code": f"![]({form.save()})"})
