"""The nightly check: recompute the aggregate rows from the enrollments (and the member counts
from the memberships and users), report and repair drift.

Drift means a code path changed an enrollment without calling `enrollment_changed` (a bulk
insert, a manual SQL fix, a deleted unit). The recompute streams one agency's enrollments
through the same `contributions()` the live updates use, compares with the stored rows, and
(by default) rewrites the rows that differ.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction

from agencies.models import Agency
from learning.events import states_streamed
from learning.models import Enrollment

from ..models import MEMBER_AGGREGATE_MODELS
from ..registries import aggregate_models, aggregate_sources
from .aggregates import contributions

logger = logging.getLogger(__name__)

CHUNK = 5000


@dataclass(frozen=True)
class Drift:
    table: str
    key: tuple
    stored: dict
    expected: dict


def expected_cells(agency_id: int) -> dict:
    """The aggregate cells of one agency as the enrollments say they should be."""
    cells: dict = defaultdict(lambda: defaultdict(int))
    enrollments = Enrollment.objects.filter(agency_id=agency_id)
    for state in states_streamed(enrollments, chunk_size=CHUNK):
        for key, values in contributions(state).items():
            for field, amount in values.items():
                cells[key][field] += amount
    return cells


def _stored_cells(model, agency_id: int) -> dict:
    fields = ("id", *model.KEY_FIELDS, *model.VALUE_FIELDS)
    stored = {}
    for row in model.objects.filter(agency_id=agency_id).values_list(*fields):
        key = (model, *row[1 : 1 + len(model.KEY_FIELDS)])
        stored[key] = (
            row[0],
            dict(zip(model.VALUE_FIELDS, row[1 + len(model.KEY_FIELDS) :], strict=True)),
        )
    return stored


def _zero(model) -> dict:
    return dict.fromkeys(model.VALUE_FIELDS, 0)


def aggregates_recompute_agency(*, agency_id: int, repair: bool = True, models=None) -> list[Drift]:
    """Compare (and repair) one agency's aggregate rows; returns every cell that disagreed.

    Covers the tables of every registered aggregate source (reports.registries.
    aggregate_sources: the enrollments' tables, the member counts, then those of downstream
    apps). `models` narrows it, e.g. to MEMBER_AGGREGATE_MODELS after a bulk insert of
    memberships (one grouped query, no scan of the enrollments)."""
    models = aggregate_models() if models is None else tuple(models)
    drift: list[Drift] = []
    with transaction.atomic():
        expected: dict = {}
        for source in aggregate_sources.values():
            if not any(model in source.models for model in models):
                continue
            # Services that change what this source counts (enrollments, members) queue behind
            # this lock (PostgreSQL), so the rows read below and the rows written stay
            # consistent. Sources lock in registration order: enrollments, then members.
            list(
                source.models[0]
                .objects.select_for_update()
                .filter(agency_id=agency_id)
                .values_list("id", flat=True)
            )
            expected.update(source.expected(agency_id))
        for model in models:
            stored = _stored_cells(model, agency_id)
            missing = []
            wanted = {k: {**_zero(model), **v} for k, v in expected.items() if k[0] is model}
            for key in stored.keys() | wanted.keys():
                row_id, have = stored.get(key, (None, _zero(model)))
                want = wanted.get(key, _zero(model))
                if have == want:
                    if row_id is not None and not any(want.values()) and repair:
                        model.objects.filter(pk=row_id).delete()  # tidy empty rows
                    continue
                drift.append(Drift(model.__name__, key[1:], have, want))
                if not repair:
                    continue
                if row_id is None:
                    missing.append(
                        model(**dict(zip(model.KEY_FIELDS, key[1:], strict=True)), **want)
                    )
                elif any(want.values()):
                    model.objects.filter(pk=row_id).update(**want)
                else:
                    model.objects.filter(pk=row_id).delete()
            model.objects.bulk_create(missing, batch_size=2000)
    return drift


def member_counts_recompute(*, agency_id: int) -> list[Drift]:
    """Rebuild one agency's member counts from its memberships and users: for bulk writers
    that insert memberships without going through the services."""
    return aggregates_recompute_agency(agency_id=agency_id, models=MEMBER_AGGREGATE_MODELS)


def aggregates_recompute(*, repair: bool = True) -> dict[int, list[Drift]]:
    """Recompute every agency; logs a warning per agency with drift. Returns {agency: drift}."""
    found = {}
    for agency_id in Agency.objects.order_by("pk").values_list("pk", flat=True):
        drift = aggregates_recompute_agency(agency_id=agency_id, repair=repair)
        if drift:
            found[agency_id] = drift
            logger.warning(
                "Aggregate drift in agency %s: %d cells %s",
                agency_id,
                len(drift),
                "repaired" if repair else "found",
                extra={"drift": drift[:20]},
            )
    return found
