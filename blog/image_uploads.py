"""Images uploaded by writers (avatars, pictures dropped into the Markdown editor), made safe.

An upload is trusted for nothing: not its name, not its declared content type. Pillow must
recognise it as one of a few raster formats within a size and pixel budget; it is then decoded
and encoded afresh (which drops metadata and any trailing payload) and stored under a random
name with the extension of the format Pillow found, so a "photo.html" can never be served as a page.
"""

import secrets
import warnings
from io import BytesIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow format name → (extension, format to re-encode as).
ALLOWED_FORMATS = {
    "JPEG": ("jpg", "JPEG"),
    "PNG": ("png", "PNG"),
    "WEBP": ("webp", "WEBP"),
    "GIF": ("png", "PNG"),
}


class ImageUploadError(ValueError):
    """The upload is not an image we accept; the message tells the writer what to do instead."""


def open_checked_image(upload):
    """Return (Pillow image, format name) of the decoded upload, or raise ImageUploadError.

    Checks size first (cheap), then that Pillow recognises and can fully verify the file,
    then the pixel count (a tiny PNG can claim to be 100,000 × 100,000 pixels).
    """
    if upload.size > settings.IMAGE_UPLOAD_MAX_BYTES:
        raise ImageUploadError(
            _("The image is larger than %(limit)d MB. Make it smaller and upload it again.")
            % {"limit": settings.IMAGE_UPLOAD_MAX_BYTES // (1024 * 1024)}
        )
    data = upload.read()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(BytesIO(data))
            image_format = probe.format
            if image_format not in ALLOWED_FORMATS:
                raise ImageUploadError(_("Upload a JPEG, PNG, WebP or GIF image."))
            if probe.width * probe.height > settings.IMAGE_UPLOAD_MAX_PIXELS:
                raise ImageUploadError(_("The image has too many pixels. Scale it down and upload it again."))
            probe.verify()  # checks the whole file; the image cannot be used afterwards
            image = Image.open(BytesIO(data))
            image.load()
    except ImageUploadError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError, Warning):
        raise ImageUploadError(
            _("This file is not an image we can read. Upload a JPEG, PNG, WebP or GIF.")
        ) from None
    return image, image_format


def encode_image(image, image_format):
    """Return the bytes of `image` encoded afresh as `image_format` (metadata dropped)."""
    output = BytesIO()
    if image_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif image_format == "PNG" and image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA")
    image.save(output, image_format, **({"quality": 85} if image_format in ("JPEG", "WEBP") else {}))
    return output.getvalue()


def make_avatar(upload):
    """Return a ContentFile: the upload cropped to a centred square AVATAR_SIZE pixels wide, as JPEG."""
    image = ImageOps.exif_transpose(open_checked_image(upload)[0])
    square = ImageOps.fit(image.convert("RGB"), (settings.AVATAR_SIZE, settings.AVATAR_SIZE), Image.LANCZOS)
    return ContentFile(encode_image(square, "JPEG"), name="avatar.jpg")


def store_post_image(upload):
    """Store an image for a post body under MEDIA_ROOT/uploads/<random>.<ext>; return its URL.

    GIFs are stored as PNG (first frame): re-encoding is what makes the file safe, and an
    animated re-encode is not worth its risk here.
    """
    image, found_format = open_checked_image(upload)
    extension, image_format = ALLOWED_FORMATS[found_format]
    image = ImageOps.exif_transpose(image)
    path = f"{settings.MARKDOWNX_MEDIA_PATH.strip('/')}/{secrets.token_hex(16)}.{extension}"
    stored = default_storage.save(path, ContentFile(encode_image(image, image_format)))
    return default_storage.url(stored)
