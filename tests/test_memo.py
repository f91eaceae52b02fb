"""``memo.once_per``: one value per object, by identity."""

from __future__ import annotations

from whorunsit.engine.memo import once_per


class Owner:
    def __eq__(self, other):  # equal to everything: identity must still tell them apart
        return True

    __hash__ = object.__hash__


def test_built_once_per_owner_and_never_shared_between_owners():
    store: dict = {}
    calls = []
    a, b = Owner(), Owner()
    build = lambda owner: calls.append(owner) or len(calls)  # noqa: E731
    assert once_per(store, a, build) == 1
    assert once_per(store, a, build) == 1
    assert once_per(store, b, build) == 2
    assert calls[0] is a and calls[1] is b


def test_the_store_starts_again_past_sixteen_owners():
    store: dict = {}
    owners = [Owner() for _ in range(20)]
    for o in owners:
        once_per(store, o, lambda owner: 0)
    assert 0 < len(store) <= 17
    assert store[id(owners[-1])][0] is owners[-1]
