"""Messages of Django's admin and of django-import-export that the portal translates itself.

Their own Spanish catalogues give every model the masculine article ("El red … se cambió", "El
sesión …") or leave the text in English ("Import finished…"). Listing the exact msgids here
with ``gettext_noop`` keeps them in our catalogue (``makemessages``), where a gender-neutral
Spanish translation ("Se cambió «{obj}» ({name}).") wins over the library's: LOCALE_PATHS come
first. The msgids are copied from django/contrib/admin/options.py and import_export/admin.py
and must stay character for character the same (curly quotes included), or they stop matching.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

DJANGO_ADMIN = [
    gettext_noop("The {name} “{obj}” was added successfully."),
    gettext_noop("You may edit it again below."),
    gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may add another {name} below."),
    gettext_noop("The %(name)s “%(obj)s” was deleted successfully."),
    gettext_noop("%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?"),
    gettext_noop("Successfully deleted %(count)d %(items)s."),
    # Lists with editable columns, saved at once ("1 red fue modificado" in Django's Spanish).
    ngettext_lazy(
        "%(count)s %(name)s was changed successfully.",
        "%(count)s %(name)s were changed successfully.",
        "count",
    ),
    # The history page of each record.
    gettext_noop("Added {name} “{object}”."),
    gettext_noop("Changed {fields} for {name} “{object}”."),
    gettext_noop("Deleted {name} “{object}”."),
]

IMPORT_EXPORT = [
    gettext_noop("Import finished: {} new, {} updated, {} deleted and {} skipped {}."),
    gettext_noop(
        "No valid data to import. Ensure your file has the correct headers or data for import."
    ),
    gettext_noop("This exporter will export the following fields: "),
    gettext_noop("Select all"),
    gettext_noop('Select at least 1 field for "%(resource_name)s" to export'),
    gettext_noop("Value could not be parsed."),
    gettext_noop("export failed due to IllegalCharacterError"),
    # The library's Spanish says "Fichero" (Spain); the region says "archivo".
    gettext_noop("File to import"),
    # The library's Spanish addresses staff as "tú" and in the masculine.
    gettext_noop(
        "Below is a preview of data to be imported. If you are satisfied with the results, "
        "click 'Confirm import'"
    ),
]
