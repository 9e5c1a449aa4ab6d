"""Form fields shared by every page: text through Thaw's one gate (``thaw.text``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from thaw.text import normalise_newlines, problem


class TextField(forms.CharField):
    """A form field for text through the gate. It carries its limit into the page (``maxlength``,
    and ``data-limit`` for the counter in thaw.js) and answers an over-long or broken value with a
    message at the field; the form shows the text again as typed."""

    def __init__(self, *, max_length: int, multiline: bool = False, **kwargs: Any) -> None:
        if multiline:
            kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(max_length=max_length, **kwargs)
        # The gate says "too long" in its own words; Django's validators would say it twice.
        self.validators = [v for v in self.validators
                           if not isinstance(v, (validators.MaxLengthValidator, validators.ProhibitNullCharactersValidator))]

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        if self.max_length is not None and not widget.is_hidden:
            attrs["data-limit"] = str(self.max_length)
        return attrs

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = normalise_newlines(value)
        return super().to_python(value)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if isinstance(value, str) and self.max_length is not None:
            found = problem(value, self.max_length)
            if found:
                raise ValidationError(gettext("This field %(problem)s.") % {"problem": found}, code="text")
