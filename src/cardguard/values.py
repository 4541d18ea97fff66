"""Value classes (a finding, a call, a line of the directory, a record read from a file) without
@dataclass's cost at import.

@dataclass compiles six methods per class from source text each time a module is imported, ~0.7 ms
a class; a check imports some forty of them, ~30 ms of its ~250 ms start-up. ``@record`` gives the
same classes from shared methods, compiled once with this module:

- built by position (in field order) or keyword; a default is a value or
  ``dataclasses.field(default_factory=list)``; ``__post_init__`` runs if the class has one;
- frozen unless ``@record(mutable=True)``;
- equal to a value of the same class with the same fields; a frozen value hashes by its fields, a
  mutable one is unhashable (as with @dataclass);
- ``repr`` names the class and its fields; ``replace(value, field=...)`` is a changed copy.
"""

from __future__ import annotations

from dataclasses import MISSING, Field, FrozenInstanceError


def record(kind: type | None = None, /, *, mutable: bool = False):
    """``@record`` or ``@record(mutable=True)`` over a class whose annotations are its fields."""
    def build(kind: type) -> type:
        spec: list[tuple[str, object, object]] = []  # name, default, factory (MISSING when none)
        for base in reversed(kind.__mro__[1:]):
            spec += [field for field in base.__dict__.get("__record_fields__", ()) if field[0] not in
                     {name for name, _, _ in spec}]
        for name, annotation in kind.__dict__.get("__annotations__", {}).items():
            if str(annotation).startswith(("ClassVar", "typing.ClassVar")):
                continue
            default, factory = kind.__dict__.get(name, MISSING), MISSING
            if isinstance(default, Field):
                default, factory = default.default, default.default_factory
            if isinstance(default, list | dict | set):
                raise TypeError(f"{kind.__name__}.{name}: a mutable default is shared; use field(default_factory=...)")
            if name in kind.__dict__:
                delattr(kind, name)
            spec = [field for field in spec if field[0] != name] + [(name, default, factory)]
        kind.__record_fields__ = tuple(spec)
        kind.__record_names__ = tuple(name for name, _, _ in spec)
        kind.__match_args__ = kind.__record_names__
        kind.__record_after__ = getattr(kind, "__post_init__", None)
        kind.__init__ = _init
        kind.__eq__ = _eq
        kind.__repr__ = _repr
        if mutable:
            kind.__hash__ = None
        else:
            kind.__setattr__, kind.__delattr__, kind.__hash__ = _setattr, _delattr, _hash
        return kind

    return build if kind is None else build(kind)


def replace(made, /, **changes):
    """A copy of ``made`` with ``changes``."""
    names = type(made).__record_names__
    unknown = set(changes) - set(names)
    if unknown:
        raise TypeError(f"{type(made).__name__} has no {', '.join(sorted(unknown))}")
    return type(made)(**{name: changes[name] if name in changes else made.__dict__[name] for name in names})


def _init(self, *args, **given) -> None:
    kind = type(self)
    fields = kind.__record_fields__
    if len(args) > len(fields):
        raise TypeError(f"{kind.__name__}() takes {len(fields)} values, {len(args)} given")
    values = self.__dict__
    for (name, _, _), arg in zip(fields, args):
        if name in given:
            raise TypeError(f"{kind.__name__}() got {name} twice")
        values[name] = arg
    for name, default, factory in fields[len(args):]:
        if name in given:
            values[name] = given.pop(name)
        elif factory is not MISSING:
            values[name] = factory()
        elif default is not MISSING:
            values[name] = default
        else:
            raise TypeError(f"{kind.__name__}() needs {name}")
    if given:
        raise TypeError(f"{kind.__name__}() has no {', '.join(given)}")
    if kind.__record_after__ is not None:
        kind.__record_after__(self)


def _setattr(self, name, value) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _delattr(self, name) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _fields(made) -> tuple:
    values = made.__dict__
    return tuple(values[name] for name in type(made).__record_names__)


def _eq(self, other) -> bool:
    if type(other) is not type(self):
        return NotImplemented
    return _fields(self) == _fields(other)


def _hash(self) -> int:
    return hash(_fields(self))


def _repr(self) -> str:
    values = self.__dict__
    shown = ", ".join(f"{name}={values[name]!r}" for name in type(self).__record_names__)
    return f"{type(self).__qualname__}({shown})"
