"""Sites: one database for many Missions Locales, and a session that sees one of them only.

A site is one Mission Locale of a shared installation (DESIGN.md, "site"). Every table that holds
a site's records has a ``site`` column (:class:`SiteMixin` on its model), and every session the
:class:`~mlprod.store.Database` makes is bound to one site, in one place instead of in every query:

* ``do_orm_execute`` adds ``site = <the site>`` to every ORM SELECT, UPDATE and DELETE of those
  models (:func:`~sqlalchemy.orm.with_loader_criteria`: joins, relationships and ``session.get``
  included), puts the site into every INSERT (ORM or Core), narrows Core UPDATE and DELETE on
  their tables, and refuses what it cannot bind: a Core SELECT naming their tables, raw SQL
  (``text()``), an INSERT … SELECT, a statement that sets ``site``.
* ``before_flush`` gives new objects the session's site and refuses to write or delete an object
  of another site, or to move one to another site.

The regional report is the one reader of every site (:func:`open_database` ``every_site=True``):
its sessions are read-only, checked here and, on PostgreSQL, by the server too.

The database's own connection (``Database.engine``) is not bound: only migrations and tests use it.

Adding a table that holds a site's records: its model inherits ``SiteMixin`` (``site_key()`` when
its primary key is a natural key), its unique keys and indexes start with ``site``, and its
migration creates the column itself, as 0009_sites does:
``sa.Column("site", sa.String(40), nullable=False, server_default="default")``. A table that is
the installation's (a shared sequence, like ``submission_numbers``) has no site column.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, String, Table, event
from sqlalchemy.orm import (
    Mapped,
    ORMExecuteState,
    Session,
    UOWTransaction,
    attributes,
    mapped_column,
    sessionmaker,
    with_loader_criteria,
)
from sqlalchemy.sql import Delete, Insert, Select, Update, visitors
from sqlalchemy.sql.expression import TableClause

from mlprod.errors import StoreError
from mlprod.site_names import DEFAULT_SITE, SITE_LENGTH

_MARK = "mlprod_site"  # in the site column's info: how a Table is known to hold sites' records
_BINDING = "mlprod_site_binding"  # in each bound session's info


class SiteMixin:
    """A model whose rows belong to one site. Inherit it (before ``Base``) on every model that holds
    a site's records; the session binding then applies to it with no other change.

    Models whose primary key is a natural key (a day, a YouTube id) redeclare the column with
    :func:`site_key`, so that the key becomes (site, …).
    """

    site: Mapped[str] = mapped_column(String(SITE_LENGTH), server_default=DEFAULT_SITE, info={_MARK: True},
                                      sort_order=-1)


def site_key() -> Mapped[str]:
    """The ``site`` column as the first part of a composite primary key."""
    return mapped_column(String(SITE_LENGTH), primary_key=True, server_default=DEFAULT_SITE,
                         info={_MARK: True}, sort_order=-1)


def site_models() -> list[type[SiteMixin]]:
    """Every mapped model that holds sites' records (those imported so far)."""
    found: list[type[SiteMixin]] = []
    pending = list(SiteMixin.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if "__table__" in vars(model):
            found.append(model)
    return sorted(found, key=lambda m: m.__name__)


def holds_sites(table: Any) -> bool:
    """Whether ``table`` (a Table) has the site column of :class:`SiteMixin`."""
    columns = getattr(table, "c", None)
    site = columns.get("site") if columns is not None else None
    return isinstance(site, Column) and bool(site.info.get(_MARK))


@dataclass(frozen=True)
class SiteBinding:
    """What a session may see: one site (``site``) or, read-only, every site (``site`` None)."""

    site: str | None
    read_only: bool = False

    def __post_init__(self) -> None:
        if self.site is None and not self.read_only:
            raise ValueError("a session over every site is read-only")

    @property
    def shown(self) -> str:
        return f"site {self.site!r}" if self.site is not None else "the regional report (every site)"


def bind_sessions(factory: sessionmaker[Session], binding: SiteBinding) -> None:
    """Bind every session ``factory`` makes to ``binding`` (see the module's docstring)."""
    factory.kw["info"] = {**factory.kw.get("info", {}), _BINDING: binding}
    event.listen(factory, "do_orm_execute", _bind_statement)
    event.listen(factory, "before_flush", _check_flush)
    if binding.read_only:
        event.listen(factory, "after_begin", _read_only_transaction)


def session_site(session: Session) -> str | None:
    """The site ``session`` is bound to (None: every site, read-only)."""
    binding = session.info.get(_BINDING)
    if not isinstance(binding, SiteBinding):
        raise StoreError("this session is not bound to a site — open it through Database.transaction()")
    return binding.site


def _binding(session: Session) -> SiteBinding | None:
    binding = session.info.get(_BINDING)
    return binding if isinstance(binding, SiteBinding) else None


# -- statements -------------------------------------------------------------------------------------

def _bind_statement(state: ORMExecuteState) -> None:
    binding = _binding(state.session)
    if binding is None:
        return
    statement = state.statement
    if binding.read_only and not isinstance(statement, Select):
        raise _refused(binding, "it writes, and this session only reads")
    if binding.site is None:
        if not isinstance(statement, Select):
            raise _refused(binding, "it is raw SQL, which cannot be checked to only read")
        return
    site = binding.site
    if isinstance(statement, Insert):
        _bind_insert(state, statement, binding, site)
    elif isinstance(statement, Select | Update | Delete):
        if isinstance(statement, Update):
            _refuse_moving(state, statement, binding)
        if state.is_orm_statement:
            state.statement = statement.options(_site_criteria(site))
        elif isinstance(statement, Select):
            names = sorted({t.name for t in _tables(statement) if holds_sites(t)})
            if names:
                raise _refused(binding, f"it reads {', '.join(names)} as a Core table — select the mapped"
                                        " class instead (select(Model)), which the site applies to")
        elif holds_sites(statement.table):
            state.statement = statement.where(statement.table.c.site == site)
    else:
        raise _refused(binding, "it is raw SQL (text()), which cannot be bound to a site — write it with"
                                " select(), insert(), update() or delete() on the mapped classes")


@functools.lru_cache(maxsize=64)
def _site_criteria(site: str) -> Any:
    """``site = <site>`` on every SiteMixin model of a statement; made once per site (building the
    option costs more than the rest of the hook)."""
    return with_loader_criteria(SiteMixin, lambda cls: cls.site == site, include_aliases=True)


def _tables(statement: Select[Any]) -> Iterable[TableClause]:
    for element in visitors.iterate(statement):
        if isinstance(element, Table):
            yield element


def _bind_insert(state: ORMExecuteState, statement: Insert, binding: SiteBinding, site: str) -> None:
    if not holds_sites(statement.table):
        return
    if statement.select is not None:
        raise _refused(binding, "it is an INSERT … SELECT, whose rows' site cannot be checked")
    inline = _inline_values(binding, statement)
    if inline.get("site", site) != site:
        raise _refused(binding, f"it writes a row of site {inline['site']!r}")
    params = state.parameters
    if isinstance(params, list | tuple) and params:
        state.parameters = [_with_site(row, site, binding) for row in params]
    elif isinstance(params, Mapping) and params:
        state.parameters = _with_site(params, site, binding)
    else:
        state.statement = statement.values(site=site)


def _with_site(row: Mapping[str, Any], site: str, binding: SiteBinding) -> dict[str, Any]:
    if row.get("site", site) != site:
        raise _refused(binding, f"it writes a row of site {row['site']!r}")
    return {**row, "site": site}


def _inline_values(binding: SiteBinding, statement: Insert | Update) -> dict[str, Any]:
    """The values the statement itself writes (``.values(…)``), by column name.

    SQLAlchemy keeps them in ``_values`` (one row) and ``_multi_values`` (several rows), the only way
    to read them short of compiling the statement; several rows of a site's table are refused.
    """
    if getattr(statement, "_multi_values", None):
        raise _refused(binding, "it writes several rows through .values([...]) — pass the rows as"
                                " execute() parameters instead")
    values: Mapping[Any, Any] = getattr(statement, "_values", None) or {}
    return {str(getattr(key, "key", key)): getattr(value, "value", value) for key, value in values.items()}


def _refuse_moving(state: ORMExecuteState, statement: Update, binding: SiteBinding) -> None:
    params = state.parameters
    rows = params if isinstance(params, list | tuple) else [params or {}]
    if "site" in _inline_values(binding, statement) or any("site" in row for row in rows):
        raise _refused(binding, "it changes a row's site; a record stays with its site")


def _refused(binding: SiteBinding, why: str) -> StoreError:
    return StoreError(f"database: a statement was refused for {binding.shown}: {why} (a mistake in"
                      " mlprod, not in your data: nothing was written — please report it)")


# -- flushes and transactions -----------------------------------------------------------------------

def _check_flush(session: Session, _context: UOWTransaction, _instances: object) -> None:
    binding = _binding(session)
    if binding is None:
        return
    if binding.read_only:
        if session.new or session.deleted or any(session.is_modified(o) for o in session.dirty):
            raise _refused(binding, "it writes, and this session only reads")
        return
    site = binding.site
    for obj in session.new:
        if isinstance(obj, SiteMixin):
            if obj.site is None:
                obj.site = site
            elif obj.site != site:
                raise _refused(binding, f"it adds a {type(obj).__name__} of site {obj.site!r}")
    for obj in session.dirty:
        if isinstance(obj, SiteMixin) and (attributes.get_history(obj, "site").deleted or obj.site != site):
            raise _refused(binding, f"it changes a {type(obj).__name__} of another site, or moves it")
    for obj in session.deleted:
        if isinstance(obj, SiteMixin) and obj.site != site:
            raise _refused(binding, f"it deletes a {type(obj).__name__} of site {obj.site!r}")


def _read_only_transaction(session: Session, _transaction: object, connection: Any) -> None:
    """PostgreSQL refuses any write in the transaction too (SQLite's readers rely on the checks above)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")
