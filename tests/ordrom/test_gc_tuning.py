"""A server process tunes its garbage collector once it has loaded (ordrom.asgi.tune_gc):
what is loaded at start-up is frozen out of every collection, and the thresholds are the
setting's; "0" leaves Python's own."""

from __future__ import annotations

import gc

import pytest

from ordrom.asgi import tune_gc


@pytest.fixture
def restored_gc():
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_thresholds_are_set_and_start_up_objects_frozen(restored_gc):
    gc.unfreeze()

    tune_gc((12345, 17, 19))

    assert gc.get_threshold() == (12345, 17, 19)
    assert gc.get_freeze_count() > 0


def test_zero_leaves_python_defaults(restored_gc):
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)

    tune_gc((0,))
    tune_gc(())

    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() == 0


def test_the_server_default_raises_the_young_threshold(settings):
    assert settings.ORDROM_GC_THRESHOLDS[0] > 700
