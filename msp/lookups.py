"""Query lookups the case tables need beyond Django's own."""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db import models
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In

_INTEGER_COLUMNS = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
}


def _plain_integers(lookup) -> bool:
    """Whether ``lookup`` compares an integer column (a primary key or a
    foreign key to one) with a list of plain ints. Such a list needs no
    preparing value by value, which for a batch of thousands of ids costs
    more than the query itself."""
    values = lookup.rhs
    if not isinstance(values, (list, tuple, set, frozenset)):
        return False
    field = lookup.lhs.output_field
    target = getattr(field, "target_field", field)
    return target.get_internal_type() in _INTEGER_COLUMNS and all(
        type(value) is int for value in values
    )


@models.Field.register_lookup
class AnyOf(In):
    """``field__any_of=values``: the same rows as ``field__in=values``.

    On PostgreSQL the values go as one array parameter (``= ANY(%s)``)
    instead of one placeholder each, so a list of thousands costs one
    parameter to send and a short statement to parse and plan, and the
    statement text is the same whatever the list's length. Imports look up
    thousands of refs per batch this way. Elsewhere it is ``IN (...)``.
    """

    lookup_name = "any_of"

    def get_prep_lookup(self):
        if _plain_integers(self):
            return list(self.rhs)
        return super().get_prep_lookup()

    def as_postgresql(self, compiler, connection):
        if not self.rhs_is_direct_value():
            return self.as_sql(compiler, connection)  # a subquery: as __in
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        if _plain_integers(self):
            if not self.rhs:
                raise EmptyResultSet
            # One array literal: psycopg would otherwise adapt each int in
            # Python (60 ms for the 30,000 ids of a lead's dashboard year).
            literal = "{" + ",".join(map(str, self.rhs)) + "}"
            return f"{lhs} = ANY(%s::bigint[])", (*lhs_params, literal)
        values = [
            field.get_db_prep_value(value, connection, prepared=True)
            for value in self.rhs
            if value is not None
        ]
        if not values:
            raise EmptyResultSet
        return f"{lhs} = ANY(%s)", (*lhs_params, values)


@models.ForeignObject.register_lookup
class RelatedAnyOf(RelatedIn):
    """``foreign_key__any_of=ids``."""

    lookup_name = "any_of"
    as_postgresql = AnyOf.as_postgresql

    def get_prep_lookup(self):
        if _plain_integers(self):
            return list(self.rhs)
        return super().get_prep_lookup()


@models.ForeignObject.register_lookup
class RelatedAnyOfArray(RelatedIn):
    """``foreign_key__any_of_array=subquery``: the same rows as ``__in``.

    On PostgreSQL it is written ``= ANY(ARRAY(subquery))``. The planner
    cannot turn that into a join, so inside a correlated ``EXISTS`` the
    subquery runs for each candidate row by its index, instead of the
    planner hashing every row of a large table to meet a few candidates.
    ``msp.access`` uses it for paths with two reverse steps (a person's
    concerns' enquiries). Elsewhere it is ``IN (subquery)``.
    """

    lookup_name = "any_of_array"

    def as_postgresql(self, compiler, connection):
        if self.rhs_is_direct_value():
            raise ValueError("any_of_array takes a subquery; use any_of for values")
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)
