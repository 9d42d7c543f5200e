"""Signals of the registry that upper apps listen to (this app never imports them)."""

from django.dispatch import Signal

#: Sent by ``personal_data.text_erase`` after it scrubbed free text with ``update()`` (which
#: sends no save signal): ``changed`` maps each model to the primary keys of its rows that
#: changed. Data derived from those texts (the practices' search data) is rebuilt on it.
texts_erased = Signal()
