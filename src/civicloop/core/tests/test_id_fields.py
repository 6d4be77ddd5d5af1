"""A submitted id too large for the database, or not a number, is a form error like any unknown
id (SQLite would otherwise raise OverflowError from the query: a 500)."""

from __future__ import annotations

import pytest
from django import forms

from civicloop.core.forms import IdChoiceField, IdMultipleChoiceField
from civicloop.core.models import Region


class RegionsForm(forms.Form):
    one = IdChoiceField(queryset=Region.objects.all(), required=False)
    many = IdMultipleChoiceField(queryset=Region.objects.all(), required=False)


@pytest.mark.parametrize("bad", [str(2**63), str(2**70), "-1", "0", "1e9", "abc"])
def test_an_impossible_id_is_refused_as_an_invalid_choice(foundation, bad):
    form = RegionsForm(data={"one": bad, "many": [bad]})
    assert not form.is_valid()
    assert form.errors.as_data()["one"][0].code == "invalid_choice"
    assert form.errors.as_data()["many"][0].code == "invalid_pk_value"


def test_real_ids_still_choose_their_rows(foundation):
    district = foundation["regions"]["兴隆台区"]
    street = foundation["regions"]["振兴街道"]
    form = RegionsForm(data={"one": str(district.pk), "many": [str(district.pk), str(street.pk)]})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["one"] == district
    assert set(form.cleaned_data["many"]) == {district, street}
