"""SELECTs that the ORM compiles once and that are then only run.

Building and compiling a queryset (a wide row, a few joins, a subquery) takes longer than the
database takes to answer it, and a busy endpoint asks the same question with new values many
times a second. A `Compiled` query is built once per process, database and shape (how many
values each list argument holds) with stand-in values, compiled by the ORM, and then run with
the real values put where the stand-ins were. Each value is prepared for the database by its
model field, as the ORM's lookups prepare it, and every column read goes through its field's and
its backend's converters, as the ORM's own iteration applies them; they depend on the database,
not on the connection, and are handed the running thread's connection as the ORM hands them
its."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.db import connections
from django.db.models import DateTimeField, Field


def compile_values(qs, db: str) -> tuple[str, tuple, list]:
    """A values/values_list queryset's SQL, its parameters and its columns' converters."""
    compiler = qs.query.get_compiler(db)
    sql, params = compiler.as_sql()
    columns = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
    return sql, tuple(params), list(compiler.get_converters(columns).items())


def run(db: str, sql: str, params, converters) -> list[list]:
    """The rows of compiled SQL, each column converted as the ORM's iteration converts it."""
    connection = connections[db]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [list(row) for row in cursor.fetchall()]
    for row in rows:
        for position, (functions, expression) in converters:
            value = row[position]
            for function in functions:
                value = function(value, expression, connection)
            row[position] = value
    return rows


def _stand_in(field: Field, number: int):
    """A value of the field's type that no real row holds and no real question asks for."""
    if isinstance(field, DateTimeField):
        return datetime(1901, 1, 1, tzinfo=UTC) + timedelta(seconds=number)
    if field.get_internal_type() in ("CharField", "TextField"):
        return f"\x1fstand-in {number}"
    return -7_331_733_173_317 - number  # ids and other integers


class Compiled:
    """`build(shape, **arguments)` returns a values/values_list queryset; `fields` names the
    model field that prepares each argument's values (an argument may be one value or a list
    of them); `shape` is what else the SQL depends on (a page's bounds, say: anything hashable
    that is not a parameter). `rows(db, shape, **arguments)` runs it, compiled on the first
    call of each shape and number of values in each list."""

    # Shapes kept, the least recently used dropped first: a shape can come from a client (a
    # page number), and a process must not keep one compiled query per page ever asked for.
    KEPT = 256

    def __init__(self, build: Callable, fields: dict[str, Field]):
        self.build, self.fields = build, fields
        self._shapes: OrderedDict[tuple, tuple] = OrderedDict()
        self._lock = threading.Lock()

    def rows(self, db: str, shape=None, **arguments) -> list[list]:
        key = (
            db,
            shape,
            *((n, len(v) if isinstance(v, list) else None) for n, v in arguments.items()),
        )
        with self._lock:
            compiled = self._shapes.get(key)
            if compiled is not None:
                self._shapes.move_to_end(key)
        if compiled is None:
            compiled = self._compile(db, shape, arguments)
            with self._lock:
                self._shapes[key] = compiled
                while len(self._shapes) > self.KEPT:
                    self._shapes.popitem(last=False)
        sql, params, places, converters = compiled
        connection = connections[db]
        params = list(params)
        for at, name, index in places:
            value = arguments[name] if index is None else arguments[name][index]
            params[at] = self.fields[name].get_db_prep_value(value, connection, prepared=False)
        return run(db, sql, params, converters)

    def _compile(self, db: str, shape, arguments: dict) -> tuple:
        connection = connections[db]
        stand_ins, wanted, number = {}, {}, 0
        for name, value in arguments.items():
            field = self.fields[name]
            indexes = range(len(value)) if isinstance(value, list) else [None]
            values = []
            for index in indexes:
                number += 1
                values.append(_stand_in(field, number))
                prepared = field.get_db_prep_value(values[-1], connection, prepared=False)
                wanted[prepared] = (name, index)
            stand_ins[name] = values if isinstance(value, list) else values[0]
        sql, params, converters = compile_values(self.build(shape, **stand_ins).using(db), db)
        places = [(at, *wanted[p]) for at, p in enumerate(params) if _hashable(p) in wanted]
        missing = set(wanted.values()) - {(name, index) for _at, name, index in places}
        if missing:  # a value the query does not use as a parameter: a bug in the caller
            raise ValueError(f"stand-ins not found in the compiled SQL: {sorted(missing)}")
        return sql, params, places, converters


def _hashable(value):
    try:
        hash(value)
    except TypeError:
        return None
    return value
