"""Fixtures of the study tests: the demo foundation plus textbooks, and a few helpers."""

from __future__ import annotations

import pytest


@pytest.fixture
def books(foundation):
    from civicloop.study.demo import load_textbooks

    return load_textbooks()


@pytest.fixture
def study_demo(foundation):
    from civicloop.study import demo

    demo.load(**foundation)
    return foundation


@pytest.fixture
def chapter(books):
    from civicloop.study.models import Chapter

    def get(short: str, number: int) -> Chapter:
        return Chapter.objects.get(textbook=books[short], number=number)

    return get
