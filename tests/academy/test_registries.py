import pytest

from academy.registry import AlreadyRegistered, Registry


def test_registry_keeps_registration_order_and_refuses_a_key_twice():
    kinds = Registry("kinds")
    kinds.register("b", 2)
    kinds.register("a", 1)

    assert kinds.items() == [("b", 2), ("a", 1)]
    assert kinds["a"] == 1 and "b" in kinds and kinds.get("z") is None
    with pytest.raises(AlreadyRegistered):
        kinds.register("a", 3)
    with pytest.raises(KeyError, match="nothing registered as 'z'"):
        kinds["z"]


def test_a_temporary_copy_forgets_what_was_registered_in_it():
    kinds = Registry("kinds")
    kinds.register("built-in", 1)

    with kinds.temporary() as copy:
        copy.register("extra", 2)
        assert kinds.keys() == ["built-in", "extra"]

    assert kinds.keys() == ["built-in"]
