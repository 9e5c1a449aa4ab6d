"""The shared form-field template renders every kind of widget, and the admin's care-team page
(the one that broke on its checkboxes) opens and works."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django import forms
from django.template.loader import render_to_string
from django.test import Client

from tests.conftest import make_user
from thaw.accounts.models import Role
from thaw.clinic.models import Membership, Program

pytestmark = pytest.mark.django_db


class EveryWidget(forms.Form):
    text = forms.CharField(label="A line", max_length=20, help_text="Short.")
    area = forms.CharField(label="A paragraph", widget=forms.Textarea)
    email = forms.EmailField(label="An address")
    number = forms.IntegerField(label="A number")
    pick = forms.ChoiceField(label="A menu", choices=[("a", "Apple"), ("b", "Pear")])
    radio = forms.ChoiceField(label="One of", choices=[("x", "Ex"), ("y", "Why")], widget=forms.RadioSelect)
    many = forms.MultipleChoiceField(label="Some of", choices=[("p", "Pee"), ("q", "Queue")],
                                     widget=forms.CheckboxSelectMultiple)
    yes = forms.BooleanField(label="Yes or no", required=False, help_text="Tick for yes.")
    secret = forms.CharField(widget=forms.HiddenInput, initial="s3")


@pytest.mark.parametrize("data", [None, {"yes": "on"}], ids=["blank", "with errors"])
def test_the_shared_field_template_renders_every_widget_kind(data) -> None:
    form = EveryWidget(data)
    html = "".join(render_to_string("circle/_field.html", {"field": field}) for field in form)
    for label in ("A line", "A paragraph", "An address", "A number", "A menu", "One of", "Some of", "Yes or no"):
        assert label in html
    assert '<label for="id_yes">Yes or no</label>' in html, "one checkbox: a box with its own label"
    assert '<legend>Some of</legend>' in html and ">Queue</label>" in html, "a choice group: a fieldset, a box per choice"
    assert '<legend>One of</legend>' in html and ">Why</label>" in html
    assert 'type="hidden" name="secret"' in html and "<label for=\"id_secret\"" not in html
    if data:
        assert html.count('class="field-error"') == 7, "each required field says what is missing"


def test_an_admin_adds_a_clinician_to_a_care_team_from_the_program_page() -> None:
    admin = make_user("admin@example.org", Role.ADMIN)
    Authenticator.objects.create(user=admin, type=Authenticator.Type.TOTP, data={"secret": "unused"})
    clinician = make_user("sam@clinic.example", Role.CLINICIAN)
    program = Program.objects.create(name="Evening IOP")
    page = Client()
    page.force_login(admin)
    shown = page.get(f"/clinic/programs/{program.pk}/")
    assert shown.status_code == 200
    assert "Make them the program lead" in shown.content.decode()
    added = page.post(f"/clinic/programs/{program.pk}/", {"email": "sam@clinic.example", "lead": "on", "on_duty": "on"})
    assert added.status_code == 302
    assert Membership.objects.get(program=program, clinician=clinician).on_duty
    program.refresh_from_db()
    assert program.lead == clinician
    refused = page.post(f"/clinic/programs/{program.pk}/", {"email": "nobody@clinic.example", "lead": "on"})
    assert refused.status_code == 400 and "no active clinician account" in refused.content.decode()
