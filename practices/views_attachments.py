"""Downloads of practice attachments, with the same visibility as the practice itself."""

from django.http import FileResponse, Http404

from networks import access

from .models import Attachment
from .uploads import safe_original_name


def attachment_download(request, pk):
    # 404 rather than 403: an unpublished practice's files do not exist for outsiders.
    attachment = access.get_or_404(
        request.user, Attachment.objects.select_related("practice"), pk=pk
    )
    practice = attachment.practice
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=safe_original_name(attachment.original_name),
        content_type=attachment.content_type,
    )
    # Never let a browser guess a type other than the one detected at upload.
    response["X-Content-Type-Options"] = "nosniff"
    if not practice.is_published:
        response["Cache-Control"] = "private, no-store"
    return response
