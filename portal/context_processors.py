from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info


def site(request):
    """The same page in every language, for the language switcher and hreflang links."""
    path = request.get_full_path()
    current = get_language()
    alternate_languages = []
    for code, name in settings.LANGUAGES:
        url = translate_url(path, code)
        alternate_languages.append(
            {
                "code": code,
                "name": name,
                # Each language's own name, so a reader finds theirs whatever the page language.
                "name_local": get_language_info(code)["name_local"],
                "url": url,
                "absolute_url": request.build_absolute_uri(url),
                "is_current": code == current,
                "is_default": code == settings.LANGUAGE_CODE,
            }
        )
    return {"alternate_languages": alternate_languages}
