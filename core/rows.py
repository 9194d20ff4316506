"""Model instances from hand-written SELECTs, with the fields' own database converters (money as Decimal, JSON as
dicts, SQLite's text dates as datetimes). For the few hot reads where compiling an ORM query costs more than the
query itself (the USSD engine's one load per request)."""

from dataclasses import dataclass
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connection, connections, models


@dataclass(frozen=True)
class Columns:
    """A model's concrete columns as `alias.column` SQL, and how to turn their values into an instance."""

    model: type[models.Model]
    sql: str
    attnames: tuple[str, ...]
    converters: tuple[tuple, ...]

    def build(self, values) -> object:
        converted = []
        for value, (field, converters) in zip(values, self.converters, strict=True):
            for converter in converters:
                value = converter(value, field, connection)
            converted.append(value)
        return self.model.from_db(connection.alias, list(self.attnames), converted)

    def values(self, values) -> dict:
        """Converted values by attname, without an instance."""
        result = {}
        for attname, value, (field, converters) in zip(self.attnames, values, self.converters, strict=True):
            for converter in converters:
                value = converter(value, field, connection)
            result[attname] = value
        return result

    def __len__(self) -> int:
        return len(self.attnames)


@cache
def columns(model, alias: str, vendor: str) -> Columns:
    fields = [f for f in model._meta.concrete_fields]
    quote = connection.ops.quote_name
    sql = ", ".join(f"{alias}.{quote(f.column)}" for f in fields)
    converters = []
    for field in fields:
        col = field.get_col(model._meta.db_table)
        converters.append((col, tuple(connection.ops.get_db_converters(col) + field.get_db_converters(connection))))
    return Columns(model=model, sql=sql, attnames=tuple(f.attname for f in fields), converters=tuple(converters))


@dataclass(frozen=True)
class PreparedRow:
    """An INSERT with its parameters, prepared before the transaction that runs it (row_write): a transaction that
    holds a shared account's row lock then spends that time on the statement, not on preparing it."""

    sql: str
    params: list


def row_prepare(model, values: dict, *, upsert_on: str | None = None, durable: bool = True) -> PreparedRow:
    """The INSERT of one row of `model` from {field name: value}, each value prepared by its field as save() would
    (JSON, dates, money, foreign keys by id). The values name every column the table cannot leave NULL: no model
    default or auto_now is applied here. With `upsert_on` (a unique field's name) a row already there is updated
    instead, with every given field but that one and `created_at`. One statement composed once per shape: for the
    writes of every payment and USSD step, where Model.save() costs more than the INSERT. Bypasses save() and its
    signals: for models without any. Needs no database connection (nothing is sent).

    durable=False, outside a transaction on PostgreSQL: the statement's commit does not wait for the write-ahead
    log to reach the disk (synchronous_commit off for that one transaction). A crash can then lose the last
    fraction of a second of such rows, never corrupt them: only for rows that can be rebuilt (the USSD session,
    which the gateway's next request replays)."""
    names = tuple(values)
    db = database()
    return PreparedRow(
        sql=_insert_sql(model, names, upsert_on, relaxed=not durable and db.vendor == "postgresql"),
        params=[field.get_db_prep_save(values[field.name], db) for field in fields_named(model, names)],
    )


def row_write(row: PreparedRow) -> int:
    """Run a prepared INSERT; the new (or upserted) row's id."""
    with database().cursor() as cursor:
        cursor.execute(row.sql, row.params)
        return cursor.fetchone()[0]


def row_insert(model, values: dict, *, upsert_on: str | None = None, durable: bool = True) -> int:
    """row_prepare and row_write in one: INSERT the row now and return its id."""
    return row_write(row_prepare(model, values, upsert_on=upsert_on, durable=durable))


def database():
    """The default connection itself rather than the `connection` proxy, for code that touches it many times
    per statement (field preparation reads connection.ops and .features for every value): each attribute of the
    proxy is a look-up in asgiref's context-local storage."""
    return connections[DEFAULT_DB_ALIAS]


def instance_prepare(instance: models.Model) -> PreparedRow:
    """row_prepare for a new model instance (its defaults already applied by the model's __init__): every concrete
    column but the primary key, as save() would leave them."""
    model = type(instance)
    return row_prepare(model, {field.name: getattr(instance, field.attname) for field in _saved_fields(model)})


def instance_insert(instance, row: PreparedRow | None = None) -> None:
    """INSERT a new model instance (by its prepared row, if given: instance_prepare), which then carries its id."""
    instance.pk = row_write(row if row is not None else instance_prepare(instance))
    instance._state.adding, instance._state.db = False, connection.alias


@cache
def _saved_fields(model: type[models.Model]) -> tuple:
    return tuple(field for field in model._meta.concrete_fields if not field.primary_key)


@cache
def fields_named(model, names: tuple[str, ...]) -> tuple:
    """The model's fields of these names, looked up once per process."""
    return tuple(model._meta.get_field(name) for name in names)


@cache
def _insert_sql(model, names: tuple[str, ...], upsert_on: str | None, *, relaxed: bool) -> str:
    quote = connection.ops.quote_name
    fields = fields_named(model, names)
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"
        f" VALUES ({', '.join(['%s'] * len(fields))})"
    )
    if upsert_on is not None:
        kept = (upsert_on, "created_at")
        changes = ", ".join(f"{quote(f.column)} = excluded.{quote(f.column)}" for f in fields if f.name not in kept)
        sql += f" ON CONFLICT ({quote(model._meta.get_field(upsert_on).column)}) DO UPDATE SET {changes}"
    sql += f" RETURNING {quote(model._meta.pk.column)}"
    if relaxed:
        # Evaluated once for the one row, before the statement's own transaction commits; is_local=true ends the
        # setting with that transaction (or with the caller's, inside one).
        sql += ", set_config('synchronous_commit', 'off', true)"
    return sql
